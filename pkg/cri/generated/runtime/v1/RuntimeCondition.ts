// Original file: pkg/cri/api.proto


export interface RuntimeCondition__Input {
  'type'?: (string);
  'status'?: (boolean);
  'reason'?: (string);
  'message'?: (string);
}

export interface RuntimeCondition {
  'type': (string);
  'status': (boolean);
  'reason': (string);
  'message': (string);
}
