// Original file: pkg/cri/api.proto

import type { LinuxSandboxSecurityContext__Input as _runtime_v1_LinuxSandboxSecurityContext__Input, LinuxSandboxSecurityContext as _runtime_v1_LinuxSandboxSecurityContext } from '../../runtime/v1/LinuxSandboxSecurityContext.js';
import type { LinuxContainerResources__Input as _runtime_v1_LinuxContainerResources__Input, LinuxContainerResources as _runtime_v1_LinuxContainerResources } from '../../runtime/v1/LinuxContainerResources.js';

export interface LinuxPodSandboxConfig__Input {
  'cgroupParent'?: (string);
  'securityContext'?: (_runtime_v1_LinuxSandboxSecurityContext__Input | null);
  'sysctls'?: ({[key: string]: string});
  'overhead'?: (_runtime_v1_LinuxContainerResources__Input | null);
  'resources'?: (_runtime_v1_LinuxContainerResources__Input | null);
}

export interface LinuxPodSandboxConfig {
  'cgroupParent': (string);
  'securityContext': (_runtime_v1_LinuxSandboxSecurityContext | null);
  'sysctls': ({[key: string]: string});
  'overhead': (_runtime_v1_LinuxContainerResources | null);
  'resources': (_runtime_v1_LinuxContainerResources | null);
}
