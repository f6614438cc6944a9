// Field numbers of the Kubernetes protobuf messages that clients POST (kubectl's
// generators send `application/vnd.kubernetes.protobuf` with no JSON fallback),
// mapped to the JSON names of the same fields. Numbers are Kubernetes' own, from
// the generated.proto files of k8s.io/api and k8s.io/apimachinery.
//
// Go's JSON encoding decides what an absent value looks like, so each field also
// says whether a zero value is meaningful:
//   keepZero — a pointer in Go (`replicas: 0`, `privileged: false` are real
//              choices) or a field without `omitempty`; kept even when zero.
//   (default) — `omitempty` non-pointer scalars: gogo-protobuf writes them even
//              when zero, JSON would leave them out, so zero values are dropped.
//   inline   — an embedded Go struct (`json:",inline"`): its fields merge into
//              the parent object, as LocalObjectReference does in key selectors.
// Messages are always kept when present on the wire (`spec: {}` as in JSON),
// except the special types Time/MicroTime, Quantity, IntOrString and FieldsV1,
// which the decoder turns into their JSON scalar forms.

export type ScalarType = 'string' | 'int32' | 'int64' | 'bool' | 'bytes';
export type FieldType =
  | ScalarType
  | `message:${string}`
  | 'map<string,string>'
  | 'map<string,bytes>'
  | `map<string,message:${string}>`;

export interface FieldSpec {
  name: string;
  type: FieldType;
  repeated?: true;
  keepZero?: true;
  inline?: true;
}

export type MessageTable = Readonly<Record<number, FieldSpec>>;

interface Opts {
  repeated?: true;
  keepZero?: true;
  inline?: true;
}

const str = (name: string, o: Opts = {}): FieldSpec => ({ name, type: 'string', ...o });
const i32 = (name: string, o: Opts = {}): FieldSpec => ({ name, type: 'int32', ...o });
const i64 = (name: string, o: Opts = {}): FieldSpec => ({ name, type: 'int64', ...o });
const bool = (name: string, o: Opts = {}): FieldSpec => ({ name, type: 'bool', ...o });
const msg = (name: string, message: string, o: Opts = {}): FieldSpec => ({ name, type: `message:${message}`, ...o });
const strs = (name: string): FieldSpec => ({ name, type: 'string', repeated: true });
const list = (name: string, message: string): FieldSpec => ({ name, type: `message:${message}`, repeated: true });
const strMap = (name: string): FieldSpec => ({ name, type: 'map<string,string>' });
const quantities = (name: string): FieldSpec => ({ name, type: 'map<string,message:Quantity>' });
const ptr: Opts = { keepZero: true };

/** Messages the decoder converts to JSON scalars instead of walking a table. */
export const SPECIAL_MESSAGES = new Set(['Time', 'MicroTime', 'Quantity', 'IntOrString', 'FieldsV1']);

