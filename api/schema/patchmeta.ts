// Patch and list metadata of the served types, as Kubernetes declares it in its Go
// struct tags (patchStrategy / patchMergeKey) and markers (+listType, +listMapKeys,
// +mapType) in staging/src/k8s.io/api/*/types.go. The client-node models drop these,
// so they are kept here by definition name and field name. Strategic merge patch,
// server-side apply and the OpenAPI documents (x-kubernetes-patch-*, x-kubernetes-list-*)
// all read from this table.

export interface FieldPatchMeta {
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  mapType?: 'atomic' | 'granular';
}

const atomic: FieldPatchMeta = { listType: 'atomic' };
const set: FieldPatchMeta = { listType: 'set' };
const atomicMap: FieldPatchMeta = { mapType: 'atomic' };

/** merge by key, list-map keyed by the same key (or the given keys). */
function mergeBy(key: string, keys: string[] = [key], strategy = 'merge'): FieldPatchMeta {
  return { patchStrategy: strategy, patchMergeKey: key, listType: 'map', listMapKeys: keys };
}

const conditionsByType = mergeBy('type');

const CORE = 'io.k8s.api.core.v1.';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const APPS = 'io.k8s.api.apps.v1.';

const containerFields: Record<string, FieldPatchMeta> = {
  ports: mergeBy('containerPort', ['containerPort', 'protocol']),
  env: mergeBy('name'),
  envFrom: atomic,
  volumeMounts: mergeBy('mountPath'),
  volumeDevices: mergeBy('devicePath'),
  command: atomic,
  args: atomic,
  resizePolicy: atomic,
  restartPolicyRules: atomic,
};

const affinityTerm: Record<string, FieldPatchMeta> = { namespaces: atomic, matchLabelKeys: atomic, mismatchLabelKeys: atomic };
const podAffinity: Record<string, FieldPatchMeta> = {
  requiredDuringSchedulingIgnoredDuringExecution: atomic,
  preferredDuringSchedulingIgnoredDuringExecution: atomic,
};

