// Original file: pkg/cri/api.proto


export interface DNSConfig__Input {
  'servers'?: (string)[];
  'searches'?: (string)[];
  'options'?: (string)[];
}

export interface DNSConfig {
  'servers': (string)[];
  'searches': (string)[];
  'options': (string)[];
}
