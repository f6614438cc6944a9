// The catalogue of served resources. Adding a built-in type to the apiserver
// starts here: one line, then (optionally) a strategy in pkg/registry.
import type { ResourceInfo } from './resourceinfo.js';

function r(group: string, version: string, kind: string, plural: string, namespaced: boolean, extra: Partial<ResourceInfo> = {}): ResourceInfo {
  return { group, version, kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), namespaced, ...extra };
}

export const BUILTIN_RESOURCES: ResourceInfo[] = [
  // core/v1
  r('', 'v1', 'Namespace', 'namespaces', false, { shortNames: ['ns'], subresources: ['status', 'finalize'] }),
  r('', 'v1', 'Pod', 'pods', true, {
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'binding', 'log', 'eviction', 'exec', 'attach', 'portforward'],
  }),
  r('', 'v1', 'Service', 'services', true, { shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  r('', 'v1', 'Endpoints', 'endpoints', true, { shortNames: ['ep'], singular: 'endpoints' }),
  r('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  r('', 'v1', 'Secret', 'secrets', true),
  r('', 'v1', 'Node', 'nodes', false, { shortNames: ['no'], subresources: ['status', 'proxy'] }),
  r('', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  r('', 'v1', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'], subresources: ['token'] }),
  r('', 'v1', 'PersistentVolume', 'persistentvolumes', false, { shortNames: ['pv'], subresources: ['status'] }),
  r('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, { shortNames: ['pvc'], subresources: ['status'] }),
  r('', 'v1', 'ResourceQuota', 'resourcequotas', true, { shortNames: ['quota'], subresources: ['status'] }),
  r('', 'v1', 'LimitRange', 'limitranges', true, { shortNames: ['limits'] }),
  r('', 'v1', 'ReplicationController', 'replicationcontrollers', true, { shortNames: ['rc'], categories: ['all'], subresources: ['status', 'scale'] }),
  // Read-only, answered by probing the control plane (deprecated upstream, still served).
  r('', 'v1', 'ComponentStatus', 'componentstatuses', false, { shortNames: ['cs'], verbs: ['get', 'list'], deprecatedIn: '1.19' }),
  // metrics.k8s.io/v1beta1: read-only, answered from the kubelets' resource metrics (pkg/registry/metrics).
  r('metrics.k8s.io', 'v1beta1', 'NodeMetrics', 'nodes', false, { verbs: ['get', 'list'] }),
  r('metrics.k8s.io', 'v1beta1', 'PodMetrics', 'pods', true, { verbs: ['get', 'list'] }),
  // apps/v1
  r('apps', 'v1', 'Deployment', 'deployments', true, { shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] }),
  r('apps', 'v1', 'ReplicaSet', 'replicasets', true, { shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'] }),
  r('apps', 'v1', 'StatefulSet', 'statefulsets', true, { shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'] }),
  r('apps', 'v1', 'DaemonSet', 'daemonsets', true, { shortNames: ['ds'], categories: ['all'], subresources: ['status'] }),
  r('apps', 'v1', 'ControllerRevision', 'controllerrevisions', true),
  // batch/v1
  r('batch', 'v1', 'Job', 'jobs', true, { categories: ['all'], subresources: ['status'] }),
  r('batch', 'v1', 'CronJob', 'cronjobs', true, { shortNames: ['cj'], categories: ['all'], subresources: ['status'] }),
  // others
  r('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true),
  r('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  r('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, { shortNames: ['hpa'], categories: ['all'], subresources: ['status'] }),
  r('autoscaling', 'v1', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, { shortNames: ['hpa'], categories: ['all'], subresources: ['status'] }),
  r('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, { shortNames: ['pdb'], subresources: ['status'] }),
  // authentication.k8s.io/v1: reviews, only created and never stored
  r('authentication.k8s.io', 'v1', 'TokenReview', 'tokenreviews', false, { verbs: ['create'] }),
  r('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews', false, { verbs: ['create'] }),
  r('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  r('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  r('events.k8s.io', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  // authorization.k8s.io/v1: reviews are created and answered, never stored.
  r('authorization.k8s.io', 'v1', 'SubjectAccessReview', 'subjectaccessreviews', false, { verbs: ['create'] }),
  r('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, { verbs: ['create'] }),
  r('authorization.k8s.io', 'v1', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true, { verbs: ['create'] }),
  r('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', false, { verbs: ['create'] }),
  r('scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', false, { shortNames: ['pc'] }),
  r('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false, { shortNames: ['sc'] }),
  // networking.k8s.io/v1, certificates.k8s.io/v1, node.k8s.io/v1
  r('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, { shortNames: ['ing'], subresources: ['status'] }),
  r('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false),
  r('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, { shortNames: ['netpol'] }),
  r('certificates.k8s.io', 'v1', 'CertificateSigningRequest', 'certificatesigningrequests', false, {
    shortNames: ['csr'],
    subresources: ['status', 'approval'],
  }),
  r('node.k8s.io', 'v1', 'RuntimeClass', 'runtimeclasses', false),
  r('admissionregistration.k8s.io', 'v1', 'MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', false, { categories: ['api-extensions'] }),
  r('admissionregistration.k8s.io', 'v1', 'ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', false, { categories: ['api-extensions'] }),
  r('admissionregistration.k8s.io', 'v1', 'ValidatingAdmissionPolicy', 'validatingadmissionpolicies', false, {
    categories: ['api-extensions'],
    subresources: ['status'],
  }),
  r('admissionregistration.k8s.io', 'v1', 'ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybindings', false, { categories: ['api-extensions'] }),
  r('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, {
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: ['status'],
  }),
];
