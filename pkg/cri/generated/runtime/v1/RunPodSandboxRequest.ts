// Original file: pkg/cri/api.proto

import type { PodSandboxConfig__Input as _runtime_v1_PodSandboxConfig__Input, PodSandboxConfig as _runtime_v1_PodSandboxConfig } from '../../runtime/v1/PodSandboxConfig.js';

export interface RunPodSandboxRequest__Input {
  'config'?: (_runtime_v1_PodSandboxConfig__Input | null);
  'runtimeHandler'?: (string);
}

export interface RunPodSandboxRequest {
  'config': (_runtime_v1_PodSandboxConfig | null);
  'runtimeHandler': (string);
}
