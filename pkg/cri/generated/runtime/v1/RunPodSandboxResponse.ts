// Original file: pkg/cri/api.proto


export interface RunPodSandboxResponse__Input {
  'podSandboxId'?: (string);
}

export interface RunPodSandboxResponse {
  'podSandboxId': (string);
}
