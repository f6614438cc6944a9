// Original file: pkg/cri/api.proto

import type { NamespaceOption__Input as _runtime_v1_NamespaceOption__Input, NamespaceOption as _runtime_v1_NamespaceOption } from '../../runtime/v1/NamespaceOption.js';
import type { SELinuxOption__Input as _runtime_v1_SELinuxOption__Input, SELinuxOption as _runtime_v1_SELinuxOption } from '../../runtime/v1/SELinuxOption.js';
import type { Int64Value__Input as _runtime_v1_Int64Value__Input, Int64Value as _runtime_v1_Int64Value } from '../../runtime/v1/Int64Value.js';
import type { SecurityProfile__Input as _runtime_v1_SecurityProfile__Input, SecurityProfile as _runtime_v1_SecurityProfile } from '../../runtime/v1/SecurityProfile.js';
import type { Long } from '@grpc/proto-loader';

export interface LinuxSandboxSecurityContext__Input {
  'namespaceOptions'?: (_runtime_v1_NamespaceOption__Input | null);
  'selinuxOptions'?: (_runtime_v1_SELinuxOption__Input | null);
  'runAsUser'?: (_runtime_v1_Int64Value__Input | null);
  'readonlyRootfs'?: (boolean);
  'supplementalGroups'?: (number | string | Long)[];
  'privileged'?: (boolean);
  'runAsGroup'?: (_runtime_v1_Int64Value__Input | null);
  'seccomp'?: (_runtime_v1_SecurityProfile__Input | null);
  'apparmor'?: (_runtime_v1_SecurityProfile__Input | null);
}

export interface LinuxSandboxSecurityContext {
  'namespaceOptions': (_runtime_v1_NamespaceOption | null);
  'selinuxOptions': (_runtime_v1_SELinuxOption | null);
  'runAsUser': (_runtime_v1_Int64Value | null);
  'readonlyRootfs': (boolean);
  'supplementalGroups': (number)[];
  'privileged': (boolean);
  'runAsGroup': (_runtime_v1_Int64Value | null);
  'seccomp': (_runtime_v1_SecurityProfile | null);
  'apparmor': (_runtime_v1_SecurityProfile | null);
}
