// Original file: pkg/cri/api.proto

import type { PodSandboxMetadata__Input as _runtime_v1_PodSandboxMetadata__Input, PodSandboxMetadata as _runtime_v1_PodSandboxMetadata } from '../../runtime/v1/PodSandboxMetadata.js';
import type { PodSandboxState__Input as _runtime_v1_PodSandboxState__Input, PodSandboxState as _runtime_v1_PodSandboxState } from '../../runtime/v1/PodSandboxState.js';
import type { PodSandboxNetworkStatus__Input as _runtime_v1_PodSandboxNetworkStatus__Input, PodSandboxNetworkStatus as _runtime_v1_PodSandboxNetworkStatus } from '../../runtime/v1/PodSandboxNetworkStatus.js';
import type { LinuxPodSandboxStatus__Input as _runtime_v1_LinuxPodSandboxStatus__Input, LinuxPodSandboxStatus as _runtime_v1_LinuxPodSandboxStatus } from '../../runtime/v1/LinuxPodSandboxStatus.js';
import type { Long } from '@grpc/proto-loader';

export interface PodSandboxStatus__Input {
  'id'?: (string);
  'metadata'?: (_runtime_v1_PodSandboxMetadata__Input | null);
  'state'?: (_runtime_v1_PodSandboxState__Input);
  'createdAt'?: (number | string | Long);
  'network'?: (_runtime_v1_PodSandboxNetworkStatus__Input | null);
  'linux'?: (_runtime_v1_LinuxPodSandboxStatus__Input | null);
  'labels'?: ({[key: string]: string});
  'annotations'?: ({[key: string]: string});
  'runtimeHandler'?: (string);
}

export interface PodSandboxStatus {
  'id': (string);
  'metadata': (_runtime_v1_PodSandboxMetadata | null);
  'state': (_runtime_v1_PodSandboxState);
  'createdAt': (number);
  'network': (_runtime_v1_PodSandboxNetworkStatus | null);
  'linux': (_runtime_v1_LinuxPodSandboxStatus | null);
  'labels': ({[key: string]: string});
  'annotations': ({[key: string]: string});
  'runtimeHandler': (string);
}
