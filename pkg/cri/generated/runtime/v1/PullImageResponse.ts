// Original file: pkg/cri/api.proto


export interface PullImageResponse__Input {
  'imageRef'?: (string);
}

export interface PullImageResponse {
  'imageRef': (string);
}
