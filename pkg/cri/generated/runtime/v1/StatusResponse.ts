// Original file: pkg/cri/api.proto

import type { RuntimeStatus__Input as _runtime_v1_RuntimeStatus__Input, RuntimeStatus as _runtime_v1_RuntimeStatus } from '../../runtime/v1/RuntimeStatus.js';
import type { RuntimeHandler__Input as _runtime_v1_RuntimeHandler__Input, RuntimeHandler as _runtime_v1_RuntimeHandler } from '../../runtime/v1/RuntimeHandler.js';

export interface StatusResponse__Input {
  'status'?: (_runtime_v1_RuntimeStatus__Input | null);
  'info'?: ({[key: string]: string});
  'runtimeHandlers'?: (_runtime_v1_RuntimeHandler__Input)[];
}

export interface StatusResponse {
  'status': (_runtime_v1_RuntimeStatus | null);
  'info': ({[key: string]: string});
  'runtimeHandlers': (_runtime_v1_RuntimeHandler)[];
}
