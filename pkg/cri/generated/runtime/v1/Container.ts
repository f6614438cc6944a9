// Original file: pkg/cri/api.proto

import type { ContainerMetadata__Input as _runtime_v1_ContainerMetadata__Input, ContainerMetadata as _runtime_v1_ContainerMetadata } from '../../runtime/v1/ContainerMetadata.js';
import type { ImageSpec__Input as _runtime_v1_ImageSpec__Input, ImageSpec as _runtime_v1_ImageSpec } from '../../runtime/v1/ImageSpec.js';
import type { ContainerState__Input as _runtime_v1_ContainerState__Input, ContainerState as _runtime_v1_ContainerState } from '../../runtime/v1/ContainerState.js';
import type { Long } from '@grpc/proto-loader';

export interface Container__Input {
  'id'?: (string);
  'podSandboxId'?: (string);
  'metadata'?: (_runtime_v1_ContainerMetadata__Input | null);
  'image'?: (_runtime_v1_ImageSpec__Input | null);
  'imageRef'?: (string);
  'state'?: (_runtime_v1_ContainerState__Input);
  'createdAt'?: (number | string | Long);
  'labels'?: ({[key: string]: string});
  'annotations'?: ({[key: string]: string});
  'imageId'?: (string);
}

export interface Container {
  'id': (string);
  'podSandboxId': (string);
  'metadata': (_runtime_v1_ContainerMetadata | null);
  'image': (_runtime_v1_ImageSpec | null);
  'imageRef': (string);
  'state': (_runtime_v1_ContainerState);
  'createdAt': (number);
  'labels': ({[key: string]: string});
  'annotations': ({[key: string]: string});
  'imageId': (string);
}
