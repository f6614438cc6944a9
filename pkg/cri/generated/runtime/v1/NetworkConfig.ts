// Original file: pkg/cri/api.proto


export interface NetworkConfig__Input {
  'podCidr'?: (string);
}

export interface NetworkConfig {
  'podCidr': (string);
}
