// The default cluster roles and bindings every cluster starts with, matching
// upstream's plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go (the rules
// as its testdata renders them). Where this project's components need more than
// their upstream counterparts, the difference is marked.
import type { ClusterRole, ClusterRoleBinding } from '../../../../api/rbac/v1/types.js';
import {
  ALL_AUTHENTICATED,
  ALL_UNAUTHENTICATED,
  BOOTSTRAPPERS_GROUP,
  KUBE_CONTROLLER_MANAGER,
  KUBE_PROXY,
  KUBE_SCHEDULER,
  NODES_GROUP,
  SYSTEM_PRIVILEGED_GROUP,
} from '../../../auth/user.js';
import { READ, READ_WRITE, WRITE, clusterRole, clusterRoleBinding, eventsRule, group, rule, serviceAccount, user } from './rules.js';

export const AGGREGATE_TO_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
export const AGGREGATE_TO_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
export const AGGREGATE_TO_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

/** The DNS server's identity: upstream binds the kube-dns service account; a DNS server outside a pod uses this user. */
export const KUBE_DNS_USER = 'system:kube-dns';
export const MONITORING_GROUP = 'system:monitoring';

/** What the Node authorizer grants every node outside its graph checks (the system:node role). */
export function nodeRules() {
  return [
    // Checks of API access; these creates change nothing.
    rule('create').groups('authentication.k8s.io').resources('tokenreviews').build,
    rule('create').groups('authorization.k8s.io').resources('subjectaccessreviews', 'localsubjectaccessreviews').build,
    // Services, for the service environment variables of pods.
    rule(...READ)
      .groups('')
      .resources('services').build,
    // Nodes register themselves and report their status; NodeRestriction keeps each to its own.
    rule('create', 'get', 'list', 'watch').groups('').resources('nodes').build,
    rule('update', 'patch').groups('').resources('nodes/status').build,
    rule('update', 'patch').groups('').resources('nodes').build,
    rule('create', 'update', 'patch').groups('').resources('events').build,
    rule(...READ)
      .groups('')
      .resources('pods').build,
    // Mirror pods of static pods.
    rule('create', 'delete').groups('').resources('pods').build,
    rule('update', 'patch').groups('').resources('pods/status').build,
    rule('create').groups('').resources('pods/eviction').build,
    // The Node authorizer narrows these to objects its pods use.
    rule(...READ)
      .groups('')
      .resources('configmaps', 'secrets').build,
    rule('get').groups('').resources('persistentvolumeclaims', 'persistentvolumes').build,
    rule('get').groups('').resources('endpoints').build,
    rule('create', 'get', 'list', 'watch').groups('certificates.k8s.io').resources('certificatesigningrequests').build,
    rule('get', 'create', 'update', 'patch', 'delete').groups('coordination.k8s.io').resources('leases').build,
    rule('get').groups('storage.k8s.io').resources('volumeattachments').build,
    rule('create').groups('').resources('serviceaccounts/token').build,
    rule('get', 'update', 'patch').groups('').resources('persistentvolumeclaims/status').build,
    rule(...READ)
      .groups('storage.k8s.io')
      .resources('csidrivers').build,
    rule('get', 'create', 'update', 'patch', 'delete').groups('storage.k8s.io').resources('csinodes').build,
    rule(...READ)
      .groups('node.k8s.io')
      .resources('runtimeclasses').build,
  ];
}

