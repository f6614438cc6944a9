// Original file: pkg/cri/api.proto

import type { Protocol__Input as _runtime_v1_Protocol__Input, Protocol as _runtime_v1_Protocol } from '../../runtime/v1/Protocol.js';

export interface PortMapping__Input {
  'protocol'?: (_runtime_v1_Protocol__Input);
  'containerPort'?: (number);
  'hostPort'?: (number);
  'hostIp'?: (string);
}

export interface PortMapping {
  'protocol': (_runtime_v1_Protocol);
  'containerPort': (number);
  'hostPort': (number);
  'hostIp': (string);
}
