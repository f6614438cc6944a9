// Original file: pkg/cri/api.proto

import type { NamespaceOption__Input as _runtime_v1_NamespaceOption__Input, NamespaceOption as _runtime_v1_NamespaceOption } from '../../runtime/v1/NamespaceOption.js';

export interface Namespace__Input {
  'options'?: (_runtime_v1_NamespaceOption__Input | null);
}

export interface Namespace {
  'options': (_runtime_v1_NamespaceOption | null);
}
