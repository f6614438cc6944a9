// Original file: pkg/cri/api.proto

import type { LinuxContainerResources__Input as _runtime_v1_LinuxContainerResources__Input, LinuxContainerResources as _runtime_v1_LinuxContainerResources } from '../../runtime/v1/LinuxContainerResources.js';
import type { LinuxContainerSecurityContext__Input as _runtime_v1_LinuxContainerSecurityContext__Input, LinuxContainerSecurityContext as _runtime_v1_LinuxContainerSecurityContext } from '../../runtime/v1/LinuxContainerSecurityContext.js';

export interface LinuxContainerConfig__Input {
  'resources'?: (_runtime_v1_LinuxContainerResources__Input | null);
  'securityContext'?: (_runtime_v1_LinuxContainerSecurityContext__Input | null);
}

export interface LinuxContainerConfig {
  'resources': (_runtime_v1_LinuxContainerResources | null);
  'securityContext': (_runtime_v1_LinuxContainerSecurityContext | null);
}
