// Original file: pkg/cri/api.proto


export interface PodSandboxMetadata__Input {
  'name'?: (string);
  'uid'?: (string);
  'namespace'?: (string);
  'attempt'?: (number);
}

export interface PodSandboxMetadata {
  'name': (string);
  'uid': (string);
  'namespace': (string);
  'attempt': (number);
}
