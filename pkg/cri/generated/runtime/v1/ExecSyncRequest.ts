// Original file: pkg/cri/api.proto

import type { Long } from '@grpc/proto-loader';

export interface ExecSyncRequest__Input {
  'containerId'?: (string);
  'cmd'?: (string)[];
  'timeout'?: (number | string | Long);
}

export interface ExecSyncRequest {
  'containerId': (string);
  'cmd': (string)[];
  'timeout': (number);
}
