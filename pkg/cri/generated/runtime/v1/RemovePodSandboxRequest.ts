// Original file: pkg/cri/api.proto


export interface RemovePodSandboxRequest__Input {
  'podSandboxId'?: (string);
}

export interface RemovePodSandboxRequest {
  'podSandboxId': (string);
}
