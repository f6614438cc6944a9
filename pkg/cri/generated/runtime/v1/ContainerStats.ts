// Original file: pkg/cri/api.proto

import type { ContainerAttributes__Input as _runtime_v1_ContainerAttributes__Input, ContainerAttributes as _runtime_v1_ContainerAttributes } from '../../runtime/v1/ContainerAttributes.js';
import type { CpuUsage__Input as _runtime_v1_CpuUsage__Input, CpuUsage as _runtime_v1_CpuUsage } from '../../runtime/v1/CpuUsage.js';
import type { MemoryUsage__Input as _runtime_v1_MemoryUsage__Input, MemoryUsage as _runtime_v1_MemoryUsage } from '../../runtime/v1/MemoryUsage.js';
import type { FilesystemUsage__Input as _runtime_v1_FilesystemUsage__Input, FilesystemUsage as _runtime_v1_FilesystemUsage } from '../../runtime/v1/FilesystemUsage.js';
import type { SwapUsage__Input as _runtime_v1_SwapUsage__Input, SwapUsage as _runtime_v1_SwapUsage } from '../../runtime/v1/SwapUsage.js';

export interface ContainerStats__Input {
  'attributes'?: (_runtime_v1_ContainerAttributes__Input | null);
  'cpu'?: (_runtime_v1_CpuUsage__Input | null);
  'memory'?: (_runtime_v1_MemoryUsage__Input | null);
  'writableLayer'?: (_runtime_v1_FilesystemUsage__Input | null);
  'swap'?: (_runtime_v1_SwapUsage__Input | null);
}

export interface ContainerStats {
  'attributes': (_runtime_v1_ContainerAttributes | null);
  'cpu': (_runtime_v1_CpuUsage | null);
  'memory': (_runtime_v1_MemoryUsage | null);
  'writableLayer': (_runtime_v1_FilesystemUsage | null);
  'swap': (_runtime_v1_SwapUsage | null);
}
