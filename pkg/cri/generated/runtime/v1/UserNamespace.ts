// Original file: pkg/cri/api.proto

import type { NamespaceMode__Input as _runtime_v1_NamespaceMode__Input, NamespaceMode as _runtime_v1_NamespaceMode } from '../../runtime/v1/NamespaceMode.js';
import type { IDMapping__Input as _runtime_v1_IDMapping__Input, IDMapping as _runtime_v1_IDMapping } from '../../runtime/v1/IDMapping.js';

export interface UserNamespace__Input {
  'mode'?: (_runtime_v1_NamespaceMode__Input);
  'uids'?: (_runtime_v1_IDMapping__Input)[];
  'gids'?: (_runtime_v1_IDMapping__Input)[];
}

export interface UserNamespace {
  'mode': (_runtime_v1_NamespaceMode);
  'uids': (_runtime_v1_IDMapping)[];
  'gids': (_runtime_v1_IDMapping)[];
}
