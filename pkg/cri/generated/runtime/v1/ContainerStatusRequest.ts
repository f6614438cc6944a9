// Original file: pkg/cri/api.proto


export interface ContainerStatusRequest__Input {
  'containerId'?: (string);
  'verbose'?: (boolean);
}

export interface ContainerStatusRequest {
  'containerId': (string);
  'verbose': (boolean);
}
