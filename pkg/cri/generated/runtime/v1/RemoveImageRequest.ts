// Original file: pkg/cri/api.proto

import type { ImageSpec__Input as _runtime_v1_ImageSpec__Input, ImageSpec as _runtime_v1_ImageSpec } from '../../runtime/v1/ImageSpec.js';

export interface RemoveImageRequest__Input {
  'image'?: (_runtime_v1_ImageSpec__Input | null);
}

export interface RemoveImageRequest {
  'image': (_runtime_v1_ImageSpec | null);
}
