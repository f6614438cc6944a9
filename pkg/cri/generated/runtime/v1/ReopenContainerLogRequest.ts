// Original file: pkg/cri/api.proto


export interface ReopenContainerLogRequest__Input {
  'containerId'?: (string);
}

export interface ReopenContainerLogRequest {
  'containerId': (string);
}
