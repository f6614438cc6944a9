// Original file: pkg/cri/api.proto

import type { Long } from '@grpc/proto-loader';

export interface HugepageLimit__Input {
  'pageSize'?: (string);
  'limit'?: (number | string | Long);
}

export interface HugepageLimit {
  'pageSize': (string);
  'limit': (number);
}
