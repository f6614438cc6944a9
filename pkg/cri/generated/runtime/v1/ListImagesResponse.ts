// Original file: pkg/cri/api.proto

import type { Image__Input as _runtime_v1_Image__Input, Image as _runtime_v1_Image } from '../../runtime/v1/Image.js';

export interface ListImagesResponse__Input {
  'images'?: (_runtime_v1_Image__Input)[];
}

export interface ListImagesResponse {
  'images': (_runtime_v1_Image)[];
}
