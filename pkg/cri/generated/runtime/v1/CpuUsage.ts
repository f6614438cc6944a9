// Original file: pkg/cri/api.proto

import type { UInt64Value__Input as _runtime_v1_UInt64Value__Input, UInt64Value as _runtime_v1_UInt64Value } from '../../runtime/v1/UInt64Value.js';
import type { Long } from '@grpc/proto-loader';

export interface CpuUsage__Input {
  'timestamp'?: (number | string | Long);
  'usageCoreNanoSeconds'?: (_runtime_v1_UInt64Value__Input | null);
  'usageNanoCores'?: (_runtime_v1_UInt64Value__Input | null);
}

export interface CpuUsage {
  'timestamp': (number);
  'usageCoreNanoSeconds': (_runtime_v1_UInt64Value | null);
  'usageNanoCores': (_runtime_v1_UInt64Value | null);
}
