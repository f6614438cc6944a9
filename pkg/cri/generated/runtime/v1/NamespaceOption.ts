// Original file: pkg/cri/api.proto

import type { NamespaceMode__Input as _runtime_v1_NamespaceMode__Input, NamespaceMode as _runtime_v1_NamespaceMode } from '../../runtime/v1/NamespaceMode.js';
import type { UserNamespace__Input as _runtime_v1_UserNamespace__Input, UserNamespace as _runtime_v1_UserNamespace } from '../../runtime/v1/UserNamespace.js';

export interface NamespaceOption__Input {
  'network'?: (_runtime_v1_NamespaceMode__Input);
  'pid'?: (_runtime_v1_NamespaceMode__Input);
  'ipc'?: (_runtime_v1_NamespaceMode__Input);
  'targetId'?: (string);
  'usernsOptions'?: (_runtime_v1_UserNamespace__Input | null);
}

export interface NamespaceOption {
  'network': (_runtime_v1_NamespaceMode);
  'pid': (_runtime_v1_NamespaceMode);
  'ipc': (_runtime_v1_NamespaceMode);
  'targetId': (string);
  'usernsOptions': (_runtime_v1_UserNamespace | null);
}
