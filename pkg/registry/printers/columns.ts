// Column definitions of the server-side Table for each built-in resource, as
// kube-apiserver declares them (pkg/printers/internalversion AddHandlers).
// Names are upstream's spelling ("Up-to-date"); kubectl upper-cases them.
import { DESCRIPTIONS, type DescriptionKey } from './descriptions.js';

export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

function c(name: string, type: ColumnDefinition['type'], description: DescriptionKey | { text: string }, priority = 0, format = ''): ColumnDefinition {
  return { name, type, format, description: typeof description === 'string' ? DESCRIPTIONS[description] : description.text, priority };
}

const t = (text: string): { text: string } => ({ text });

const NAME = c('Name', 'string', 'meta.name', 0, 'name');
const AGE = c('Age', 'string', 'meta.creationTimestamp');
const CONTAINERS = (priority: number): ColumnDefinition => c('Containers', 'string', t('Names of each container in the template.'), priority);
const IMAGES = (priority: number): ColumnDefinition => c('Images', 'string', t('Images referenced by each container in the template.'), priority);

/** The default table convertor's columns (NAME, CREATED AT), for built-ins without a printer. */
export const DEFAULT_COLUMNS: ColumnDefinition[] = [NAME, c('Created At', 'date', 'meta.creationTimestamp')];

