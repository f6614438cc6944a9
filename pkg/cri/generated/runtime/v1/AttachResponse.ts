// Original file: pkg/cri/api.proto


export interface AttachResponse__Input {
  'url'?: (string);
}

export interface AttachResponse {
  'url': (string);
}
