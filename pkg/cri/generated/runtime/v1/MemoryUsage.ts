// Original file: pkg/cri/api.proto

import type { UInt64Value__Input as _runtime_v1_UInt64Value__Input, UInt64Value as _runtime_v1_UInt64Value } from '../../runtime/v1/UInt64Value.js';
import type { Long } from '@grpc/proto-loader';

export interface MemoryUsage__Input {
  'timestamp'?: (number | string | Long);
  'workingSetBytes'?: (_runtime_v1_UInt64Value__Input | null);
  'availableBytes'?: (_runtime_v1_UInt64Value__Input | null);
  'usageBytes'?: (_runtime_v1_UInt64Value__Input | null);
  'rssBytes'?: (_runtime_v1_UInt64Value__Input | null);
  'pageFaults'?: (_runtime_v1_UInt64Value__Input | null);
  'majorPageFaults'?: (_runtime_v1_UInt64Value__Input | null);
}

export interface MemoryUsage {
  'timestamp': (number);
  'workingSetBytes': (_runtime_v1_UInt64Value | null);
  'availableBytes': (_runtime_v1_UInt64Value | null);
  'usageBytes': (_runtime_v1_UInt64Value | null);
  'rssBytes': (_runtime_v1_UInt64Value | null);
  'pageFaults': (_runtime_v1_UInt64Value | null);
  'majorPageFaults': (_runtime_v1_UInt64Value | null);
}