export const MESSAGES: Readonly<Record<string, MessageTable>> = {
  // ---- meta/v1 ----
  ObjectMeta: {
    1: str('name'), 2: str('generateName'), 3: str('namespace'), 4: str('selfLink'), 5: str('uid'),
    6: str('resourceVersion'), 7: i64('generation'), 8: msg('creationTimestamp', 'Time'),
    9: msg('deletionTimestamp', 'Time'), 10: i64('deletionGracePeriodSeconds', ptr),
    11: strMap('labels'), 12: strMap('annotations'), 13: list('ownerReferences', 'OwnerReference'),
    14: strs('finalizers'), 17: list('managedFields', 'ManagedFieldsEntry'),
  },
  OwnerReference: {
    5: str('apiVersion', ptr), 1: str('kind', ptr), 3: str('name', ptr), 4: str('uid', ptr),
    6: bool('controller', ptr), 7: bool('blockOwnerDeletion', ptr),
  },
  ManagedFieldsEntry: {
    1: str('manager'), 2: str('operation'), 3: str('apiVersion'), 4: msg('time', 'Time'),
    6: str('fieldsType'), 7: msg('fieldsV1', 'FieldsV1'), 8: str('subresource'),
  },
  LabelSelector: { 1: strMap('matchLabels'), 2: list('matchExpressions', 'LabelSelectorRequirement') },
  LabelSelectorRequirement: { 1: str('key', ptr), 2: str('operator', ptr), 3: strs('values') },
  Condition: {
    1: str('type', ptr), 2: str('status', ptr), 3: i64('observedGeneration'), 4: msg('lastTransitionTime', 'Time'),
    5: str('reason', ptr), 6: str('message', ptr),
  },

  // ---- core/v1: objects ----
  Namespace: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'NamespaceSpec'), 3: msg('status', 'NamespaceStatus') },
  NamespaceSpec: { 1: strs('finalizers') },
  NamespaceStatus: { 1: str('phase'), 2: list('conditions', 'NamespaceCondition') },
  NamespaceCondition: {
    1: str('type'), 2: str('status'), 4: msg('lastTransitionTime', 'Time'), 5: str('reason'), 6: str('message'),
  },
  ConfigMap: {
    1: msg('metadata', 'ObjectMeta'), 4: bool('immutable', ptr), 2: strMap('data'),
    3: { name: 'binaryData', type: 'map<string,bytes>' },
  },
  Secret: {
    1: msg('metadata', 'ObjectMeta'), 5: bool('immutable', ptr), 2: { name: 'data', type: 'map<string,bytes>' },
    4: strMap('stringData'), 3: str('type'),
  },
  ServiceAccount: {
    1: msg('metadata', 'ObjectMeta'), 2: list('secrets', 'ObjectReference'),
    3: list('imagePullSecrets', 'LocalObjectReference'), 4: bool('automountServiceAccountToken', ptr),
  },
  ObjectReference: {
    1: str('kind'), 2: str('namespace'), 3: str('name'), 4: str('uid'), 5: str('apiVersion'),
    6: str('resourceVersion'), 7: str('fieldPath'),
  },
  LocalObjectReference: { 1: str('name', ptr) },
  Service: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'ServiceSpec'), 3: msg('status', 'ServiceStatus') },
  ServiceSpec: {
    1: list('ports', 'ServicePort'), 2: strMap('selector'), 3: str('clusterIP'), 18: strs('clusterIPs'), 4: str('type'),
    5: strs('externalIPs'), 7: str('sessionAffinity'), 8: str('loadBalancerIP'), 9: strs('loadBalancerSourceRanges'),
    10: str('externalName'), 11: str('externalTrafficPolicy'), 12: i32('healthCheckNodePort'),
    13: bool('publishNotReadyAddresses'), 14: msg('sessionAffinityConfig', 'SessionAffinityConfig'),
    19: strs('ipFamilies'), 17: str('ipFamilyPolicy', ptr), 20: bool('allocateLoadBalancerNodePorts', ptr),
    21: str('loadBalancerClass', ptr), 22: str('internalTrafficPolicy', ptr), 23: str('trafficDistribution', ptr),
  },
  ServicePort: {
    1: str('name'), 2: str('protocol'), 6: str('appProtocol', ptr), 3: i32('port', ptr),
    4: msg('targetPort', 'IntOrString'), 5: i32('nodePort'),
  },
  SessionAffinityConfig: { 1: msg('clientIP', 'ClientIPConfig') },
  ClientIPConfig: { 1: i32('timeoutSeconds', ptr) },
  ServiceStatus: { 1: msg('loadBalancer', 'LoadBalancerStatus'), 2: list('conditions', 'Condition') },
  LoadBalancerStatus: { 1: list('ingress', 'LoadBalancerIngress') },
  LoadBalancerIngress: { 1: str('ip'), 2: str('hostname'), 3: str('ipMode', ptr), 4: list('ports', 'PortStatus') },
  PortStatus: { 1: i32('port', ptr), 2: str('protocol', ptr), 3: str('error', ptr) },
  ResourceQuota: {
    1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'ResourceQuotaSpec'), 3: msg('status', 'ResourceQuotaStatus'),
  },
  ResourceQuotaSpec: { 1: quantities('hard'), 2: strs('scopes'), 3: msg('scopeSelector', 'ScopeSelector') },
  ResourceQuotaStatus: { 1: quantities('hard'), 2: quantities('used') },
  ScopeSelector: { 1: list('matchExpressions', 'ScopedResourceSelectorRequirement') },
  ScopedResourceSelectorRequirement: { 1: str('scopeName', ptr), 2: str('operator', ptr), 3: strs('values') },

  // ---- core/v1: pods ----
  Pod: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'PodSpec'), 3: msg('status', 'PodStatus') },
  PodTemplateSpec: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'PodSpec') },
  PodSpec: {
    1: list('volumes', 'Volume'), 20: list('initContainers', 'Container'), 2: list('containers', 'Container'),
    3: str('restartPolicy'), 4: i64('terminationGracePeriodSeconds', ptr), 5: i64('activeDeadlineSeconds', ptr),
    6: str('dnsPolicy'), 7: strMap('nodeSelector'), 8: str('serviceAccountName'), 9: str('serviceAccount'),
    21: bool('automountServiceAccountToken', ptr), 10: str('nodeName'), 11: bool('hostNetwork'), 12: bool('hostPID'),
    13: bool('hostIPC'), 27: bool('shareProcessNamespace', ptr), 14: msg('securityContext', 'PodSecurityContext'),
    15: list('imagePullSecrets', 'LocalObjectReference'), 16: str('hostname'), 17: str('subdomain'),
    18: msg('affinity', 'Affinity'), 19: str('schedulerName'), 22: list('tolerations', 'Toleration'),
    23: list('hostAliases', 'HostAlias'), 24: str('priorityClassName'), 25: i32('priority', ptr),
    26: msg('dnsConfig', 'PodDNSConfig'), 28: list('readinessGates', 'PodReadinessGate'),
    29: str('runtimeClassName', ptr), 30: bool('enableServiceLinks', ptr), 31: str('preemptionPolicy', ptr),
    32: quantities('overhead'), 33: list('topologySpreadConstraints', 'TopologySpreadConstraint'),
    35: bool('setHostnameAsFQDN', ptr), 36: msg('os', 'PodOS'), 37: bool('hostUsers', ptr),
    38: list('schedulingGates', 'PodSchedulingGate'), 40: msg('resources', 'ResourceRequirements'),
  },
  // A client's create carries an empty status; the server owns it and resets it.
  PodStatus: { 1: str('phase'), 3: str('message'), 4: str('reason'), 5: str('hostIP'), 6: str('podIP'), 9: str('qosClass') },
  Container: {
    1: str('name', ptr), 2: str('image'), 3: strs('command'), 4: strs('args'), 5: str('workingDir'),
    6: list('ports', 'ContainerPort'), 19: list('envFrom', 'EnvFromSource'), 7: list('env', 'EnvVar'),
    8: msg('resources', 'ResourceRequirements'), 23: list('resizePolicy', 'ContainerResizePolicy'),
    24: str('restartPolicy', ptr), 9: list('volumeMounts', 'VolumeMount'), 21: list('volumeDevices', 'VolumeDevice'),
    10: msg('livenessProbe', 'Probe'), 11: msg('readinessProbe', 'Probe'), 22: msg('startupProbe', 'Probe'),
    12: msg('lifecycle', 'Lifecycle'), 13: str('terminationMessagePath'), 20: str('terminationMessagePolicy'),
    14: str('imagePullPolicy'), 15: msg('securityContext', 'SecurityContext'), 16: bool('stdin'),
    17: bool('stdinOnce'), 18: bool('tty'),
  },
  ContainerPort: { 1: str('name'), 2: i32('hostPort'), 3: i32('containerPort', ptr), 4: str('protocol'), 5: str('hostIP') },
  ContainerResizePolicy: { 1: str('resourceName', ptr), 2: str('restartPolicy', ptr) },
  EnvVar: { 1: str('name', ptr), 2: str('value'), 3: msg('valueFrom', 'EnvVarSource') },
  EnvVarSource: {
    1: msg('fieldRef', 'ObjectFieldSelector'), 2: msg('resourceFieldRef', 'ResourceFieldSelector'),
    3: msg('configMapKeyRef', 'ConfigMapKeySelector'), 4: msg('secretKeyRef', 'SecretKeySelector'),
  },
  ObjectFieldSelector: { 1: str('apiVersion'), 2: str('fieldPath', ptr) },
  ResourceFieldSelector: { 1: str('containerName'), 2: str('resource', ptr), 3: msg('divisor', 'Quantity') },
  ConfigMapKeySelector: { 1: msg('', 'LocalObjectReference', { inline: true }), 2: str('key', ptr), 3: bool('optional', ptr) },
  SecretKeySelector: { 1: msg('', 'LocalObjectReference', { inline: true }), 2: str('key', ptr), 3: bool('optional', ptr) },
  EnvFromSource: { 1: str('prefix'), 2: msg('configMapRef', 'ConfigMapEnvSource'), 3: msg('secretRef', 'SecretEnvSource') },
  ConfigMapEnvSource: { 1: msg('', 'LocalObjectReference', { inline: true }), 2: bool('optional', ptr) },
  SecretEnvSource: { 1: msg('', 'LocalObjectReference', { inline: true }), 2: bool('optional', ptr) },
  ResourceRequirements: { 1: quantities('limits'), 2: quantities('requests'), 3: list('claims', 'ResourceClaim') },
  ResourceClaim: { 1: str('name', ptr), 2: str('request') },
  VolumeMount: {
    1: str('name', ptr), 2: bool('readOnly'), 7: str('recursiveReadOnly', ptr), 3: str('mountPath', ptr),
    4: str('subPath'), 5: str('mountPropagation', ptr), 6: str('subPathExpr'),
  },
  VolumeDevice: { 1: str('name', ptr), 2: str('devicePath', ptr) },
  Volume: { 1: str('name', ptr), 2: msg('', 'VolumeSource', { inline: true }) },
  VolumeSource: {
    1: msg('hostPath', 'HostPathVolumeSource'), 2: msg('emptyDir', 'EmptyDirVolumeSource'),
    6: msg('secret', 'SecretVolumeSource'), 7: msg('nfs', 'NFSVolumeSource'),
    10: msg('persistentVolumeClaim', 'PersistentVolumeClaimVolumeSource'),
    16: msg('downwardAPI', 'DownwardAPIVolumeSource'), 19: msg('configMap', 'ConfigMapVolumeSource'),
    26: msg('projected', 'ProjectedVolumeSource'), 28: msg('csi', 'CSIVolumeSource'),
    30: msg('image', 'ImageVolumeSource'),
  },
  HostPathVolumeSource: { 1: str('path', ptr), 2: str('type', ptr) },
  EmptyDirVolumeSource: { 1: str('medium'), 2: msg('sizeLimit', 'Quantity') },
  SecretVolumeSource: { 1: str('secretName'), 2: list('items', 'KeyToPath'), 3: i32('defaultMode', ptr), 4: bool('optional', ptr) },
  ConfigMapVolumeSource: {
    1: msg('', 'LocalObjectReference', { inline: true }), 2: list('items', 'KeyToPath'), 3: i32('defaultMode', ptr),
    4: bool('optional', ptr),
  },
  KeyToPath: { 1: str('key', ptr), 2: str('path', ptr), 3: i32('mode', ptr) },
  NFSVolumeSource: { 1: str('server', ptr), 2: str('path', ptr), 3: bool('readOnly') },
  PersistentVolumeClaimVolumeSource: { 1: str('claimName', ptr), 2: bool('readOnly') },
  DownwardAPIVolumeSource: { 1: list('items', 'DownwardAPIVolumeFile'), 2: i32('defaultMode', ptr) },
  DownwardAPIVolumeFile: {
    1: str('path', ptr), 2: msg('fieldRef', 'ObjectFieldSelector'), 3: msg('resourceFieldRef', 'ResourceFieldSelector'),
    4: i32('mode', ptr),
  },
  ProjectedVolumeSource: { 1: list('sources', 'VolumeProjection'), 2: i32('defaultMode', ptr) },
  VolumeProjection: {
    1: msg('secret', 'SecretProjection'), 2: msg('downwardAPI', 'DownwardAPIProjection'),
    3: msg('configMap', 'ConfigMapProjection'), 4: msg('serviceAccountToken', 'ServiceAccountTokenProjection'),
  },
  SecretProjection: { 1: msg('', 'LocalObjectReference', { inline: true }), 2: list('items', 'KeyToPath'), 4: bool('optional', ptr) },
  ConfigMapProjection: { 1: msg('', 'LocalObjectReference', { inline: true }), 2: list('items', 'KeyToPath'), 4: bool('optional', ptr) },
  DownwardAPIProjection: { 1: list('items', 'DownwardAPIVolumeFile') },
  ServiceAccountTokenProjection: { 1: str('audience'), 2: i64('expirationSeconds', ptr), 3: str('path', ptr) },
  CSIVolumeSource: {
    1: str('driver', ptr), 2: bool('readOnly', ptr), 3: str('fsType', ptr), 4: strMap('volumeAttributes'),
    5: msg('nodePublishSecretRef', 'LocalObjectReference'),
  },
  ImageVolumeSource: { 1: str('reference'), 2: str('pullPolicy') },
  Probe: {
    1: msg('', 'ProbeHandler', { inline: true }), 2: i32('initialDelaySeconds'), 3: i32('timeoutSeconds'),
    4: i32('periodSeconds'), 5: i32('successThreshold'), 6: i32('failureThreshold'),
    7: i64('terminationGracePeriodSeconds', ptr),
  },
  ProbeHandler: {
    1: msg('exec', 'ExecAction'), 2: msg('httpGet', 'HTTPGetAction'), 3: msg('tcpSocket', 'TCPSocketAction'),
    4: msg('grpc', 'GRPCAction'),
  },
  Lifecycle: { 1: msg('postStart', 'LifecycleHandler'), 2: msg('preStop', 'LifecycleHandler'), 3: str('stopSignal', ptr) },
  LifecycleHandler: {
    1: msg('exec', 'ExecAction'), 2: msg('httpGet', 'HTTPGetAction'), 3: msg('tcpSocket', 'TCPSocketAction'),
    4: msg('sleep', 'SleepAction'),
  },
  ExecAction: { 1: strs('command') },
  HTTPGetAction: {
    1: str('path'), 2: msg('port', 'IntOrString'), 3: str('host'), 4: str('scheme'), 5: list('httpHeaders', 'HTTPHeader'),
  },
  HTTPHeader: { 1: str('name', ptr), 2: str('value', ptr) },
  TCPSocketAction: { 1: msg('port', 'IntOrString'), 2: str('host') },
  GRPCAction: { 1: i32('port', ptr), 2: str('service', ptr) },
  SleepAction: { 1: i64('seconds', ptr) },
  SecurityContext: {
    1: msg('capabilities', 'Capabilities'), 2: bool('privileged', ptr), 3: msg('seLinuxOptions', 'SELinuxOptions'),
    10: msg('windowsOptions', 'WindowsSecurityContextOptions'), 4: i64('runAsUser', ptr), 8: i64('runAsGroup', ptr),
    5: bool('runAsNonRoot', ptr), 6: bool('readOnlyRootFilesystem', ptr), 7: bool('allowPrivilegeEscalation', ptr),
    9: str('procMount', ptr), 11: msg('seccompProfile', 'SeccompProfile'), 12: msg('appArmorProfile', 'AppArmorProfile'),
  },
  PodSecurityContext: {
    1: msg('seLinuxOptions', 'SELinuxOptions'), 8: msg('windowsOptions', 'WindowsSecurityContextOptions'),
    2: i64('runAsUser', ptr), 6: i64('runAsGroup', ptr), 3: bool('runAsNonRoot', ptr),
    4: { name: 'supplementalGroups', type: 'int64', repeated: true }, 12: str('supplementalGroupsPolicy', ptr),
    5: i64('fsGroup', ptr), 7: list('sysctls', 'Sysctl'), 9: str('fsGroupChangePolicy', ptr),
    10: msg('seccompProfile', 'SeccompProfile'), 11: msg('appArmorProfile', 'AppArmorProfile'),
    13: str('seLinuxChangePolicy', ptr),
  },
  Capabilities: { 1: strs('add'), 2: strs('drop') },
  SELinuxOptions: { 1: str('user'), 2: str('role'), 3: str('type'), 4: str('level') },
  WindowsSecurityContextOptions: {
    1: str('gmsaCredentialSpecName', ptr), 2: str('gmsaCredentialSpec', ptr), 3: str('runAsUserName', ptr),
    4: bool('hostProcess', ptr),
  },
  SeccompProfile: { 1: str('type', ptr), 2: str('localhostProfile', ptr) },
  AppArmorProfile: { 1: str('type', ptr), 2: str('localhostProfile', ptr) },
  Sysctl: { 1: str('name', ptr), 2: str('value', ptr) },
  Toleration: { 1: str('key'), 2: str('operator'), 3: str('value'), 4: str('effect'), 5: i64('tolerationSeconds', ptr) },
  HostAlias: { 1: str('ip', ptr), 2: strs('hostnames') },
  PodDNSConfig: { 1: strs('nameservers'), 2: strs('searches'), 3: list('options', 'PodDNSConfigOption') },
  PodDNSConfigOption: { 1: str('name'), 2: str('value', ptr) },
  PodReadinessGate: { 1: str('conditionType', ptr) },
  PodOS: { 1: str('name', ptr) },
  PodSchedulingGate: { 1: str('name', ptr) },
  TopologySpreadConstraint: {
    1: i32('maxSkew', ptr), 2: str('topologyKey', ptr), 3: str('whenUnsatisfiable', ptr),
    4: msg('labelSelector', 'LabelSelector'), 5: i32('minDomains', ptr), 6: str('nodeAffinityPolicy', ptr),
    7: str('nodeTaintsPolicy', ptr), 8: strs('matchLabelKeys'),
  },
  Affinity: {
    1: msg('nodeAffinity', 'NodeAffinity'), 2: msg('podAffinity', 'PodAffinity'), 3: msg('podAntiAffinity', 'PodAntiAffinity'),
  },
  NodeAffinity: {
    1: msg('requiredDuringSchedulingIgnoredDuringExecution', 'NodeSelector'),
    2: list('preferredDuringSchedulingIgnoredDuringExecution', 'PreferredSchedulingTerm'),
  },
  NodeSelector: { 1: list('nodeSelectorTerms', 'NodeSelectorTerm') },
  NodeSelectorTerm: { 1: list('matchExpressions', 'NodeSelectorRequirement'), 2: list('matchFields', 'NodeSelectorRequirement') },
  NodeSelectorRequirement: { 1: str('key', ptr), 2: str('operator', ptr), 3: strs('values') },
  PreferredSchedulingTerm: { 1: i32('weight', ptr), 2: msg('preference', 'NodeSelectorTerm') },
  PodAffinity: {
    1: list('requiredDuringSchedulingIgnoredDuringExecution', 'PodAffinityTerm'),
    2: list('preferredDuringSchedulingIgnoredDuringExecution', 'WeightedPodAffinityTerm'),
  },
  PodAntiAffinity: {
    1: list('requiredDuringSchedulingIgnoredDuringExecution', 'PodAffinityTerm'),
    2: list('preferredDuringSchedulingIgnoredDuringExecution', 'WeightedPodAffinityTerm'),
  },
  PodAffinityTerm: {
    1: msg('labelSelector', 'LabelSelector'), 2: strs('namespaces'), 3: str('topologyKey', ptr),
    4: msg('namespaceSelector', 'LabelSelector'), 5: strs('matchLabelKeys'), 6: strs('mismatchLabelKeys'),
  },
  WeightedPodAffinityTerm: { 1: i32('weight', ptr), 2: msg('podAffinityTerm', 'PodAffinityTerm') },

  // ---- apps/v1 ----
  Deployment: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'DeploymentSpec'), 3: msg('status', 'DeploymentStatus') },
  DeploymentSpec: {
    1: i32('replicas', ptr), 2: msg('selector', 'LabelSelector'), 3: msg('template', 'PodTemplateSpec'),
    4: msg('strategy', 'DeploymentStrategy'), 5: i32('minReadySeconds'), 6: i32('revisionHistoryLimit', ptr),
    7: bool('paused'), 9: i32('progressDeadlineSeconds', ptr),
  },
  DeploymentStrategy: { 1: str('type'), 2: msg('rollingUpdate', 'RollingUpdateDeployment') },
  RollingUpdateDeployment: { 1: msg('maxUnavailable', 'IntOrString'), 2: msg('maxSurge', 'IntOrString') },
  DeploymentStatus: {
    1: i64('observedGeneration'), 2: i32('replicas'), 3: i32('updatedReplicas'), 7: i32('readyReplicas'),
    4: i32('availableReplicas'), 5: i32('unavailableReplicas'), 9: i32('terminatingReplicas', ptr), 8: i32('collisionCount', ptr),
  },
  ReplicaSet: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'ReplicaSetSpec'), 3: msg('status', 'ReplicaSetStatus') },
  ReplicaSetSpec: {
    1: i32('replicas', ptr), 4: i32('minReadySeconds'), 2: msg('selector', 'LabelSelector'), 3: msg('template', 'PodTemplateSpec'),
  },
  ReplicaSetStatus: {
    1: i32('replicas', ptr), 2: i32('fullyLabeledReplicas'), 4: i32('readyReplicas'), 5: i32('availableReplicas'),
    7: i32('terminatingReplicas', ptr), 3: i64('observedGeneration'),
  },

  // ---- batch/v1 ----
  Job: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'JobSpec'), 3: msg('status', 'JobStatus') },
  JobSpec: {
    1: i32('parallelism', ptr), 2: i32('completions', ptr), 3: i64('activeDeadlineSeconds', ptr),
    7: i32('backoffLimit', ptr), 12: i32('backoffLimitPerIndex', ptr), 13: i32('maxFailedIndexes', ptr),
    4: msg('selector', 'LabelSelector'), 5: bool('manualSelector', ptr), 6: msg('template', 'PodTemplateSpec'),
    8: i32('ttlSecondsAfterFinished', ptr), 9: str('completionMode', ptr), 10: bool('suspend', ptr),
    14: str('podReplacementPolicy', ptr), 15: str('managedBy', ptr),
  },
  // Server-owned; a client's create carries it empty.
  JobStatus: {},
  JobTemplateSpec: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'JobSpec') },
  CronJob: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'CronJobSpec'), 3: msg('status', 'CronJobStatus') },
  CronJobSpec: {
    1: str('schedule', ptr), 8: str('timeZone', ptr), 2: i64('startingDeadlineSeconds', ptr), 3: str('concurrencyPolicy'),
    4: bool('suspend', ptr), 5: msg('jobTemplate', 'JobTemplateSpec'), 6: i32('successfulJobsHistoryLimit', ptr),
    7: i32('failedJobsHistoryLimit', ptr),
  },
  CronJobStatus: { 1: list('active', 'ObjectReference'), 4: msg('lastScheduleTime', 'Time'), 5: msg('lastSuccessfulTime', 'Time') },

  // ---- rbac.authorization.k8s.io/v1 ----
  Role: { 1: msg('metadata', 'ObjectMeta'), 2: list('rules', 'PolicyRule') },
  ClusterRole: { 1: msg('metadata', 'ObjectMeta'), 2: list('rules', 'PolicyRule'), 3: msg('aggregationRule', 'AggregationRule') },
  RoleBinding: { 1: msg('metadata', 'ObjectMeta'), 2: list('subjects', 'Subject'), 3: msg('roleRef', 'RoleRef') },
  ClusterRoleBinding: { 1: msg('metadata', 'ObjectMeta'), 2: list('subjects', 'Subject'), 3: msg('roleRef', 'RoleRef') },
  PolicyRule: { 1: strs('verbs'), 2: strs('apiGroups'), 3: strs('resources'), 4: strs('resourceNames'), 5: strs('nonResourceURLs') },
  AggregationRule: { 1: list('clusterRoleSelectors', 'LabelSelector') },
  RoleRef: { 1: str('apiGroup', ptr), 2: str('kind', ptr), 3: str('name', ptr) },
  Subject: { 1: str('kind', ptr), 2: str('apiGroup'), 3: str('name', ptr), 4: str('namespace') },

  // ---- policy/v1 ----
  PodDisruptionBudget: {
    1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'PodDisruptionBudgetSpec'), 3: msg('status', 'PodDisruptionBudgetStatus'),
  },
  PodDisruptionBudgetSpec: {
    1: msg('minAvailable', 'IntOrString'), 2: msg('selector', 'LabelSelector'), 3: msg('maxUnavailable', 'IntOrString'),
    4: str('unhealthyPodEvictionPolicy', ptr),
  },
  PodDisruptionBudgetStatus: {
    1: i64('observedGeneration'), 2: { name: 'disruptedPods', type: 'map<string,message:Time>' },
    3: i32('disruptionsAllowed', ptr), 4: i32('currentHealthy', ptr), 5: i32('desiredHealthy', ptr),
    6: i32('expectedPods', ptr), 7: list('conditions', 'Condition'),
  },

  // ---- authorization.k8s.io/v1 (`kubectl auth can-i`) ----
  SelfSubjectAccessReview: {
    1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'SelfSubjectAccessReviewSpec'), 3: msg('status', 'SubjectAccessReviewStatus'),
  },
  SelfSubjectAccessReviewSpec: {
    1: msg('resourceAttributes', 'ResourceAttributes'), 2: msg('nonResourceAttributes', 'NonResourceAttributes'),
  },
  SubjectAccessReview: {
    1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'SubjectAccessReviewSpec'), 3: msg('status', 'SubjectAccessReviewStatus'),
  },
  LocalSubjectAccessReview: {
    1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'SubjectAccessReviewSpec'), 3: msg('status', 'SubjectAccessReviewStatus'),
  },
  // `extra` (5, map of ExtraValue) is not decoded: no client sends it on create.
  SubjectAccessReviewSpec: {
    1: msg('resourceAttributes', 'ResourceAttributes'), 2: msg('nonResourceAttributes', 'NonResourceAttributes'),
    3: str('user'), 4: strs('groups'), 6: str('uid'),
  },
  ResourceAttributes: {
    1: str('namespace'), 2: str('verb'), 3: str('group'), 4: str('version'), 5: str('resource'), 6: str('subresource'),
    7: str('name'), 8: msg('fieldSelector', 'FieldSelectorAttributes'), 9: msg('labelSelector', 'LabelSelectorAttributes'),
  },
  FieldSelectorAttributes: { 1: str('rawSelector'), 2: list('requirements', 'FieldSelectorRequirement') },
  FieldSelectorRequirement: { 1: str('key', ptr), 2: str('operator', ptr), 3: strs('values') },
  LabelSelectorAttributes: { 1: str('rawSelector'), 2: list('requirements', 'LabelSelectorRequirement') },
  NonResourceAttributes: { 1: str('path'), 2: str('verb') },
  SubjectAccessReviewStatus: { 1: bool('allowed', ptr), 4: bool('denied'), 2: str('reason'), 3: str('evaluationError') },
  SelfSubjectRulesReview: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'SelfSubjectRulesReviewSpec') },
  SelfSubjectRulesReviewSpec: { 1: str('namespace') },

  // ---- authentication.k8s.io/v1 (`kubectl create token`, `kubectl auth whoami`) ----
  TokenRequest: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'TokenRequestSpec'), 3: msg('status', 'TokenRequestStatus') },
  TokenRequestSpec: { 1: strs('audiences'), 4: i64('expirationSeconds', ptr), 3: msg('boundObjectRef', 'BoundObjectReference') },
  BoundObjectReference: { 1: str('kind'), 2: str('apiVersion'), 3: str('name'), 4: str('uid') },
  TokenRequestStatus: { 1: str('token', ptr), 2: msg('expirationTimestamp', 'Time') },
  TokenReview: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'TokenReviewSpec') },
  TokenReviewSpec: { 1: str('token'), 2: strs('audiences') },
  SelfSubjectReview: { 1: msg('metadata', 'ObjectMeta'), 2: msg('status', 'SelfSubjectReviewStatus') },
  SelfSubjectReviewStatus: { 1: msg('userInfo', 'UserInfo') },
  // `extra` (4, map of ExtraValue) is not decoded: clients send this empty.
  UserInfo: { 1: str('username'), 2: str('uid'), 3: strs('groups') },

  // ---- scheduling.k8s.io/v1 ----
  PriorityClass: {
    1: msg('metadata', 'ObjectMeta'), 2: i32('value', ptr), 3: bool('globalDefault'), 4: str('description'),
    5: str('preemptionPolicy', ptr),
  },
};

