// Original file: pkg/cri/api.proto

import type { ImageSpec__Input as _runtime_v1_ImageSpec__Input, ImageSpec as _runtime_v1_ImageSpec } from '../../runtime/v1/ImageSpec.js';

export interface ImageStatusRequest__Input {
  'image'?: (_runtime_v1_ImageSpec__Input | null);
  'verbose'?: (boolean);
}

export interface ImageStatusRequest {
  'image': (_runtime_v1_ImageSpec | null);
  'verbose': (boolean);
}
