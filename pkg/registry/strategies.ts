// One Strategy per built-in kind: defaulting (api/<group>/<version>/defaults.ts)
// followed by semantic validation (api/<group>/<version>/validation.ts), the way
// Kubernetes' per-type strategies compose SetDefaults_* with Validate*.
import type { KubeObject } from '../../api/meta/v1/types.js';
import type { StatusCause } from '../../api/meta/v1/status.js';
import type { StrategyWithHooks } from './strategy.js';
import { podStrategy } from './core/pod/strategy.js';
import * as coreDefaults from '../../api/core/v1/defaults.js';
import * as core from '../../api/core/v1/validation.js';
import * as appsDefaults from '../../api/apps/v1/defaults.js';
import * as apps from '../../api/apps/v1/validation.js';
import * as batchDefaults from '../../api/batch/v1/defaults.js';
import * as batch from '../../api/batch/v1/validation.js';
import { setDefaultsEndpointSlice } from '../../api/discovery/v1/defaults.js';
import { validateEndpointSlice, validateEndpointSliceUpdate } from '../../api/discovery/v1/validation.js';
import { validateLease } from '../../api/coordination/v1/validation.js';
import { setDefaultsHorizontalPodAutoscalerV1 } from '../../api/autoscaling/v1/defaults.js';
import { validateHorizontalPodAutoscalerV1 } from '../../api/autoscaling/v1/validation.js';
import { setDefaultsHorizontalPodAutoscalerV2 } from '../../api/autoscaling/v2/defaults.js';
import { validateHorizontalPodAutoscalerV2 } from '../../api/autoscaling/v2/validation.js';
import { validatePodDisruptionBudget } from '../../api/policy/v1/validation.js';
import { setDefaultsRoleBinding } from '../../api/rbac/v1/defaults.js';
import * as rbac from '../../api/rbac/v1/validation.js';
import { validateEventV1 } from '../../api/events/v1/validation.js';
import { setDefaultsPriorityClass } from '../../api/scheduling/v1/defaults.js';
import { validatePriorityClass, validatePriorityClassUpdate } from '../../api/scheduling/v1/validation.js';
import { setDefaultsStorageClass } from '../../api/storage/v1/defaults.js';
import { validateStorageClass, validateStorageClassUpdate } from '../../api/storage/v1/validation.js';
import { setDefaultsCustomResourceDefinition } from '../../api/apiextensions/v1/defaults.js';
import { validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate } from '../../api/apiextensions/v1/validation.js';
import { validateCustomResourceConversion, validateCustomResourceConversionUpdate } from '../../api/apiextensions/v1/conversionvalidation.js';
import { setDefaultsIngressClass, setDefaultsNetworkPolicy } from '../../api/networking/v1/defaults.js';
import * as networking from '../../api/networking/v1/validation.js';
import { validateRuntimeClass, validateRuntimeClassUpdate } from '../../api/node/v1/validation.js';
import { setDefaultsMutatingWebhookConfiguration, setDefaultsValidatingWebhookConfiguration } from '../../api/admissionregistration/v1/defaults.js';
import * as admissionregistration from '../../api/admissionregistration/v1/validation.js';
import { validateCustomResourceDefinitionRules } from './apiextensions/cel/crdvalidation.js';
import { csrStrategy } from './certificates/certificatesigningrequest/strategy.js';
import { validateWebhookMatchConditions } from './admissionregistration/webhook/validation.js';
import { policyStrategy, policyBindingStrategy } from './admissionregistration/policy/strategy.js';

export type { StrategyWithHooks } from './strategy.js';

type Validate = (obj: KubeObject) => StatusCause[];
type ValidateUpdate = (obj: KubeObject, old: KubeObject) => StatusCause[];

function strategy(
  defaults: ((obj: KubeObject) => void) | undefined,
  validate: Validate,
  validateUpdate: ValidateUpdate = core.validateMetaUpdate,
  prepareForCreate?: (obj: KubeObject) => void,
): StrategyWithHooks {
  const s: StrategyWithHooks = { validate, validateUpdate };
  if (defaults) s.defaults = defaults;
  if (prepareForCreate) s.prepareForCreate = prepareForCreate;
  return s;
}

