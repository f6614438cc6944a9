// Original file: pkg/cri/api.proto

import type { ContainerMetadata__Input as _runtime_v1_ContainerMetadata__Input, ContainerMetadata as _runtime_v1_ContainerMetadata } from '../../runtime/v1/ContainerMetadata.js';
import type { ImageSpec__Input as _runtime_v1_ImageSpec__Input, ImageSpec as _runtime_v1_ImageSpec } from '../../runtime/v1/ImageSpec.js';
import type { KeyValue__Input as _runtime_v1_KeyValue__Input, KeyValue as _runtime_v1_KeyValue } from '../../runtime/v1/KeyValue.js';
import type { Mount__Input as _runtime_v1_Mount__Input, Mount as _runtime_v1_Mount } from '../../runtime/v1/Mount.js';
import type { Device__Input as _runtime_v1_Device__Input, Device as _runtime_v1_Device } from '../../runtime/v1/Device.js';
import type { LinuxContainerConfig__Input as _runtime_v1_LinuxContainerConfig__Input, LinuxContainerConfig as _runtime_v1_LinuxContainerConfig } from '../../runtime/v1/LinuxContainerConfig.js';

export interface ContainerConfig__Input {
  'metadata'?: (_runtime_v1_ContainerMetadata__Input | null);
  'image'?: (_runtime_v1_ImageSpec__Input | null);
  'command'?: (string)[];
  'args'?: (string)[];
  'workingDir'?: (string);
  'envs'?: (_runtime_v1_KeyValue__Input)[];
  'mounts'?: (_runtime_v1_Mount__Input)[];
  'devices'?: (_runtime_v1_Device__Input)[];
  'labels'?: ({[key: string]: string});
  'annotations'?: ({[key: string]: string});
  'logPath'?: (string);
  'stdin'?: (boolean);
  'stdinOnce'?: (boolean);
  'tty'?: (boolean);
  'linux'?: (_runtime_v1_LinuxContainerConfig__Input | null);
}

export interface ContainerConfig {
  'metadata': (_runtime_v1_ContainerMetadata | null);
  'image': (_runtime_v1_ImageSpec | null);
  'command': (string)[];
  'args': (string)[];
  'workingDir': (string);
  'envs': (_runtime_v1_KeyValue)[];
  'mounts': (_runtime_v1_Mount)[];
  'devices': (_runtime_v1_Device)[];
  'labels': ({[key: string]: string});
  'annotations': ({[key: string]: string});
  'logPath': (string);
  'stdin': (boolean);
  'stdinOnce': (boolean);
  'tty': (boolean);
  'linux': (_runtime_v1_LinuxContainerConfig | null);
}
