// Original file: pkg/cri/api.proto


export interface StartContainerRequest__Input {
  'containerId'?: (string);
}

export interface StartContainerRequest {
  'containerId': (string);
}
