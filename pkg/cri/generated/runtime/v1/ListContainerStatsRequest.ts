// Original file: pkg/cri/api.proto

import type { ContainerStatsFilter__Input as _runtime_v1_ContainerStatsFilter__Input, ContainerStatsFilter as _runtime_v1_ContainerStatsFilter } from '../../runtime/v1/ContainerStatsFilter.js';

export interface ListContainerStatsRequest__Input {
  'filter'?: (_runtime_v1_ContainerStatsFilter__Input | null);
}

export interface ListContainerStatsRequest {
  'filter': (_runtime_v1_ContainerStatsFilter | null);
}
