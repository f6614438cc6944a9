// Original file: pkg/cri/api.proto

import type { FilesystemIdentifier__Input as _runtime_v1_FilesystemIdentifier__Input, FilesystemIdentifier as _runtime_v1_FilesystemIdentifier } from '../../runtime/v1/FilesystemIdentifier.js';
import type { UInt64Value__Input as _runtime_v1_UInt64Value__Input, UInt64Value as _runtime_v1_UInt64Value } from '../../runtime/v1/UInt64Value.js';
import type { Long } from '@grpc/proto-loader';

export interface FilesystemUsage__Input {
  'timestamp'?: (number | string | Long);
  'fsId'?: (_runtime_v1_FilesystemIdentifier__Input | null);
  'usedBytes'?: (_runtime_v1_UInt64Value__Input | null);
  'inodesUsed'?: (_runtime_v1_UInt64Value__Input | null);
}

export interface FilesystemUsage {
  'timestamp': (number);
  'fsId': (_runtime_v1_FilesystemIdentifier | null);
  'usedBytes': (_runtime_v1_UInt64Value | null);
  'inodesUsed': (_runtime_v1_UInt64Value | null);
}
