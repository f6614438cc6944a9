// Original file: pkg/cri/api.proto


export interface ContainerMetadata__Input {
  'name'?: (string);
  'attempt'?: (number);
}

export interface ContainerMetadata {
  'name': (string);
  'attempt': (number);
}
