// Original file: pkg/cri/api.proto


export interface PortForwardResponse__Input {
  'url'?: (string);
}

export interface PortForwardResponse {
  'url': (string);
}
