// Original file: pkg/cri/api.proto

import type { PodSandboxState__Input as _runtime_v1_PodSandboxState__Input, PodSandboxState as _runtime_v1_PodSandboxState } from '../../runtime/v1/PodSandboxState.js';

export interface PodSandboxStateValue__Input {
  'state'?: (_runtime_v1_PodSandboxState__Input);
}

export interface PodSandboxStateValue {
  'state': (_runtime_v1_PodSandboxState);
}
