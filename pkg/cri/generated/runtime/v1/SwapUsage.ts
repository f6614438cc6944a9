// Original file: pkg/cri/api.proto

import type { UInt64Value__Input as _runtime_v1_UInt64Value__Input, UInt64Value as _runtime_v1_UInt64Value } from '../../runtime/v1/UInt64Value.js';
import type { Long } from '@grpc/proto-loader';

export interface SwapUsage__Input {
  'timestamp'?: (number | string | Long);
  'swapAvailableBytes'?: (_runtime_v1_UInt64Value__Input | null);
  'swapUsageBytes'?: (_runtime_v1_UInt64Value__Input | null);
}

export interface SwapUsage {
  'timestamp': (number);
  'swapAvailableBytes': (_runtime_v1_UInt64Value | null);
  'swapUsageBytes': (_runtime_v1_UInt64Value | null);
}
