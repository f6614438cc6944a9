// Original file: pkg/cri/api.proto

import type { PodSandboxStatus__Input as _runtime_v1_PodSandboxStatus__Input, PodSandboxStatus as _runtime_v1_PodSandboxStatus } from '../../runtime/v1/PodSandboxStatus.js';
import type { ContainerStatus__Input as _runtime_v1_ContainerStatus__Input, ContainerStatus as _runtime_v1_ContainerStatus } from '../../runtime/v1/ContainerStatus.js';
import type { Long } from '@grpc/proto-loader';

export interface PodSandboxStatusResponse__Input {
  'status'?: (_runtime_v1_PodSandboxStatus__Input | null);
  'info'?: ({[key: string]: string});
  'containersStatuses'?: (_runtime_v1_ContainerStatus__Input)[];
  'timestamp'?: (number | string | Long);
}

export interface PodSandboxStatusResponse {
  'status': (_runtime_v1_PodSandboxStatus | null);
  'info': ({[key: string]: string});
  'containersStatuses': (_runtime_v1_ContainerStatus)[];
  'timestamp': (number);
}
