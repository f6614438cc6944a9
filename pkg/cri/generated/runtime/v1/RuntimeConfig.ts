// Original file: pkg/cri/api.proto

import type { NetworkConfig__Input as _runtime_v1_NetworkConfig__Input, NetworkConfig as _runtime_v1_NetworkConfig } from '../../runtime/v1/NetworkConfig.js';

export interface RuntimeConfig__Input {
  'networkConfig'?: (_runtime_v1_NetworkConfig__Input | null);
}

export interface RuntimeConfig {
  'networkConfig': (_runtime_v1_NetworkConfig | null);
}
