// Original file: pkg/cri/api.proto

import type { PodSandboxMetadata__Input as _runtime_v1_PodSandboxMetadata__Input, PodSandboxMetadata as _runtime_v1_PodSandboxMetadata } from '../../runtime/v1/PodSandboxMetadata.js';
import type { PodSandboxState__Input as _runtime_v1_PodSandboxState__Input, PodSandboxState as _runtime_v1_PodSandboxState } from '../../runtime/v1/PodSandboxState.js';
import type { Long } from '@grpc/proto-loader';

export interface PodSandbox__Input {
  'id'?: (string);
  'metadata'?: (_runtime_v1_PodSandboxMetadata__Input | null);
  'state'?: (_runtime_v1_PodSandboxState__Input);
  'createdAt'?: (number | string | Long);
  'labels'?: ({[key: string]: string});
  'annotations'?: ({[key: string]: string});
  'runtimeHandler'?: (string);
}

export interface PodSandbox {
  'id': (string);
  'metadata': (_runtime_v1_PodSandboxMetadata | null);
  'state': (_runtime_v1_PodSandboxState);
  'createdAt': (number);
  'labels': ({[key: string]: string});
  'annotations': ({[key: string]: string});
  'runtimeHandler': (string);
}
