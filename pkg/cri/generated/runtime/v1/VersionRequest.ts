// Original file: pkg/cri/api.proto


export interface VersionRequest__Input {
  'version'?: (string);
}

export interface VersionRequest {
  'version': (string);
}
