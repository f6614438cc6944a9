// Original file: pkg/cri/api.proto

import type { Int64Value__Input as _runtime_v1_Int64Value__Input, Int64Value as _runtime_v1_Int64Value } from '../../runtime/v1/Int64Value.js';
import type { ImageSpec__Input as _runtime_v1_ImageSpec__Input, ImageSpec as _runtime_v1_ImageSpec } from '../../runtime/v1/ImageSpec.js';
import type { Long } from '@grpc/proto-loader';

export interface Image__Input {
  'id'?: (string);
  'repoTags'?: (string)[];
  'repoDigests'?: (string)[];
  'size'?: (number | string | Long);
  'uid'?: (_runtime_v1_Int64Value__Input | null);
  'username'?: (string);
  'spec'?: (_runtime_v1_ImageSpec__Input | null);
  'pinned'?: (boolean);
}

export interface Image {
  'id': (string);
  'repoTags': (string)[];
  'repoDigests': (string)[];
  'size': (number);
  'uid': (_runtime_v1_Int64Value | null);
  'username': (string);
  'spec': (_runtime_v1_ImageSpec | null);
  'pinned': (boolean);
}
