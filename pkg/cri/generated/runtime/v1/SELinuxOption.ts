// Original file: pkg/cri/api.proto


export interface SELinuxOption__Input {
  'user'?: (string);
  'role'?: (string);
  'type'?: (string);
  'level'?: (string);
}

export interface SELinuxOption {
  'user': (string);
  'role': (string);
  'type': (string);
  'level': (string);
}
