// Original file: pkg/cri/api.proto

import type { Namespace__Input as _runtime_v1_Namespace__Input, Namespace as _runtime_v1_Namespace } from '../../runtime/v1/Namespace.js';

export interface LinuxPodSandboxStatus__Input {
  'namespaces'?: (_runtime_v1_Namespace__Input | null);
}

export interface LinuxPodSandboxStatus {
  'namespaces': (_runtime_v1_Namespace | null);
}
