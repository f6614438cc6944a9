// Original file: pkg/cri/api.proto

import type { PodIP__Input as _runtime_v1_PodIP__Input, PodIP as _runtime_v1_PodIP } from '../../runtime/v1/PodIP.js';

export interface PodSandboxNetworkStatus__Input {
  'ip'?: (string);
  'additionalIps'?: (_runtime_v1_PodIP__Input)[];
}

export interface PodSandboxNetworkStatus {
  'ip': (string);
  'additionalIps': (_runtime_v1_PodIP)[];
}
