// Defaulting for rbac.authorization.k8s.io/v1 (SetDefaults_Subject).
import type { KubeObject } from '../../meta/v1/types.js';
import { objs } from '../../validation/field.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export function setDefaultsRoleBinding(binding: KubeObject): void {
  for (const s of objs(binding, 'subjects')) {
    if (s.apiGroup !== undefined && s.apiGroup !== '') continue;
    if (s.kind === 'ServiceAccount') s.apiGroup = '';
    else if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
  }
}
