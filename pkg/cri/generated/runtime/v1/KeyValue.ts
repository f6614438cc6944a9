// Original file: pkg/cri/api.proto


export interface KeyValue__Input {
  'key'?: (string);
  'value'?: (string);
}

export interface KeyValue {
  'key': (string);
  'value': (string);
}
