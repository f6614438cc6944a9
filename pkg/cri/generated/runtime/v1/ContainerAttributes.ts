// Original file: pkg/cri/api.proto

import type { ContainerMetadata__Input as _runtime_v1_ContainerMetadata__Input, ContainerMetadata as _runtime_v1_ContainerMetadata } from '../../runtime/v1/ContainerMetadata.js';

export interface ContainerAttributes__Input {
  'id'?: (string);
  'metadata'?: (_runtime_v1_ContainerMetadata__Input | null);
  'labels'?: ({[key: string]: string});
  'annotations'?: ({[key: string]: string});
}

export interface ContainerAttributes {
  'id': (string);
  'metadata': (_runtime_v1_ContainerMetadata | null);
  'labels': ({[key: string]: string});
  'annotations': ({[key: string]: string});
}
