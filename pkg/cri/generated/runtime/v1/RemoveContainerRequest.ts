// Original file: pkg/cri/api.proto


export interface RemoveContainerRequest__Input {
  'containerId'?: (string);
}

export interface RemoveContainerRequest {
  'containerId': (string);
}
