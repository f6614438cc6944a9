// Original file: pkg/cri/api.proto

import type { ContainerStateValue__Input as _runtime_v1_ContainerStateValue__Input, ContainerStateValue as _runtime_v1_ContainerStateValue } from '../../runtime/v1/ContainerStateValue.js';

export interface ContainerFilter__Input {
  'id'?: (string);
  'state'?: (_runtime_v1_ContainerStateValue__Input | null);
  'podSandboxId'?: (string);
  'labelSelector'?: ({[key: string]: string});
}

export interface ContainerFilter {
  'id': (string);
  'state': (_runtime_v1_ContainerStateValue | null);
  'podSandboxId': (string);
  'labelSelector': ({[key: string]: string});
}
