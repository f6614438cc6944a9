// Original file: pkg/cri/api.proto


export interface PodSandboxStatusRequest__Input {
  'podSandboxId'?: (string);
  'verbose'?: (boolean);
}

export interface PodSandboxStatusRequest {
  'podSandboxId': (string);
  'verbose': (boolean);
}
