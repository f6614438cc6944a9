// Original file: pkg/cri/api.proto

import type { PodSandboxStateValue__Input as _runtime_v1_PodSandboxStateValue__Input, PodSandboxStateValue as _runtime_v1_PodSandboxStateValue } from '../../runtime/v1/PodSandboxStateValue.js';

export interface PodSandboxFilter__Input {
  'id'?: (string);
  'state'?: (_runtime_v1_PodSandboxStateValue__Input | null);
  'labelSelector'?: ({[key: string]: string});
}

export interface PodSandboxFilter {
  'id': (string);
  'state': (_runtime_v1_PodSandboxStateValue | null);
  'labelSelector': ({[key: string]: string});
}