export function clusterRoles(): ClusterRole[] {
  return [
    // Anything at all.
    clusterRole('cluster-admin', [rule('*').groups('*').resources('*').build, rule('*').urls('*').build]),
    // Enough to discover API versions for negotiation.
    clusterRole('system:discovery', [
      rule('get').urls('/livez', '/readyz', '/healthz', '/version', '/version/', '/openapi', '/openapi/*', '/api', '/api/*', '/apis', '/apis/*').build,
    ]),
    // Health and version, for anyone including anonymous users.
    clusterRole('system:public-info-viewer', [rule('get').urls('/livez', '/readyz', '/healthz', '/version', '/version/').build]),
    // What a user may learn about themselves.
    clusterRole('system:basic-user', [
      rule('create').groups('authorization.k8s.io').resources('selfsubjectaccessreviews', 'selfsubjectrulesreviews').build,
      rule('create').groups('authentication.k8s.io').resources('selfsubjectreviews').build,
    ]),
    // The user-facing roles: filled by the clusterrole-aggregation controller from the roles labelled for them.
    clusterRole('admin', [], { aggregateFrom: AGGREGATE_TO_ADMIN }),
    clusterRole('edit', [], { aggregateFrom: AGGREGATE_TO_EDIT, labels: { [AGGREGATE_TO_ADMIN]: 'true' } }),
    clusterRole('view', [], { aggregateFrom: AGGREGATE_TO_VIEW, labels: { [AGGREGATE_TO_EDIT]: 'true' } }),
    // A namespace administrator: edit plus granting within the namespace.
    clusterRole(
      'system:aggregate-to-admin',
      [
        rule('create').groups('authorization.k8s.io').resources('localsubjectaccessreviews').build,
        rule(...READ_WRITE)
          .groups('rbac.authorization.k8s.io')
          .resources('rolebindings', 'roles').build,
      ],
      { labels: { [AGGREGATE_TO_ADMIN]: 'true' } },
    ),
    // Every user-level action in a namespace; not /status, quota or limits, which are the system's.
    clusterRole(
      'system:aggregate-to-edit',
      [
        rule(...READ)
          .groups('')
          .resources('pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy').build,
        rule('impersonate').groups('').resources('serviceaccounts').build,
        rule(...WRITE)
          .groups('')
          .resources('pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward').build,
        rule('create').groups('').resources('pods/eviction').build,
        rule(...WRITE)
          .groups('')
          .resources(
            'replicationcontrollers',
            'replicationcontrollers/scale',
            'serviceaccounts',
            'services',
            'services/proxy',
            'persistentvolumeclaims',
            'configmaps',
            'secrets',
            'events',
          ).build,
        rule('create').groups('').resources('serviceaccounts/token').build,
        rule(...WRITE)
          .groups('apps')
          .resources(
            'statefulsets',
            'statefulsets/scale',
            'daemonsets',
            'deployments',
            'deployments/scale',
            'deployments/rollback',
            'replicasets',
            'replicasets/scale',
          ).build,
        rule(...WRITE)
          .groups('autoscaling')
          .resources('horizontalpodautoscalers').build,
        rule(...WRITE)
          .groups('batch')
          .resources('jobs', 'cronjobs').build,
        rule(...WRITE)
          .groups('extensions')
          .resources(
            'daemonsets',
            'deployments',
            'deployments/scale',
            'deployments/rollback',
            'ingresses',
            'replicasets',
            'replicasets/scale',
            'replicationcontrollers/scale',
            'networkpolicies',
          ).build,
        rule(...WRITE)
          .groups('policy')
          .resources('poddisruptionbudgets').build,
        rule(...WRITE)
          .groups('networking.k8s.io')
          .resources('networkpolicies', 'ingresses').build,
        rule(...READ_WRITE)
          .groups('coordination.k8s.io')
          .resources('leases').build,
      ],
      { labels: { [AGGREGATE_TO_EDIT]: 'true' } },
    ),
    // Read-only access to what does not escalate (no secrets).
    clusterRole(
      'system:aggregate-to-view',
      [
        rule(...READ)
          .groups('')
          .resources(
            'pods',
            'replicationcontrollers',
            'replicationcontrollers/scale',
            'serviceaccounts',
            'services',
            'services/status',
            'endpoints',
            'persistentvolumeclaims',
            'persistentvolumeclaims/status',
            'configmaps',
          ).build,
        rule(...READ)
          .groups('')
          .resources(
            'limitranges',
            'resourcequotas',
            'bindings',
            'events',
            'pods/status',
            'resourcequotas/status',
            'namespaces/status',
            'replicationcontrollers/status',
            'pods/log',
          ).build,
        // Reading namespaces at namespace scope means reading this one: a hint of which namespaces one may use.
        rule(...READ)
          .groups('')
          .resources('namespaces').build,
        rule(...READ)
          .groups('discovery.k8s.io')
          .resources('endpointslices').build,
        rule(...READ)
          .groups('apps')
          .resources(
            'controllerrevisions',
            'statefulsets',
            'statefulsets/status',
            'statefulsets/scale',
            'daemonsets',
            'daemonsets/status',
            'deployments',
            'deployments/status',
            'deployments/scale',
            'replicasets',
            'replicasets/status',
            'replicasets/scale',
          ).build,
        rule(...READ)
          .groups('autoscaling')
          .resources('horizontalpodautoscalers', 'horizontalpodautoscalers/status').build,
        rule(...READ)
          .groups('batch')
          .resources('jobs', 'cronjobs', 'cronjobs/status', 'jobs/status').build,
        rule(...READ)
          .groups('extensions')
          .resources(
            'daemonsets',
            'daemonsets/status',
            'deployments',
            'deployments/scale',
            'deployments/status',
            'ingresses',
            'ingresses/status',
            'replicasets',
            'replicasets/scale',
            'replicasets/status',
            'replicationcontrollers/scale',
            'networkpolicies',
          ).build,
        rule(...READ)
          .groups('policy')
          .resources('poddisruptionbudgets', 'poddisruptionbudgets/status').build,
        rule(...READ)
          .groups('networking.k8s.io')
          .resources('ingresses', 'ingresses/status', 'networkpolicies').build,
      ],
      { labels: { [AGGREGATE_TO_VIEW]: 'true' } },
    ),
    // Health, readiness and metrics endpoints, for monitoring systems.
    clusterRole('system:monitoring', [
      rule('get').urls('/metrics', '/metrics/slis', '/livez', '/readyz', '/healthz', '/livez/*', '/readyz/*', '/healthz/*').build,
    ]),
    // What kubelets need to run pods; the Node authorizer applies it (its binding has no subjects).
    clusterRole('system:node', nodeRules()),
    // The service proxy.
    clusterRole('system:node-proxier', [
      rule('list', 'watch').groups('').resources('services', 'endpoints').build,
      rule(...READ)
        .groups('')
        .resources('nodes').build,
      eventsRule(),
      rule('list', 'watch').groups('discovery.k8s.io').resources('endpointslices').build,
    ]),
    // Joining nodes, which ask for their client certificate.
    clusterRole('system:node-bootstrapper', [
      rule('create', 'get', 'list', 'watch').groups('certificates.k8s.io').resources('certificatesigningrequests').build,
    ]),
    // Who may ask for which kubelet client certificate, and who may approve for which signer.
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [
      rule('create').groups('certificates.k8s.io').resources('certificatesigningrequests/nodeclient').build,
    ]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [
      rule('create').groups('certificates.k8s.io').resources('certificatesigningrequests/selfnodeclient').build,
    ]),
    clusterRole('system:certificates.k8s.io:kube-apiserver-client-approver', [
      rule('approve').groups('certificates.k8s.io').resources('signers').names('kubernetes.io/kube-apiserver-client').build,
    ]),
    clusterRole('system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', [
      rule('approve').groups('certificates.k8s.io').resources('signers').names('kubernetes.io/kube-apiserver-client-kubelet').build,
    ]),
    clusterRole('system:certificates.k8s.io:kubelet-serving-approver', [
      rule('approve').groups('certificates.k8s.io').resources('signers').names('kubernetes.io/kubelet-serving').build,
    ]),
    // Delegating authentication and authorization to the apiserver.
    clusterRole('system:auth-delegator', [
      rule('create').groups('authentication.k8s.io').resources('tokenreviews').build,
      rule('create').groups('authorization.k8s.io').resources('subjectaccessreviews').build,
    ]),
    // The kubelet API in full (logs, exec, metrics, proxy).
    clusterRole('system:kubelet-api-admin', [
      rule(...READ)
        .groups('')
        .resources('nodes').build,
      rule('proxy').groups('').resources('nodes').build,
      rule('*').groups('').resources('nodes/proxy', 'nodes/metrics', 'nodes/stats', 'nodes/log').build,
    ]),
    clusterRole('system:node-problem-detector', [
      rule('get').groups('').resources('nodes').build,
      rule('patch').groups('').resources('nodes/status').build,
      eventsRule(),
    ]),
    clusterRole('system:persistent-volume-provisioner', [
      rule('get', 'list', 'watch', 'create', 'delete').groups('').resources('persistentvolumes').build,
      // update lets the provisioner set the claim's annotations and bind it.
      rule('get', 'list', 'watch', 'update').groups('').resources('persistentvolumeclaims').build,
      rule(...READ)
        .groups('storage.k8s.io')
        .resources('storageclasses').build,
      rule('watch').groups('').resources('events').build,
      eventsRule(),
    ]),
    // The controller-manager's own identity: its informers, leader election and the accounts it makes.
    clusterRole('system:kube-controller-manager', [
      eventsRule(),
      rule('create').groups('coordination.k8s.io').resources('leases').build,
      rule('get', 'update').groups('coordination.k8s.io').resources('leases').names('kube-controller-manager').build,
      rule('create').groups('').resources('secrets', 'serviceaccounts').build,
      rule('delete').groups('').resources('secrets').build,
      rule('get').groups('').resources('namespaces', 'secrets', 'serviceaccounts', 'configmaps').build,
      rule('update').groups('').resources('secrets', 'serviceaccounts').build,
      rule('create').groups('authentication.k8s.io').resources('tokenreviews').build,
      rule('create').groups('authorization.k8s.io').resources('subjectaccessreviews').build,
      // Shared informers watch everything.
      rule('list', 'watch').groups('*').resources('*').build,
      rule('create').groups('').resources('serviceaccounts/token').build,
    ]),
    // The scheduler.
    clusterRole('system:kube-scheduler', [
      eventsRule(),
      rule('create').groups('coordination.k8s.io').resources('leases').build,
      rule('get', 'update').groups('coordination.k8s.io').resources('leases').names('kube-scheduler').build,
      rule(...READ)
        .groups('')
        .resources('nodes').build,
      rule('get', 'list', 'watch', 'delete').groups('').resources('pods').build,
      rule('create').groups('').resources('pods/binding', 'bindings').build,
      rule('patch', 'update').groups('').resources('pods/status').build,
      rule(...READ)
        .groups('')
        .resources('replicationcontrollers', 'services').build,
      rule(...READ)
        .groups('apps', 'extensions')
        .resources('replicasets').build,
      rule(...READ)
        .groups('apps')
        .resources('statefulsets').build,
      rule(...READ)
        .groups('policy')
        .resources('poddisruptionbudgets').build,
      rule(...READ)
        .groups('')
        .resources('persistentvolumeclaims', 'persistentvolumes').build,
      rule('create').groups('authentication.k8s.io').resources('tokenreviews').build,
      rule('create').groups('authorization.k8s.io').resources('subjectaccessreviews').build,
      rule(...READ)
        .groups('storage.k8s.io')
        .resources('csinodes').build,
      rule(...READ)
        .groups('')
        .resources('namespaces').build,
      rule(...READ)
        .groups('storage.k8s.io')
        .resources('csidrivers').build,
      rule(...READ)
        .groups('storage.k8s.io')
        .resources('csistoragecapacities').build,
      // Not upstream's: this scheduler also watches PriorityClasses (preemption reads them from its cache).
      rule(...READ)
        .groups('scheduling.k8s.io')
        .resources('priorityclasses').build,
    ]),
    // Binding volumes while scheduling.
    clusterRole('system:volume-scheduler', [
      rule('get', 'list', 'watch', 'update', 'patch').groups('').resources('persistentvolumes').build,
      rule(...READ)
        .groups('storage.k8s.io')
        .resources('storageclasses').build,
      rule('get', 'list', 'watch', 'update', 'patch').groups('').resources('persistentvolumeclaims').build,
    ]),
    // Cluster DNS.
    clusterRole('system:kube-dns', [
      rule('list', 'watch').groups('').resources('endpoints', 'services').build,
      // Not upstream's (CoreDNS's own role has it): this DNS server reads EndpointSlices.
      rule('list', 'watch').groups('discovery.k8s.io').resources('endpointslices').build,
    ]),
    clusterRole('system:service-account-issuer-discovery', [rule('get').urls('/.well-known/openid-configuration', '/openid/v1/jwks').build]),
  ];
}

