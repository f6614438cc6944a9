// Original file: pkg/cri/api.proto

import type { RuntimeConfig__Input as _runtime_v1_RuntimeConfig__Input, RuntimeConfig as _runtime_v1_RuntimeConfig } from '../../runtime/v1/RuntimeConfig.js';

export interface UpdateRuntimeConfigRequest__Input {
  'runtimeConfig'?: (_runtime_v1_RuntimeConfig__Input | null);
}

export interface UpdateRuntimeConfigRequest {
  'runtimeConfig': (_runtime_v1_RuntimeConfig | null);
}
