// Original file: pkg/cri/api.proto

import type { LinuxContainerResources__Input as _runtime_v1_LinuxContainerResources__Input, LinuxContainerResources as _runtime_v1_LinuxContainerResources } from '../../runtime/v1/LinuxContainerResources.js';

export interface UpdateContainerResourcesRequest__Input {
  'containerId'?: (string);
  'linux'?: (_runtime_v1_LinuxContainerResources__Input | null);
  'annotations'?: ({[key: string]: string});
}

export interface UpdateContainerResourcesRequest {
  'containerId': (string);
  'linux': (_runtime_v1_LinuxContainerResources | null);
  'annotations': ({[key: string]: string});
}
