// Original file: pkg/cri/api.proto

import type { Image__Input as _runtime_v1_Image__Input, Image as _runtime_v1_Image } from '../../runtime/v1/Image.js';

export interface ImageStatusResponse__Input {
  'image'?: (_runtime_v1_Image__Input | null);
  'info'?: ({[key: string]: string});
}

export interface ImageStatusResponse {
  'image': (_runtime_v1_Image | null);
  'info': ({[key: string]: string});
}
