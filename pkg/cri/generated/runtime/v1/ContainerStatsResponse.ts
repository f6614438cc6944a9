// Original file: pkg/cri/api.proto

import type { ContainerStats__Input as _runtime_v1_ContainerStats__Input, ContainerStats as _runtime_v1_ContainerStats } from '../../runtime/v1/ContainerStats.js';

export interface ContainerStatsResponse__Input {
  'stats'?: (_runtime_v1_ContainerStats__Input | null);
}

export interface ContainerStatsResponse {
  'stats': (_runtime_v1_ContainerStats | null);
}
