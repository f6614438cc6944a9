// Original file: pkg/cri/api.proto


export interface ExecResponse__Input {
  'url'?: (string);
}

export interface ExecResponse {
  'url': (string);
}
