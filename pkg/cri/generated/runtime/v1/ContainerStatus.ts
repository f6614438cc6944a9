// Original file: pkg/cri/api.proto

import type { ContainerMetadata__Input as _runtime_v1_ContainerMetadata__Input, ContainerMetadata as _runtime_v1_ContainerMetadata } from '../../runtime/v1/ContainerMetadata.js';
import type { ContainerState__Input as _runtime_v1_ContainerState__Input, ContainerState as _runtime_v1_ContainerState } from '../../runtime/v1/ContainerState.js';
import type { ImageSpec__Input as _runtime_v1_ImageSpec__Input, ImageSpec as _runtime_v1_ImageSpec } from '../../runtime/v1/ImageSpec.js';
import type { Mount__Input as _runtime_v1_Mount__Input, Mount as _runtime_v1_Mount } from '../../runtime/v1/Mount.js';
import type { ContainerResources__Input as _runtime_v1_ContainerResources__Input, ContainerResources as _runtime_v1_ContainerResources } from '../../runtime/v1/ContainerResources.js';
import type { Long } from '@grpc/proto-loader';

export interface ContainerStatus__Input {
  'id'?: (string);
  'metadata'?: (_runtime_v1_ContainerMetadata__Input | null);
  'state'?: (_runtime_v1_ContainerState__Input);
  'createdAt'?: (number | string | Long);
  'startedAt'?: (number | string | Long);
  'finishedAt'?: (number | string | Long);
  'exitCode'?: (number);
  'image'?: (_runtime_v1_ImageSpec__Input | null);
  'imageRef'?: (string);
  'reason'?: (string);
  'message'?: (string);
  'labels'?: ({[key: string]: string});
  'annotations'?: ({[key: string]: string});
  'mounts'?: (_runtime_v1_Mount__Input)[];
  'logPath'?: (string);
  'resources'?: (_runtime_v1_ContainerResources__Input | null);
  'imageId'?: (string);
}

export interface ContainerStatus {
  'id': (string);
  'metadata': (_runtime_v1_ContainerMetadata | null);
  'state': (_runtime_v1_ContainerState);
  'createdAt': (number);
  'startedAt': (number);
  'finishedAt': (number);
  'exitCode': (number);
  'image': (_runtime_v1_ImageSpec | null);
  'imageRef': (string);
  'reason': (string);
  'message': (string);
  'labels': ({[key: string]: string});
  'annotations': ({[key: string]: string});
  'mounts': (_runtime_v1_Mount)[];
  'logPath': (string);
  'resources': (_runtime_v1_ContainerResources | null);
  'imageId': (string);
}
