// Original file: pkg/cri/api.proto


export interface Device__Input {
  'containerPath'?: (string);
  'hostPath'?: (string);
  'permissions'?: (string);
}

export interface Device {
  'containerPath': (string);
  'hostPath': (string);
  'permissions': (string);
}
