// Original file: pkg/cri/api.proto

import type { PodSandboxFilter__Input as _runtime_v1_PodSandboxFilter__Input, PodSandboxFilter as _runtime_v1_PodSandboxFilter } from '../../runtime/v1/PodSandboxFilter.js';

export interface ListPodSandboxRequest__Input {
  'filter'?: (_runtime_v1_PodSandboxFilter__Input | null);
}

export interface ListPodSandboxRequest {
  'filter': (_runtime_v1_PodSandboxFilter | null);
}
