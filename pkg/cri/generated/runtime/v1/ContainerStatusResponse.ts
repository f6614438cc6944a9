// Original file: pkg/cri/api.proto

import type { ContainerStatus__Input as _runtime_v1_ContainerStatus__Input, ContainerStatus as _runtime_v1_ContainerStatus } from '../../runtime/v1/ContainerStatus.js';

export interface ContainerStatusResponse__Input {
  'status'?: (_runtime_v1_ContainerStatus__Input | null);
  'info'?: ({[key: string]: string});
}

export interface ContainerStatusResponse {
  'status': (_runtime_v1_ContainerStatus | null);
  'info': ({[key: string]: string});
}