/** Keyed by `group/plural`. */
export const COLUMNS: Record<string, ColumnDefinition[]> = {
  '/pods': [
    NAME,
    c('Ready', 'string', t('The aggregate readiness state of this pod for accepting traffic.')),
    c('Status', 'string', t('The aggregate status of the containers in this pod.')),
    c('Restarts', 'string', t('The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.')),
    AGE,
    c('IP', 'string', 'pod.status.podIP', 1),
    c('Node', 'string', 'pod.spec.nodeName', 1),
    c('Nominated Node', 'string', 'pod.status.nominatedNodeName', 1),
    c('Readiness Gates', 'string', 'pod.spec.readinessGates', 1),
  ],
  'policy/poddisruptionbudgets': [
    NAME,
    c('Min Available', 'string', t('The minimum number of pods that must be available.')),
    c('Max Unavailable', 'string', t('The maximum number of pods that may be unavailable.')),
    c('Allowed Disruptions', 'integer', t('Calculated number of pods that may be disrupted at this time.')),
    AGE,
  ],
  '/replicationcontrollers': [
    NAME,
    c('Desired', 'integer', 'rc.spec.replicas'),
    c('Current', 'integer', 'rc.status.replicas'),
    c('Ready', 'integer', 'rc.status.readyReplicas'),
    AGE,
    CONTAINERS(1),
    IMAGES(1),
    c('Selector', 'string', 'rc.spec.selector', 1),
  ],
  'apps/replicasets': [
    NAME,
    c('Desired', 'integer', 'rs.spec.replicas'),
    c('Current', 'integer', 'rs.status.replicas'),
    c('Ready', 'integer', 'rs.status.readyReplicas'),
    AGE,
    CONTAINERS(1),
    IMAGES(1),
    c('Selector', 'string', 'rs.spec.selector', 1),
  ],
  'apps/daemonsets': [
    NAME,
    c('Desired', 'integer', 'ds.status.desiredNumberScheduled'),
    c('Current', 'integer', 'ds.status.currentNumberScheduled'),
    c('Ready', 'integer', 'ds.status.numberReady'),
    c('Up-to-date', 'integer', 'ds.status.updatedNumberScheduled'),
    c('Available', 'integer', 'ds.status.numberAvailable'),
    c('Node Selector', 'string', 'pod.spec.nodeSelector'),
    AGE,
    CONTAINERS(1),
    IMAGES(1),
    c('Selector', 'string', 'ds.spec.selector', 1),
  ],
  'batch/jobs': [
    NAME,
    c('Status', 'string', t('Status of the job.')),
    c('Completions', 'string', 'job.status.succeeded'),
    c('Duration', 'string', t('Time required to complete the job.')),
    AGE,
    CONTAINERS(1),
    IMAGES(1),
    c('Selector', 'string', 'job.spec.selector', 1),
  ],
  'batch/cronjobs': [
    NAME,
    c('Schedule', 'string', 'cj.spec.schedule'),
    c('Timezone', 'string', 'cj.spec.timeZone'),
    c('Suspend', 'boolean', 'cj.spec.suspend'),
    c('Active', 'integer', 'cj.status.active'),
    c('Last Schedule', 'string', 'cj.status.lastScheduleTime'),
    AGE,
    CONTAINERS(1),
    IMAGES(1),
    c('Selector', 'string', 'job.spec.selector', 1),
  ],
  '/services': [
    NAME,
    c('Type', 'string', 'svc.spec.type'),
    c('Cluster-IP', 'string', 'svc.spec.clusterIP'),
    c('External-IP', 'string', 'svc.spec.externalIPs'),
    c('Port(s)', 'string', 'svc.spec.ports'),
    AGE,
    c('Selector', 'string', 'svc.spec.selector', 1),
  ],
  'apps/statefulsets': [NAME, c('Ready', 'string', t('Number of the pod with ready state')), AGE, CONTAINERS(1), IMAGES(1)],
  '/endpoints': [NAME, c('Endpoints', 'string', 'ep.subsets'), AGE],
  '/nodes': [
    NAME,
    c('Status', 'string', t('The status of the node')),
    c('Roles', 'string', t('The roles of the node')),
    AGE,
    c('Version', 'string', 'node.info.kubeletVersion'),
    c('Internal-IP', 'string', 'node.status.addresses', 1),
    c('External-IP', 'string', 'node.status.addresses', 1),
    c('OS-Image', 'string', 'node.info.osImage', 1),
    c('Kernel-Version', 'string', 'node.info.kernelVersion', 1),
    c('Container-Runtime', 'string', 'node.info.containerRuntimeVersion', 1),
  ],
  '/events': [
    c('Last Seen', 'string', 'ev.lastTimestamp'),
    c('Type', 'string', 'ev.type'),
    c('Reason', 'string', 'ev.reason'),
    c('Object', 'string', 'ev.involvedObject'),
    c('Subobject', 'string', 'ref.fieldPath', 1),
    c('Source', 'string', 'ev.source', 1),
    c('Message', 'string', 'ev.message'),
    c('First Seen', 'string', 'ev.firstTimestamp', 1),
    c('Count', 'string', 'ev.count', 1),
    c('Name', 'string', 'meta.name', 1, 'name'),
  ],
  '/namespaces': [NAME, c('Status', 'string', t('The status of the namespace')), AGE],
  '/secrets': [NAME, c('Type', 'string', 'secret.type'), c('Data', 'string', 'secret.data'), AGE],
  '/serviceaccounts': [NAME, c('Secrets', 'string', 'sa.secrets'), AGE],
  '/persistentvolumes': [
    NAME,
    c('Capacity', 'string', 'pv.spec.capacity'),
    c('Access Modes', 'string', 'pv.spec.accessModes'),
    c('Reclaim Policy', 'string', 'pv.spec.persistentVolumeReclaimPolicy'),
    c('Status', 'string', 'pv.status.phase'),
    c('Claim', 'string', 'pv.spec.claimRef'),
    c('StorageClass', 'string', t('StorageClass of the pv')),
    c('VolumeAttributesClass', 'string', t('VolumeAttributesClass of the pv')),
    c('Reason', 'string', 'pv.status.reason'),
    AGE,
    c('VolumeMode', 'string', 'pv.spec.volumeMode', 1),
  ],
  '/persistentvolumeclaims': [
    NAME,
    c('Status', 'string', 'pvc.status.phase'),
    c('Volume', 'string', 'pvc.spec.volumeName'),
    c('Capacity', 'string', 'pvc.status.capacity'),
    c('Access Modes', 'string', 'pvc.status.accessModes'),
    c('StorageClass', 'string', t('StorageClass of the pvc')),
    c('VolumeAttributesClass', 'string', t('VolumeAttributesClass of the pvc')),
    AGE,
    c('VolumeMode', 'string', 'pvc.spec.volumeMode', 1),
  ],
  'apps/deployments': [
    NAME,
    c('Ready', 'string', t('Number of the pod with ready state')),
    c('Up-to-date', 'string', 'deploy.status.updatedReplicas'),
    c('Available', 'string', 'deploy.status.availableReplicas'),
    AGE,
    CONTAINERS(1),
    IMAGES(1),
    c('Selector', 'string', 'deploy.spec.selector', 1),
  ],
  'autoscaling/horizontalpodautoscalers': [
    NAME,
    c('Reference', 'string', 'hpa.spec.scaleTargetRef'),
    c('Targets', 'string', 'hpa.spec.metrics'),
    c('MinPods', 'string', 'hpa.spec.minReplicas'),
    c('MaxPods', 'string', 'hpa.spec.maxReplicas'),
    c('Replicas', 'string', 'hpa.status.currentReplicas'),
    AGE,
  ],
  '/configmaps': [NAME, c('Data', 'string', 'cm.data'), AGE],
  'rbac.authorization.k8s.io/rolebindings': [
    NAME,
    c('Role', 'string', 'rb.roleRef'),
    AGE,
    c('Users', 'string', t('Users in the roleBinding'), 1),
    c('Groups', 'string', t('Groups in the roleBinding'), 1),
    c('ServiceAccounts', 'string', t('ServiceAccounts in the roleBinding'), 1),
  ],
  'rbac.authorization.k8s.io/clusterrolebindings': [
    NAME,
    c('Role', 'string', 'crb.roleRef'),
    AGE,
    c('Users', 'string', t('Users in the clusterRoleBinding'), 1),
    c('Groups', 'string', t('Groups in the clusterRoleBinding'), 1),
    c('ServiceAccounts', 'string', t('ServiceAccounts in the clusterRoleBinding'), 1),
  ],
  'coordination.k8s.io/leases': [NAME, c('Holder', 'string', 'lease.spec.holderIdentity'), AGE],
  'storage.k8s.io/storageclasses': [
    NAME,
    c('Provisioner', 'string', 'sc.provisioner'),
    c('ReclaimPolicy', 'string', 'sc.reclaimPolicy'),
    c('VolumeBindingMode', 'string', 'sc.volumeBindingMode'),
    c('AllowVolumeExpansion', 'string', 'sc.allowVolumeExpansion'),
    AGE,
  ],
  'apps/controllerrevisions': [NAME, c('Controller', 'string', t('Controller of the object')), c('Revision', 'string', 'cr.revision'), AGE],
  '/resourcequotas': [
    NAME,
    c('Request', 'string', t('Request represents a minimum amount of cpu/memory that a container may consume.')),
    c('Limit', 'string', t('Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.')),
    AGE,
  ],
  'scheduling.k8s.io/priorityclasses': [
    NAME,
    c('Value', 'integer', 'pc.value'),
    c('Global-Default', 'boolean', 'pc.globalDefault'),
    AGE,
    c('PreemptionPolicy', 'string', 'pc.preemptionPolicy'),
  ],
  'discovery.k8s.io/endpointslices': [
    NAME,
    c('AddressType', 'string', 'eps.addressType'),
    c('Ports', 'string', 'eps.ports'),
    c('Endpoints', 'string', 'eps.endpoints'),
    AGE,
  ],
  '/componentstatuses': [
    NAME,
    c('Status', 'string', t('Status of the component conditions')),
    c('Message', 'string', t('Message of the component conditions')),
    c('Error', 'string', t('Error of the component conditions')),
  ],
  'networking.k8s.io/ingresses': [
    NAME,
    c('Class', 'string', t('The name of the IngressClass resource that should be used for additional configuration')),
    c('Hosts', 'string', t('Hosts that incoming requests are matched against before the ingress rule')),
    c('Address', 'string', t('Address is a list containing ingress points for the load-balancer')),
    c('Ports', 'string', t('Ports of TLS configurations that open')),
    AGE,
  ],
  'networking.k8s.io/ingressclasses': [
    NAME,
    c('Controller', 'string', t('Controller that is responsible for handling this class')),
    c('Parameters', 'string', t('A reference to a resource with additional parameters')),
    AGE,
  ],
  // Upstream quotes extensions/v1beta1's NetworkPolicySpec documentation here.
  'networking.k8s.io/networkpolicies': [
    NAME,
    c(
      'Pod-Selector',
      'string',
      t(
        'Selects the pods to which this NetworkPolicy object applies.  The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods.  In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace.',
      ),
    ),
    AGE,
  ],
  // Upstream quotes certificates/v1beta1's documentation here.
  'certificates.k8s.io/certificatesigningrequests': [
    NAME,
    AGE,
    c(
      'SignerName',
      'string',
      t(
        'Requested signer for the request. It is a qualified name in the form: `scope-hostname.io/name`. If empty, it will be defaulted:\n 1. If it\'s a kubelet client certificate, it is assigned\n    "kubernetes.io/kube-apiserver-client-kubelet".\n 2. If it\'s a kubelet serving certificate, it is assigned\n    "kubernetes.io/kubelet-serving".\n 3. Otherwise, it is assigned "kubernetes.io/legacy-unknown".\nDistribution of trust for signers happens out of band. You can select on this field using `spec.signerName`.',
      ),
    ),
    c('Requestor', 'string', t('Base64-encoded PKCS#10 CSR data')),
    c(
      'RequestedDuration',
      'string',
      t(
        'expirationSeconds is the requested duration of validity of the issued certificate. The certificate signer may issue a certificate with a different validity duration so a client must check the delta between the notBefore and and notAfter fields in the issued certificate to determine the actual duration.\n\nThe v1.22+ in-tree implementations of the well-known Kubernetes signers will honor this field as long as the requested duration is not greater than the maximum duration they will honor per the --cluster-signing-duration CLI flag to the Kubernetes controller manager.\n\nCertificate signers may not honor this field for various reasons:\n\n  1. Old signer that is unaware of the field (such as the in-tree\n     implementations prior to v1.22)\n  2. Signer whose configured maximum is shorter than the requested duration\n  3. Signer whose configured minimum is longer than the requested duration\n\nThe minimum valid value for expirationSeconds is 600, i.e. 10 minutes.',
      ),
    ),
    c('Condition', 'string', t('Conditions applied to the request, such as approval or denial.')),
  ],
  // Upstream takes the Handler description from ObjectMeta, which has none.
  'node.k8s.io/runtimeclasses': [NAME, c('Handler', 'string', t('')), AGE],
  'admissionregistration.k8s.io/validatingwebhookconfigurations': [
    NAME,
    c('Webhooks', 'integer', t('Webhooks indicates the number of webhooks registered in this configuration')),
    AGE,
  ],
  'admissionregistration.k8s.io/mutatingwebhookconfigurations': [
    NAME,
    c('Webhooks', 'integer', t('Webhooks indicates the number of webhooks registered in this configuration')),
    AGE,
  ],
};
// events.k8s.io Events are printed by the same printer as core Events.
COLUMNS['events.k8s.io/events'] = COLUMNS['/events'];