export function clusterRoleBindings(): ClusterRoleBinding[] {
  return [
    clusterRoleBinding('cluster-admin', [group(SYSTEM_PRIVILEGED_GROUP)]),
    clusterRoleBinding('system:monitoring', [group(MONITORING_GROUP)]),
    clusterRoleBinding('system:discovery', [group(ALL_AUTHENTICATED)]),
    clusterRoleBinding('system:basic-user', [group(ALL_AUTHENTICATED)]),
    clusterRoleBinding('system:public-info-viewer', [group(ALL_AUTHENTICATED), group(ALL_UNAUTHENTICATED)]),
    clusterRoleBinding('system:node-proxier', [user(KUBE_PROXY)]),
    clusterRoleBinding('system:kube-controller-manager', [user(KUBE_CONTROLLER_MANAGER)]),
    clusterRoleBinding('system:kube-dns', [serviceAccount('kube-system', 'kube-dns'), user(KUBE_DNS_USER)]),
    clusterRoleBinding('system:kube-scheduler', [user(KUBE_SCHEDULER)]),
    clusterRoleBinding('system:volume-scheduler', [user(KUBE_SCHEDULER)]),
    // No subjects: the Node authorizer grants nodes these rules, each for its own objects.
    clusterRoleBinding('system:node', []),
    clusterRoleBinding('system:service-account-issuer-discovery', [group('system:serviceaccounts')]),
    // A joining node asks for its client certificate with a bootstrap token; that first
    // certificate, and a node's renewals, are approved automatically (the bindings kubeadm
    // makes: kubelet-bootstrap, node-autoapprove-bootstrap, node-autoapprove-certificate-rotation).
    clusterRoleBinding('system:node-bootstrapper', [group(BOOTSTRAPPERS_GROUP)], 'timonel:kubelet-bootstrap'),
    clusterRoleBinding('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [group(BOOTSTRAPPERS_GROUP)], 'timonel:node-autoapprove-bootstrap'),
    clusterRoleBinding(
      'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
      [group(NODES_GROUP)],
      'timonel:node-autoapprove-certificate-rotation',
    ),
  ];
}
