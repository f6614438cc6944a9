// Original file: pkg/cri/api.proto


export interface StopPodSandboxRequest__Input {
  'podSandboxId'?: (string);
}

export interface StopPodSandboxRequest {
  'podSandboxId': (string);
}
