// Original file: pkg/cri/api.proto

import type { ContainerState__Input as _runtime_v1_ContainerState__Input, ContainerState as _runtime_v1_ContainerState } from '../../runtime/v1/ContainerState.js';

export interface ContainerStateValue__Input {
  'state'?: (_runtime_v1_ContainerState__Input);
}

export interface ContainerStateValue {
  'state': (_runtime_v1_ContainerState);
}
