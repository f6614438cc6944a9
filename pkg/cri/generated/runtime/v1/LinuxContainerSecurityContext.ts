// Original file: pkg/cri/api.proto

import type { Capability__Input as _runtime_v1_Capability__Input, Capability as _runtime_v1_Capability } from '../../runtime/v1/Capability.js';
import type { NamespaceOption__Input as _runtime_v1_NamespaceOption__Input, NamespaceOption as _runtime_v1_NamespaceOption } from '../../runtime/v1/NamespaceOption.js';
import type { SELinuxOption__Input as _runtime_v1_SELinuxOption__Input, SELinuxOption as _runtime_v1_SELinuxOption } from '../../runtime/v1/SELinuxOption.js';
import type { Int64Value__Input as _runtime_v1_Int64Value__Input, Int64Value as _runtime_v1_Int64Value } from '../../runtime/v1/Int64Value.js';
import type { SecurityProfile__Input as _runtime_v1_SecurityProfile__Input, SecurityProfile as _runtime_v1_SecurityProfile } from '../../runtime/v1/SecurityProfile.js';
import type { Long } from '@grpc/proto-loader';

export interface LinuxContainerSecurityContext__Input {
  'capabilities'?: (_runtime_v1_Capability__Input | null);
  'privileged'?: (boolean);
  'namespaceOptions'?: (_runtime_v1_NamespaceOption__Input | null);
  'selinuxOptions'?: (_runtime_v1_SELinuxOption__Input | null);
  'runAsUser'?: (_runtime_v1_Int64Value__Input | null);
  'runAsUsername'?: (string);
  'readonlyRootfs'?: (boolean);
  'supplementalGroups'?: (number | string | Long)[];
  'noNewPrivs'?: (boolean);
  'runAsGroup'?: (_runtime_v1_Int64Value__Input | null);
  'maskedPaths'?: (string)[];
  'readonlyPaths'?: (string)[];
  'seccomp'?: (_runtime_v1_SecurityProfile__Input | null);
  'apparmor'?: (_runtime_v1_SecurityProfile__Input | null);
}

export interface LinuxContainerSecurityContext {
  'capabilities': (_runtime_v1_Capability | null);
  'privileged': (boolean);
  'namespaceOptions': (_runtime_v1_NamespaceOption | null);
  'selinuxOptions': (_runtime_v1_SELinuxOption | null);
  'runAsUser': (_runtime_v1_Int64Value | null);
  'runAsUsername': (string);
  'readonlyRootfs': (boolean);
  'supplementalGroups': (number)[];
  'noNewPrivs': (boolean);
  'runAsGroup': (_runtime_v1_Int64Value | null);
  'maskedPaths': (string)[];
  'readonlyPaths': (string)[];
  'seccomp': (_runtime_v1_SecurityProfile | null);
  'apparmor': (_runtime_v1_SecurityProfile | null);
}
