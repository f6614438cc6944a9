// Original file: pkg/cri/api.proto


export interface IDMapping__Input {
  'hostId'?: (number);
  'containerId'?: (number);
  'length'?: (number);
}

export interface IDMapping {
  'hostId': (number);
  'containerId': (number);
  'length': (number);
}
