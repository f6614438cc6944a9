// The default roles and bindings in system namespaces, matching upstream's
// plugin/pkg/auth/authorizer/rbac/bootstrappolicy/namespace_policy.go. As with
// the controller roles, the controller-manager's own user is bound wherever
// upstream binds one of its controllers' service accounts.
import type { Role, RoleBinding } from '../../../../api/rbac/v1/types.js';
import { KUBE_CONTROLLER_MANAGER, KUBE_SCHEDULER } from '../../../auth/user.js';
import { CONTROLLER_ROLE_PREFIX } from './controller_policy.js';
import { KUBE_DNS_USER } from './policy.js';
import { READ, eventsRule, role, roleBinding, rule, serviceAccount, user } from './rules.js';

const KUBE_SYSTEM = 'kube-system';
const KUBE_PUBLIC = 'kube-public';
const DNS_PUBLISHER_ROLE = 'system:kube-dns:endpoint-publisher';

export function namespaceRoles(): Role[] {
  return [
    role(KUBE_SYSTEM, 'extension-apiserver-authentication-reader', [
      rule(...READ)
        .groups('')
        .resources('configmaps')
        .names('extension-apiserver-authentication').build,
    ]),
    role(KUBE_SYSTEM, 'system::leader-locking-kube-controller-manager', [
      rule('watch').groups('').resources('configmaps').build,
      rule('get', 'update').groups('').resources('configmaps').names('kube-controller-manager').build,
    ]),
    role(KUBE_SYSTEM, 'system::leader-locking-kube-scheduler', [
      rule('watch').groups('').resources('configmaps').build,
      rule('get', 'update').groups('').resources('configmaps').names('kube-scheduler').build,
    ]),
    // Bootstrap tokens: reading them to sign cluster-info, and removing expired ones.
    role(KUBE_SYSTEM, `${CONTROLLER_ROLE_PREFIX}bootstrap-signer`, [
      rule(...READ)
        .groups('')
        .resources('secrets').build,
    ]),
    role(KUBE_SYSTEM, `${CONTROLLER_ROLE_PREFIX}token-cleaner`, [
      rule('delete', ...READ)
        .groups('')
        .resources('secrets').build,
      eventsRule(),
    ]),
    // The signed cluster-info ConfigMap that joining nodes read.
    role(KUBE_PUBLIC, `${CONTROLLER_ROLE_PREFIX}bootstrap-signer`, [
      rule(...READ)
        .groups('')
        .resources('configmaps').build,
      rule('update').groups('').resources('configmaps').names('cluster-info').build,
      eventsRule(),
    ]),
    // Not upstream's: a DNS server outside a pod keeps the EndpointSlice of its own Service (kube-system/kube-dns).
    role(KUBE_SYSTEM, DNS_PUBLISHER_ROLE, [
      rule('get', 'create', 'update', 'delete').groups('discovery.k8s.io').resources('endpointslices').build,
      rule('get').groups('').resources('services').names('kube-dns').build,
    ]),
  ];
}

export function namespaceRoleBindings(): RoleBinding[] {
  const kcm = user(KUBE_CONTROLLER_MANAGER);
  return [
    roleBinding(KUBE_SYSTEM, 'extension-apiserver-authentication-reader', [kcm, user(KUBE_SCHEDULER)], 'system::extension-apiserver-authentication-reader'),
    roleBinding(KUBE_SYSTEM, 'system::leader-locking-kube-controller-manager', [kcm, serviceAccount(KUBE_SYSTEM, 'kube-controller-manager')]),
    roleBinding(KUBE_SYSTEM, 'system::leader-locking-kube-scheduler', [user(KUBE_SCHEDULER), serviceAccount(KUBE_SYSTEM, 'kube-scheduler')]),
    roleBinding(KUBE_SYSTEM, `${CONTROLLER_ROLE_PREFIX}bootstrap-signer`, [serviceAccount(KUBE_SYSTEM, 'bootstrap-signer'), kcm]),
    roleBinding(KUBE_SYSTEM, `${CONTROLLER_ROLE_PREFIX}token-cleaner`, [serviceAccount(KUBE_SYSTEM, 'token-cleaner'), kcm]),
    roleBinding(KUBE_PUBLIC, `${CONTROLLER_ROLE_PREFIX}bootstrap-signer`, [serviceAccount(KUBE_SYSTEM, 'bootstrap-signer'), kcm]),
    roleBinding(KUBE_SYSTEM, DNS_PUBLISHER_ROLE, [serviceAccount(KUBE_SYSTEM, 'kube-dns'), user(KUBE_DNS_USER)]),
  ];
}
