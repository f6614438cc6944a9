// Original file: pkg/cri/api.proto

import type { LinuxContainerResources__Input as _runtime_v1_LinuxContainerResources__Input, LinuxContainerResources as _runtime_v1_LinuxContainerResources } from '../../runtime/v1/LinuxContainerResources.js';

export interface ContainerResources__Input {
  'linux'?: (_runtime_v1_LinuxContainerResources__Input | null);
}

export interface ContainerResources {
  'linux': (_runtime_v1_LinuxContainerResources | null);
}
