// Original file: pkg/cri/api.proto

import type { RuntimeCondition__Input as _runtime_v1_RuntimeCondition__Input, RuntimeCondition as _runtime_v1_RuntimeCondition } from '../../runtime/v1/RuntimeCondition.js';

export interface RuntimeStatus__Input {
  'conditions'?: (_runtime_v1_RuntimeCondition__Input)[];
}

export interface RuntimeStatus {
  'conditions': (_runtime_v1_RuntimeCondition)[];
}
