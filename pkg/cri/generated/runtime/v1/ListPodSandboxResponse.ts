// Original file: pkg/cri/api.proto

import type { PodSandbox__Input as _runtime_v1_PodSandbox__Input, PodSandbox as _runtime_v1_PodSandbox } from '../../runtime/v1/PodSandbox.js';

export interface ListPodSandboxResponse__Input {
  'items'?: (_runtime_v1_PodSandbox__Input)[];
}

export interface ListPodSandboxResponse {
  'items': (_runtime_v1_PodSandbox)[];
}
