// Original file: pkg/cri/api.proto

import type { ContainerConfig__Input as _runtime_v1_ContainerConfig__Input, ContainerConfig as _runtime_v1_ContainerConfig } from '../../runtime/v1/ContainerConfig.js';
import type { PodSandboxConfig__Input as _runtime_v1_PodSandboxConfig__Input, PodSandboxConfig as _runtime_v1_PodSandboxConfig } from '../../runtime/v1/PodSandboxConfig.js';

export interface CreateContainerRequest__Input {
  'podSandboxId'?: (string);
  'config'?: (_runtime_v1_ContainerConfig__Input | null);
  'sandboxConfig'?: (_runtime_v1_PodSandboxConfig__Input | null);
}

export interface CreateContainerRequest {
  'podSandboxId': (string);
  'config': (_runtime_v1_ContainerConfig | null);
  'sandboxConfig': (_runtime_v1_PodSandboxConfig | null);
}
