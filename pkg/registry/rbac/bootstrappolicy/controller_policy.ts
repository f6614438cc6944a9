// The roles of the controllers this project's controller-manager runs, matching
// upstream's plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go:
// system:controller:<name>, bound to the kube-system service account of that name.
// The controller-manager runs every controller under its own identity
// (kube-controller-manager's --use-service-account-credentials=false), so each
// binding names that user as well: it holds the union of its controllers' roles
// and no more.
import type { ClusterRole, ClusterRoleBinding, PolicyRule } from '../../../../api/rbac/v1/types.js';
import { KUBE_CONTROLLER_MANAGER } from '../../../auth/user.js';
import { READ, clusterRole, clusterRoleBinding, eventsRule, rule, serviceAccount, user } from './rules.js';

export const CONTROLLER_ROLE_PREFIX = 'system:controller:';

const CONTROLLER_ROLES: Array<[string, PolicyRule[]]> = [
  [
    'clusterrole-aggregation-controller',
    // Escalate: it writes into admin, edit and view rules it does not hold.
    [rule('escalate', 'get', 'list', 'watch', 'update', 'patch').groups('rbac.authorization.k8s.io').resources('clusterroles').build],
  ],
  [
    // csrsigning and csrapproving.
    'certificate-controller',
    [
      rule('get', 'list', 'watch', 'delete').groups('certificates.k8s.io').resources('certificatesigningrequests').build,
      rule('update').groups('certificates.k8s.io').resources('certificatesigningrequests/status', 'certificatesigningrequests/approval').build,
      rule('approve').groups('certificates.k8s.io').resources('signers').names('kubernetes.io/kube-apiserver-client-kubelet').build,
      rule('sign')
        .groups('certificates.k8s.io')
        .resources('signers')
        .names(
          'kubernetes.io/legacy-unknown',
          'kubernetes.io/kube-apiserver-client',
          'kubernetes.io/kube-apiserver-client-kubelet',
          'kubernetes.io/kubelet-serving',
        ).build,
      rule('create').groups('authorization.k8s.io').resources('subjectaccessreviews').build,
      eventsRule(),
    ],
  ],
  [
    'cronjob-controller',
    [
      rule('get', 'list', 'watch', 'update').groups('batch').resources('cronjobs').build,
      rule('get', 'list', 'watch', 'create', 'update', 'delete', 'patch').groups('batch').resources('jobs').build,
      rule('update').groups('batch').resources('cronjobs/status').build,
      rule('update').groups('batch').resources('cronjobs/finalizers').build,
      rule('list', 'watch', 'delete').groups('').resources('pods').build,
      eventsRule(),
    ],
  ],
  [
    'daemon-set-controller',
    [
      rule(...READ)
        .groups('apps', 'extensions')
        .resources('daemonsets').build,
      rule('update').groups('apps', 'extensions').resources('daemonsets/status').build,
      rule('update').groups('apps', 'extensions').resources('daemonsets/finalizers').build,
      rule('list', 'watch').groups('').resources('nodes').build,
      rule('list', 'watch', 'create', 'delete', 'patch').groups('').resources('pods').build,
      rule('create').groups('').resources('pods/binding').build,
      rule('get', 'list', 'watch', 'create', 'delete', 'update', 'patch').groups('apps').resources('controllerrevisions').build,
      eventsRule(),
    ],
  ],
  [
    'deployment-controller',
    [
      rule('get', 'list', 'watch', 'update').groups('apps', 'extensions').resources('deployments').build,
      rule('update').groups('apps', 'extensions').resources('deployments/status').build,
      rule('update').groups('apps', 'extensions').resources('deployments/finalizers').build,
      rule('get', 'list', 'watch', 'create', 'update', 'patch', 'delete').groups('apps', 'extensions').resources('replicasets').build,
      // Pods are read to learn whether old ones are gone; update is for the adoption and release of pods.
      rule('get', 'list', 'watch', 'update').groups('').resources('pods').build,
      eventsRule(),
    ],
  ],
  [
    'disruption-controller',
    [
      rule(...READ)
        .groups('apps', 'extensions')
        .resources('deployments').build,
      rule(...READ)
        .groups('apps', 'extensions')
        .resources('replicasets').build,
      rule(...READ)
        .groups('')
        .resources('replicationcontrollers').build,
      rule(...READ)
        .groups('policy')
        .resources('poddisruptionbudgets').build,
      rule(...READ)
        .groups('apps')
        .resources('statefulsets').build,
      rule('update').groups('policy').resources('poddisruptionbudgets/status').build,
      rule('patch', 'update').groups('').resources('pods/status').build,
      rule('get').groups('*').resources('*/scale').build,
      eventsRule(),
    ],
  ],
  [
    'endpoint-controller',
    [
      rule(...READ)
        .groups('')
        .resources('services', 'pods').build,
      rule('get', 'list', 'create', 'update', 'delete').groups('').resources('endpoints').build,
      rule('create').groups('').resources('endpoints/restricted').build,
      eventsRule(),
    ],
  ],
  [
    'endpointslice-controller',
    [
      rule(...READ)
        .groups('')
        .resources('services', 'pods', 'nodes').build,
      rule('update').groups('').resources('services/finalizers').build,
      rule('get', 'list', 'create', 'update', 'delete').groups('discovery.k8s.io').resources('endpointslices').build,
      eventsRule(),
    ],
  ],
  [
    'generic-garbage-collector',
    // It deletes and patches (owner references, finalizers) anything with owners.
    [rule('get', 'list', 'watch', 'patch', 'update', 'delete').groups('*').resources('*').build, eventsRule()],
  ],
  [
    'horizontal-pod-autoscaler',
    [
      rule(...READ)
        .groups('autoscaling')
        .resources('horizontalpodautoscalers').build,
      rule('update').groups('autoscaling').resources('horizontalpodautoscalers/status').build,
      rule('get', 'update').groups('*').resources('*/scale').build,
      rule('list', 'watch').groups('').resources('pods').build,
      // Resource metrics through the metrics API.
      rule('list', 'watch').groups('metrics.k8s.io').resources('pods').build,
      rule(...READ)
        .groups('custom.metrics.k8s.io')
        .resources('*').build,
      rule(...READ)
        .groups('external.metrics.k8s.io')
        .resources('*').build,
      eventsRule(),
    ],
  ],
  [
    'job-controller',
    [
      rule('get', 'list', 'watch', 'update', 'patch').groups('batch').resources('jobs').build,
      rule('update').groups('batch').resources('jobs/status').build,
      rule('update').groups('batch').resources('jobs/finalizers').build,
      rule('list', 'watch', 'create', 'delete', 'patch').groups('').resources('pods').build,
      eventsRule(),
    ],
  ],
  [
    'namespace-controller',
    [
      rule('get', 'list', 'watch', 'delete').groups('').resources('namespaces').build,
      rule('update').groups('').resources('namespaces/finalize', 'namespaces/status').build,
      rule('get', 'list', 'watch', 'delete', 'deletecollection').groups('*').resources('*').build,
    ],
  ],
  [
    // The node lifecycle controller: node health, and (upstream) pod status and deletion on lost nodes.
    'node-controller',
    [
      rule('get', 'list', 'update', 'delete', 'patch').groups('').resources('nodes').build,
      rule('patch', 'update').groups('').resources('nodes/status').build,
      rule('patch', 'update').groups('').resources('pods/status').build,
      rule('list', 'delete').groups('').resources('pods').build,
      eventsRule(),
    ],
  ],
  [
    'persistent-volume-binder',
    [
      rule('get', 'list', 'watch', 'update', 'create', 'delete').groups('').resources('persistentvolumes').build,
      rule('update').groups('').resources('persistentvolumes/status').build,
      rule('get', 'list', 'watch', 'update').groups('').resources('persistentvolumeclaims').build,
      rule('update').groups('').resources('persistentvolumeclaims/status').build,
      rule('get', 'list', 'watch', 'create', 'delete').groups('').resources('pods').build,
      rule(...READ)
        .groups('storage.k8s.io')
        .resources('storageclasses').build,
      rule('list', 'watch').groups('').resources('nodes').build,
      rule('watch').groups('').resources('events').build,
      eventsRule(),
    ],
  ],
  [
    'replicaset-controller',
    [
      rule('get', 'list', 'watch', 'update').groups('apps', 'extensions').resources('replicasets').build,
      rule('update').groups('apps', 'extensions').resources('replicasets/status').build,
      rule('update').groups('apps', 'extensions').resources('replicasets/finalizers').build,
      rule('list', 'watch', 'patch', 'create', 'delete').groups('').resources('pods').build,
      eventsRule(),
    ],
  ],
  ['root-ca-cert-publisher', [rule('create', 'update').groups('').resources('configmaps').build, eventsRule()]],
  ['service-account-controller', [rule('create').groups('').resources('serviceaccounts').build, eventsRule()]],
  [
    'statefulset-controller',
    [
      rule('list', 'watch').groups('').resources('pods').build,
      rule(...READ)
        .groups('apps')
        .resources('statefulsets').build,
      rule('update').groups('apps').resources('statefulsets/status').build,
      rule('update').groups('apps').resources('statefulsets/finalizers').build,
      rule('get', 'create', 'delete', 'update', 'patch').groups('').resources('pods').build,
      rule('get', 'list', 'watch', 'create', 'delete', 'update', 'patch').groups('apps').resources('controllerrevisions').build,
      rule('get', 'list', 'watch', 'create').groups('').resources('persistentvolumeclaims').build,
      rule('update', 'delete').groups('').resources('persistentvolumeclaims').build,
      rule('update').groups('').resources('pods/finalizers').build,
      eventsRule(),
    ],
  ],
  [
    'resourcequota-controller',
    // Quota counts anything for reconciliation, so it needs full viewing powers.
    [rule('list', 'watch').groups('*').resources('*').build, rule('update').groups('').resources('resourcequotas/status').build, eventsRule()],
  ],
  [
    'service-lb-controller',
    [
      rule(...READ)
        .groups('')
        .resources('services').build,
      rule('update', 'patch').groups('').resources('services/status').build,
      rule('list', 'watch').groups('').resources('nodes').build,
      eventsRule(),
    ],
  ],
  ['ttl-after-finished-controller', [rule('get', 'list', 'watch', 'delete').groups('batch').resources('jobs').build, eventsRule()]],
  [
    // Not upstream's: the local-path provisioner (a dynamic provisioner for the `local-path` StorageClass) runs in this
    // controller-manager. It makes its StorageClass, and creates, finalizes and deletes the volumes it provisions.
    'local-path-provisioner',
    [
      rule('get', 'list', 'watch', 'create').groups('storage.k8s.io').resources('storageclasses').build,
      rule('get', 'list', 'watch', 'create', 'update', 'patch', 'delete').groups('').resources('persistentvolumes').build,
      rule('get', 'list', 'watch', 'update').groups('').resources('persistentvolumeclaims').build,
      rule(...READ)
        .groups('')
        .resources('nodes').build,
      eventsRule(),
    ],
  ],
];

export function controllerRoles(): ClusterRole[] {
  return CONTROLLER_ROLES.map(([name, rules]) => clusterRole(CONTROLLER_ROLE_PREFIX + name, rules));
}

export function controllerRoleBindings(): ClusterRoleBinding[] {
  return CONTROLLER_ROLES.map(([name]) =>
    clusterRoleBinding(CONTROLLER_ROLE_PREFIX + name, [serviceAccount('kube-system', name), user(KUBE_CONTROLLER_MANAGER)]),
  );
}
