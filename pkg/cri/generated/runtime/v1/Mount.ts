// Original file: pkg/cri/api.proto

import type { MountPropagation__Input as _runtime_v1_MountPropagation__Input, MountPropagation as _runtime_v1_MountPropagation } from '../../runtime/v1/MountPropagation.js';
import type { IDMapping__Input as _runtime_v1_IDMapping__Input, IDMapping as _runtime_v1_IDMapping } from '../../runtime/v1/IDMapping.js';

export interface Mount__Input {
  'containerPath'?: (string);
  'hostPath'?: (string);
  'readonly'?: (boolean);
  'selinuxRelabel'?: (boolean);
  'propagation'?: (_runtime_v1_MountPropagation__Input);
  'uidMappings'?: (_runtime_v1_IDMapping__Input)[];
  'gidMappings'?: (_runtime_v1_IDMapping__Input)[];
  'recursiveReadOnly'?: (boolean);
}

export interface Mount {
  'containerPath': (string);
  'hostPath': (string);
  'readonly': (boolean);
  'selinuxRelabel': (boolean);
  'propagation': (_runtime_v1_MountPropagation);
  'uidMappings': (_runtime_v1_IDMapping)[];
  'gidMappings': (_runtime_v1_IDMapping)[];
  'recursiveReadOnly': (boolean);
}
