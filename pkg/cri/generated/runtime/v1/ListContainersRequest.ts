// Original file: pkg/cri/api.proto

import type { ContainerFilter__Input as _runtime_v1_ContainerFilter__Input, ContainerFilter as _runtime_v1_ContainerFilter } from '../../runtime/v1/ContainerFilter.js';

export interface ListContainersRequest__Input {
  'filter'?: (_runtime_v1_ContainerFilter__Input | null);
}

export interface ListContainersRequest {
  'filter': (_runtime_v1_ContainerFilter | null);
}
