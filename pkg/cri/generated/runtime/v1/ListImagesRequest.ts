// Original file: pkg/cri/api.proto

import type { ImageFilter__Input as _runtime_v1_ImageFilter__Input, ImageFilter as _runtime_v1_ImageFilter } from '../../runtime/v1/ImageFilter.js';

export interface ListImagesRequest__Input {
  'filter'?: (_runtime_v1_ImageFilter__Input | null);
}

export interface ListImagesRequest {
  'filter': (_runtime_v1_ImageFilter | null);
}