/** Kinds whose metadata.generation counts spec changes (their status is a subresource a controller writes). */
function tracksGeneration(s: StrategyWithHooks): StrategyWithHooks {
  return { ...s, tracksGeneration: true };
}

/** Field checks (api/) followed by the checks that compile CEL expressions (pkg/cel cannot be reached from api/). */
const withCEL =
  (validate: Validate, cel: Validate): Validate =>
  (obj) => [...validate(obj), ...cel(obj)];
const withCELUpdate =
  (validate: ValidateUpdate, cel: Validate): ValidateUpdate =>
  (obj, old) => [...validate(obj, old), ...cel(obj)];

const GENERIC = strategy(undefined, core.validateMetaSubdomain);

const STRATEGIES: Record<string, StrategyWithHooks> = {
  // core/v1
  '/v1/Pod': podStrategy,
  '/v1/Service': { ...strategy(coreDefaults.setDefaultsService, core.validateService, core.validateServiceUpdate), returnDeletedObject: true },
  '/v1/Namespace': strategy(coreDefaults.setDefaultsNamespace, core.validateNamespace, core.validateMetaUpdate, coreDefaults.prepareNewNamespace),
  '/v1/ConfigMap': strategy(undefined, core.validateConfigMap, core.validateConfigMapUpdate),
  '/v1/Secret': strategy(coreDefaults.setDefaultsSecret, core.validateSecret, core.validateSecretUpdate),
  '/v1/PersistentVolumeClaim': strategy(
    coreDefaults.setDefaultsPersistentVolumeClaim,
    core.validatePersistentVolumeClaim,
    core.validatePersistentVolumeClaimUpdate,
  ),
  '/v1/PersistentVolume': strategy(coreDefaults.setDefaultsPersistentVolume, core.validatePersistentVolume, core.validatePersistentVolumeUpdate),
  '/v1/ReplicationController': tracksGeneration(strategy(coreDefaults.setDefaultsReplicationController, core.validateReplicationController)),
  // Kubelets register their Node with its status.
  '/v1/Node': { ...strategy(coreDefaults.setDefaultsNode, core.validateNode), allowCreateWithStatus: true },
  '/v1/Endpoints': strategy(coreDefaults.setDefaultsEndpoints, core.validateEndpoints),
  '/v1/LimitRange': strategy(coreDefaults.setDefaultsLimitRange, core.validateLimitRange),
  '/v1/ResourceQuota': strategy(undefined, core.validateResourceQuota),
  '/v1/Event': strategy(undefined, core.validateEvent),
  '/v1/ServiceAccount': GENERIC,
  // apps/v1
  'apps/v1/Deployment': tracksGeneration(strategy(appsDefaults.setDefaultsDeployment, apps.validateDeployment, apps.validateWorkloadUpdate)),
  'apps/v1/ReplicaSet': tracksGeneration(strategy(appsDefaults.setDefaultsReplicaSet, apps.validateReplicaSet, apps.validateWorkloadUpdate)),
  'apps/v1/DaemonSet': tracksGeneration(strategy(appsDefaults.setDefaultsDaemonSet, apps.validateDaemonSet, apps.validateWorkloadUpdate)),
  'apps/v1/StatefulSet': tracksGeneration(strategy(appsDefaults.setDefaultsStatefulSet, apps.validateStatefulSet, apps.validateStatefulSetUpdate)),
  'apps/v1/ControllerRevision': strategy(undefined, apps.validateControllerRevision, apps.validateControllerRevisionUpdate),
  // batch/v1
  'batch/v1/Job': tracksGeneration(strategy(batchDefaults.setDefaultsJob, batch.validateJob, batch.validateJobUpdate, batchDefaults.prepareNewJob)),
  'batch/v1/CronJob': tracksGeneration(strategy(batchDefaults.setDefaultsCronJob, batch.validateCronJob, batch.validateCronJobUpdate)),
  // others
  'discovery.k8s.io/v1/EndpointSlice': tracksGeneration(strategy(setDefaultsEndpointSlice, validateEndpointSlice, validateEndpointSliceUpdate)),
  'coordination.k8s.io/v1/Lease': strategy(undefined, validateLease),
  'autoscaling/v1/HorizontalPodAutoscaler': tracksGeneration(strategy(setDefaultsHorizontalPodAutoscalerV1, validateHorizontalPodAutoscalerV1)),
  'autoscaling/v2/HorizontalPodAutoscaler': tracksGeneration(strategy(setDefaultsHorizontalPodAutoscalerV2, validateHorizontalPodAutoscalerV2)),
  'policy/v1/PodDisruptionBudget': tracksGeneration(strategy(undefined, validatePodDisruptionBudget)),
  'rbac.authorization.k8s.io/v1/Role': strategy(undefined, rbac.validateRole),
  'rbac.authorization.k8s.io/v1/ClusterRole': strategy(undefined, rbac.validateClusterRole),
  'rbac.authorization.k8s.io/v1/RoleBinding': strategy(setDefaultsRoleBinding, rbac.validateRoleBinding, rbac.validateBindingUpdate),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': strategy(setDefaultsRoleBinding, rbac.validateClusterRoleBinding, rbac.validateBindingUpdate),
  'events.k8s.io/v1/Event': strategy(undefined, validateEventV1),
  'scheduling.k8s.io/v1/PriorityClass': tracksGeneration(strategy(setDefaultsPriorityClass, validatePriorityClass, validatePriorityClassUpdate)),
  'storage.k8s.io/v1/StorageClass': strategy(setDefaultsStorageClass, validateStorageClass, validateStorageClassUpdate),
  'networking.k8s.io/v1/Ingress': {
    // A new Ingress has an empty status, as Go writes IngressStatus{} (`status: {loadBalancer: {}}`).
    ...tracksGeneration(strategy(undefined, networking.validateIngress, networking.validateIngressUpdate, (o) => (o.status = { loadBalancer: {} }))),
    validateCreate: networking.validateIngressClassAnnotation,
  },
  'networking.k8s.io/v1/IngressClass': tracksGeneration(
    strategy(setDefaultsIngressClass, networking.validateIngressClass, networking.validateIngressClassUpdate),
  ),
  'networking.k8s.io/v1/NetworkPolicy': tracksGeneration(
    strategy(setDefaultsNetworkPolicy, networking.validateNetworkPolicy, networking.validateNetworkPolicyUpdate),
  ),
  'certificates.k8s.io/v1/CertificateSigningRequest': csrStrategy,
  'node.k8s.io/v1/RuntimeClass': strategy(undefined, validateRuntimeClass, validateRuntimeClassUpdate),
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': tracksGeneration(
    strategy(
      setDefaultsValidatingWebhookConfiguration,
      withCEL(admissionregistration.validateValidatingWebhookConfiguration, validateWebhookMatchConditions),
      withCELUpdate(admissionregistration.validateValidatingWebhookConfigurationUpdate, validateWebhookMatchConditions),
    ),
  ),
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': tracksGeneration(
    strategy(
      setDefaultsMutatingWebhookConfiguration,
      withCEL(admissionregistration.validateMutatingWebhookConfiguration, validateWebhookMatchConditions),
      withCELUpdate(admissionregistration.validateMutatingWebhookConfigurationUpdate, validateWebhookMatchConditions),
    ),
  ),
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': policyStrategy,
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': policyBindingStrategy,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': tracksGeneration({
    ...strategy(
      setDefaultsCustomResourceDefinition,
      withCEL(validateCustomResourceDefinition, validateCustomResourceDefinitionRules),
      // The store runs validate on updates too.
      (crd, old) => [...validateCustomResourceDefinitionUpdate(crd, old), ...validateCustomResourceConversionUpdate(crd, old)],
    ),
    validateCreate: (crd) => validateCustomResourceConversion(crd),
  }),
};

/**
 * The strategy for a kind. Kinds without their own (custom resources, ...) get
 * the generic one: metadata checks with DNS-1123 subdomain names, immutable identity on update.
 */
export function strategyFor(group: string, version: string, kind: string): StrategyWithHooks {
  return STRATEGIES[`${group}/${version}/${kind}`] ?? GENERIC;
}
