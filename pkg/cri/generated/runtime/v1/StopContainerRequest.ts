// Original file: pkg/cri/api.proto

import type { Long } from '@grpc/proto-loader';

export interface StopContainerRequest__Input {
  'containerId'?: (string);
  'timeout'?: (number | string | Long);
}

export interface StopContainerRequest {
  'containerId': (string);
  'timeout': (number);
}
