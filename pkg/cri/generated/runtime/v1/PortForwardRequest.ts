// Original file: pkg/cri/api.proto


export interface PortForwardRequest__Input {
  'podSandboxId'?: (string);
  'port'?: (number)[];
}

export interface PortForwardRequest {
  'podSandboxId': (string);
  'port': (number)[];
}