/** Top-level kinds the apiserver accepts as protobuf: `apiVersion/Kind` → message. */
export const KINDS: Readonly<Record<string, string>> = {
  'v1/Namespace': 'Namespace',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Secret': 'Secret',
  'v1/ServiceAccount': 'ServiceAccount',
  'v1/Service': 'Service',
  'v1/Pod': 'Pod',
  'v1/ResourceQuota': 'ResourceQuota',
  'apps/v1/Deployment': 'Deployment',
  'apps/v1/ReplicaSet': 'ReplicaSet',
  'batch/v1/Job': 'Job',
  'batch/v1/CronJob': 'CronJob',
  'rbac.authorization.k8s.io/v1/Role': 'Role',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'ClusterRoleBinding',
  'policy/v1/PodDisruptionBudget': 'PodDisruptionBudget',
  'scheduling.k8s.io/v1/PriorityClass': 'PriorityClass',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'SelfSubjectAccessReview',
  'authorization.k8s.io/v1/SubjectAccessReview': 'SubjectAccessReview',
  'authorization.k8s.io/v1/LocalSubjectAccessReview': 'LocalSubjectAccessReview',
  'authorization.k8s.io/v1/SelfSubjectRulesReview': 'SelfSubjectRulesReview',
  'authentication.k8s.io/v1/TokenRequest': 'TokenRequest',
  'authentication.k8s.io/v1/TokenReview': 'TokenReview',
  'authentication.k8s.io/v1/SelfSubjectReview': 'SelfSubjectReview',
};
