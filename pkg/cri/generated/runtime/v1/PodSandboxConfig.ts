// Original file: pkg/cri/api.proto

import type { PodSandboxMetadata__Input as _runtime_v1_PodSandboxMetadata__Input, PodSandboxMetadata as _runtime_v1_PodSandboxMetadata } from '../../runtime/v1/PodSandboxMetadata.js';
import type { DNSConfig__Input as _runtime_v1_DNSConfig__Input, DNSConfig as _runtime_v1_DNSConfig } from '../../runtime/v1/DNSConfig.js';
import type { PortMapping__Input as _runtime_v1_PortMapping__Input, PortMapping as _runtime_v1_PortMapping } from '../../runtime/v1/PortMapping.js';
import type { LinuxPodSandboxConfig__Input as _runtime_v1_LinuxPodSandboxConfig__Input, LinuxPodSandboxConfig as _runtime_v1_LinuxPodSandboxConfig } from '../../runtime/v1/LinuxPodSandboxConfig.js';

export interface PodSandboxConfig__Input {
  'metadata'?: (_runtime_v1_PodSandboxMetadata__Input | null);
  'hostname'?: (string);
  'logDirectory'?: (string);
  'dnsConfig'?: (_runtime_v1_DNSConfig__Input | null);
  'portMappings'?: (_runtime_v1_PortMapping__Input)[];
  'labels'?: ({[key: string]: string});
  'annotations'?: ({[key: string]: string});
  'linux'?: (_runtime_v1_LinuxPodSandboxConfig__Input | null);
}

export interface PodSandboxConfig {
  'metadata': (_runtime_v1_PodSandboxMetadata | null);
  'hostname': (string);
  'logDirectory': (string);
  'dnsConfig': (_runtime_v1_DNSConfig | null);
  'portMappings': (_runtime_v1_PortMapping)[];
  'labels': ({[key: string]: string});
  'annotations': ({[key: string]: string});
  'linux': (_runtime_v1_LinuxPodSandboxConfig | null);
}
