// Original file: pkg/cri/api.proto

import type { Container__Input as _runtime_v1_Container__Input, Container as _runtime_v1_Container } from '../../runtime/v1/Container.js';

export interface ListContainersResponse__Input {
  'containers'?: (_runtime_v1_Container__Input)[];
}

export interface ListContainersResponse {
  'containers': (_runtime_v1_Container)[];
}
