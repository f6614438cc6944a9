// Original file: pkg/cri/api.proto


export interface StatusRequest__Input {
  'verbose'?: (boolean);
}

export interface StatusRequest {
  'verbose': (boolean);
}