export const PATCH_META: Record<string, Record<string, FieldPatchMeta>> = {
  // meta/v1
  [`${META}ObjectMeta`]: {
    finalizers: { patchStrategy: 'merge', listType: 'set' },
    ownerReferences: mergeBy('uid'),
    managedFields: atomic,
  },
  [`${META}LabelSelector`]: { matchExpressions: atomic },
  [`${META}LabelSelectorRequirement`]: { values: atomic },

  // core/v1: pods
  [`${CORE}PodSpec`]: {
    volumes: mergeBy('name', ['name'], 'merge,retainKeys'),
    initContainers: mergeBy('name'),
    containers: mergeBy('name'),
    ephemeralContainers: mergeBy('name'),
    imagePullSecrets: mergeBy('name'),
    tolerations: atomic,
    hostAliases: mergeBy('ip'),
    readinessGates: atomic,
    topologySpreadConstraints: mergeBy('topologyKey', ['topologyKey', 'whenUnsatisfiable']),
    resourceClaims: mergeBy('name', ['name'], 'merge,retainKeys'),
    schedulingGates: mergeBy('name'),
    nodeSelector: atomicMap,
  },
  [`${CORE}PodStatus`]: {
    conditions: conditionsByType,
    podIPs: mergeBy('ip'),
    hostIPs: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'atomic' },
    initContainerStatuses: atomic,
    containerStatuses: atomic,
    ephemeralContainerStatuses: atomic,
    resourceClaimStatuses: mergeBy('name', ['name'], 'merge,retainKeys'),
  },
  [`${CORE}Container`]: containerFields,
  [`${CORE}EphemeralContainer`]: containerFields,
  [`${CORE}ContainerStatus`]: {
    volumeMounts: mergeBy('mountPath'),
    allocatedResourcesStatus: mergeBy('name'),
  },
  [`${CORE}PodSecurityContext`]: { supplementalGroups: atomic, sysctls: atomic },
  [`${CORE}Capabilities`]: { add: atomic, drop: atomic },
  [`${CORE}ExecAction`]: { command: atomic },
  [`${CORE}HTTPGetAction`]: { httpHeaders: atomic },
  [`${CORE}PodDNSConfig`]: { nameservers: atomic, searches: atomic, options: atomic },
  [`${CORE}HostAlias`]: { hostnames: atomic },
  [`${CORE}TopologySpreadConstraint`]: { matchLabelKeys: atomic },
  [`${CORE}NodeSelector`]: { nodeSelectorTerms: atomic },
  [`${CORE}NodeSelectorTerm`]: { matchExpressions: atomic, matchFields: atomic },
  [`${CORE}NodeSelectorRequirement`]: { values: atomic },
  [`${CORE}NodeAffinity`]: { preferredDuringSchedulingIgnoredDuringExecution: atomic },
  [`${CORE}PodAffinity`]: podAffinity,
  [`${CORE}PodAntiAffinity`]: podAffinity,
  [`${CORE}PodAffinityTerm`]: affinityTerm,
  [`${CORE}ConfigMapVolumeSource`]: { items: atomic },
  [`${CORE}SecretVolumeSource`]: { items: atomic },
  [`${CORE}DownwardAPIVolumeSource`]: { items: atomic },
  [`${CORE}ProjectedVolumeSource`]: { sources: atomic },
  [`${CORE}ConfigMapProjection`]: { items: atomic },
  [`${CORE}SecretProjection`]: { items: atomic },
  [`${CORE}DownwardAPIProjection`]: { items: atomic },
  [`${CORE}ResourceRequirements`]: { claims: { listType: 'map', listMapKeys: ['name'] } },

  // core/v1: services, endpoints, nodes, namespaces, storage, accounts
  [`${CORE}ServiceSpec`]: {
    ports: mergeBy('port', ['port', 'protocol']),
    selector: atomicMap,
    clusterIPs: atomic,
    externalIPs: atomic,
    loadBalancerSourceRanges: atomic,
    ipFamilies: atomic,
  },
  [`${CORE}ServiceStatus`]: { conditions: conditionsByType },
  [`${CORE}LoadBalancerStatus`]: { ingress: atomic },
  [`${CORE}LoadBalancerIngress`]: { ports: atomic },
  [`${CORE}Endpoints`]: { subsets: atomic },
  [`${CORE}EndpointSubset`]: { addresses: atomic, notReadyAddresses: atomic, ports: atomic },
  [`${CORE}NodeSpec`]: { podCIDRs: { patchStrategy: 'merge', listType: 'set' }, taints: atomic },
  [`${CORE}NodeStatus`]: {
    conditions: conditionsByType,
    addresses: mergeBy('type'),
    images: atomic,
    volumesInUse: atomic,
    volumesAttached: atomic,
  },
  [`${CORE}ContainerImage`]: { names: atomic },
  [`${CORE}NamespaceSpec`]: { finalizers: atomic },
  [`${CORE}NamespaceStatus`]: { conditions: conditionsByType },
  [`${CORE}PersistentVolumeSpec`]: { accessModes: atomic, mountOptions: atomic },
  [`${CORE}PersistentVolumeClaimSpec`]: { accessModes: atomic },
  [`${CORE}PersistentVolumeClaimStatus`]: { conditions: conditionsByType, accessModes: atomic },
  [`${CORE}ServiceAccount`]: { secrets: mergeBy('name'), imagePullSecrets: atomic },
  [`${CORE}ReplicationControllerSpec`]: { selector: atomicMap },
  [`${CORE}ReplicationControllerStatus`]: { conditions: conditionsByType },
  [`${CORE}ResourceQuotaSpec`]: { scopes: atomic },
  [`${CORE}ScopeSelector`]: { matchExpressions: atomic },
  [`${CORE}ScopedResourceSelectorRequirement`]: { values: atomic },
  [`${CORE}LimitRangeSpec`]: { limits: atomic },
  [`${CORE}ComponentStatus`]: { conditions: conditionsByType },

  // apps/v1
  [`${APPS}DeploymentSpec`]: { strategy: { patchStrategy: 'retainKeys' } },
  [`${APPS}DeploymentStatus`]: { conditions: conditionsByType },
  [`${APPS}ReplicaSetStatus`]: { conditions: conditionsByType },
  [`${APPS}StatefulSetSpec`]: { volumeClaimTemplates: atomic },
  [`${APPS}StatefulSetStatus`]: { conditions: conditionsByType },
  [`${APPS}DaemonSetStatus`]: { conditions: conditionsByType },

  // batch/v1
  'io.k8s.api.batch.v1.JobStatus': { conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'atomic' } },
  'io.k8s.api.batch.v1.CronJobStatus': { active: atomic },
  'io.k8s.api.batch.v1.PodFailurePolicy': { rules: atomic },
  'io.k8s.api.batch.v1.PodFailurePolicyRule': { onPodConditions: atomic },
  'io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement': { values: set },
  'io.k8s.api.batch.v1.SuccessPolicy': { rules: atomic },

  // discovery.k8s.io/v1
  'io.k8s.api.discovery.v1.EndpointSlice': { endpoints: atomic, ports: atomic },
  'io.k8s.api.discovery.v1.Endpoint': { addresses: set },
  'io.k8s.api.discovery.v1.EndpointHints': { forZones: atomic },

  // autoscaling/v2
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec': { metrics: atomic },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus': { conditions: conditionsByType, currentMetrics: atomic },
  'io.k8s.api.autoscaling.v2.HPAScalingRules': { policies: atomic },

  // policy/v1
  'io.k8s.api.policy.v1.PodDisruptionBudgetStatus': { conditions: conditionsByType },

  // rbac.authorization.k8s.io/v1
  'io.k8s.api.rbac.v1.Role': { rules: atomic },
  'io.k8s.api.rbac.v1.ClusterRole': { rules: atomic },
  'io.k8s.api.rbac.v1.RoleBinding': { subjects: atomic },
  'io.k8s.api.rbac.v1.ClusterRoleBinding': { subjects: atomic },
  'io.k8s.api.rbac.v1.PolicyRule': { verbs: atomic, apiGroups: atomic, resources: atomic, resourceNames: atomic, nonResourceURLs: atomic },
  'io.k8s.api.rbac.v1.AggregationRule': { clusterRoleSelectors: atomic },

  // storage.k8s.io/v1
  'io.k8s.api.storage.v1.StorageClass': { mountOptions: atomic, allowedTopologies: atomic },

  // networking.k8s.io/v1
  'io.k8s.api.networking.v1.IngressSpec': { tls: atomic, rules: atomic },
  'io.k8s.api.networking.v1.IngressTLS': { hosts: atomic },
  'io.k8s.api.networking.v1.HTTPIngressRuleValue': { paths: atomic },
  'io.k8s.api.networking.v1.IngressLoadBalancerStatus': { ingress: atomic },
  'io.k8s.api.networking.v1.IngressLoadBalancerIngress': { ports: atomic },
  'io.k8s.api.networking.v1.NetworkPolicySpec': { ingress: atomic, egress: atomic, policyTypes: atomic },
  'io.k8s.api.networking.v1.NetworkPolicyIngressRule': { ports: atomic, from: atomic },
  'io.k8s.api.networking.v1.NetworkPolicyEgressRule': { ports: atomic, to: atomic },
  'io.k8s.api.networking.v1.IPBlock': { except: atomic },

  // certificates.k8s.io/v1
  'io.k8s.api.certificates.v1.CertificateSigningRequestSpec': { usages: atomic, groups: atomic },
  'io.k8s.api.certificates.v1.CertificateSigningRequestStatus': { conditions: { listType: 'map', listMapKeys: ['type'] } },

  // node.k8s.io/v1
  'io.k8s.api.node.v1.Scheduling': { nodeSelector: atomicMap, tolerations: atomic },

  // apiextensions.k8s.io/v1
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec': { versions: atomic },
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus': {
    conditions: { listType: 'map', listMapKeys: ['type'] },
    storedVersions: atomic,
  },
};

/** The patch metadata of one field of a named type, if Kubernetes declares any. */
export function patchMetaFor(definition: string, field: string): FieldPatchMeta | undefined {
  return PATCH_META[definition]?.[field];
}
