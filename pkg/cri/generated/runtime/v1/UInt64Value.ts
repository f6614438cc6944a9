// Original file: pkg/cri/api.proto

import type { Long } from '@grpc/proto-loader';

export interface UInt64Value__Input {
  'value'?: (number | string | Long);
}

export interface UInt64Value {
  'value': (number);
}
