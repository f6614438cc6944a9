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
};
// events.k8s.io Events are printed by the same printer as core Events.
COLUMNS['events.k8s.io/events'] = COLUMNS['/events'];
