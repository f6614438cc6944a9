// PodSecurity admission, after upstream's k8s.io/pod-security-admission/admission: the
// namespace's labels choose a policy; a pod is refused when it breaks the enforce
// level, and a pod or a controller's pod template gets a warning for the warn level
// and an audit annotation for the audit level. Controllers' templates are never
// refused (their pods are, when created). A namespace whose enforce level tightens
// gets warnings naming the existing pods that would break it.
import type { Namespace, Pod, PodSpec, PodTemplateSpec } from '../../api/core/v1/types.js';
import type { KubeObject, ObjectMeta } from '../../api/meta/v1/types.js';
import { StatusError, newBadRequest, newForbidden, newInternalError, newInvalid, type StatusCause } from '../../api/meta/v1/status.js';
import {
  AUDIT_VIOLATIONS_ANNOTATION,
  AUDIT_LEVEL_LABEL,
  AUDIT_VERSION_LABEL,
  DEFAULT_POLICY,
  ENFORCED_POLICY_ANNOTATION,
  ENFORCE_LEVEL_LABEL,
  ENFORCE_VERSION_LABEL,
  WARN_LEVEL_LABEL,
  WARN_VERSION_LABEL,
  compareLevels,
  fullyPrivileged,
  levelVersionString,
  policyEquivalent,
  policyToEvaluate,
  sameLevelVersion,
  versionString,
  type LevelVersion,
  type Policy,
} from './api.js';
import { Evaluator, aggregateCheckResults, forbiddenDetail, forbiddenReason, type AggregateCheckResult } from './policy/evaluator.js';

/** The plugin's configuration (upstream's PodSecurityConfiguration): defaults and exemptions. */
export interface PodSecurityConfiguration {
  defaults: Policy;
  exemptions: { usernames: readonly string[]; namespaces: readonly string[]; runtimeClasses: readonly string[] };
}

export const DEFAULT_CONFIGURATION: PodSecurityConfiguration = {
  defaults: DEFAULT_POLICY,
  exemptions: { usernames: [], namespaces: [], runtimeClasses: [] },
};

/** One admission request, as the plugin sees it. */
export interface Attributes {
  group: string;
  resource: string;
  subresource?: string;
  operation: 'CREATE' | 'UPDATE';
  namespace: string;
  name: string;
  userName?: string;
  object: KubeObject;
  oldObject?: KubeObject;
}

/** The decision: a refusal (a Status error), warnings for the client, annotations for the audit log. */
export interface Response {
  error?: StatusError;
  warnings: string[];
  /** Keys without the pod-security.kubernetes.io/ prefix (audit-violations, enforce-policy, error). */
  auditAnnotations: Map<string, string>;
}

export type NamespaceGetter = (name: string) => Promise<Namespace>;
export type PodLister = (namespace: string) => Promise<Pod[]>;

/** The resources that carry a pod template, and where it is. */
const POD_TEMPLATE_PATHS: ReadonlyMap<string, readonly string[]> = new Map([
  ['/podtemplates', ['template']],
  ['/replicationcontrollers', ['spec', 'template']],
  ['apps/replicasets', ['spec', 'template']],
  ['apps/deployments', ['spec', 'template']],
  ['apps/statefulsets', ['spec', 'template']],
  ['apps/daemonsets', ['spec', 'template']],
  ['batch/jobs', ['spec', 'template']],
  ['batch/cronjobs', ['spec', 'jobTemplate', 'spec', 'template']],
]);

export function hasPodSpec(group: string, resource: string): boolean {
  return POD_TEMPLATE_PATHS.has(`${group}/${resource}`);
}

function podTemplateOf(group: string, resource: string, obj: KubeObject): PodTemplateSpec | undefined {
  let at: unknown = obj;
  for (const key of POD_TEMPLATE_PATHS.get(`${group}/${resource}`) ?? []) {
    at = at !== null && typeof at === 'object' && Object.hasOwn(at, key) ? (at as Record<string, unknown>)[key] : undefined;
  }
  return at !== null && typeof at === 'object' ? (at as PodTemplateSpec) : undefined;
}

/** Pod subresources upstream does not evaluate; ephemeralcontainers and resize are. */
const IGNORED_POD_SUBRESOURCES = new Set(['exec', 'attach', 'binding', 'eviction', 'log', 'portforward', 'proxy', 'status']);

/** The most pods checked when a namespace's enforce level changes. */
const NAMESPACE_MAX_PODS_TO_CHECK = 3000;
/** How long that check may take before it reports what it has. */
const NAMESPACE_POD_CHECK_TIMEOUT_MS = 1000;

const allowed = (): Response => ({ warnings: [], auditAnnotations: new Map() });

/** Admitted without evaluation, saying why in the audit annotations, as upstream's shared responses do. */
const allowedWith = (key: string, value: string): Response => ({ warnings: [], auditAnnotations: new Map([[key, value]]) });
const EXEMPTION_ANNOTATION = 'exempt';

export class PodSecurityAdmission {
  constructor(
    private readonly getNamespace: NamespaceGetter,
    private readonly listPods: PodLister,
    private readonly config: PodSecurityConfiguration = DEFAULT_CONFIGURATION,
    private readonly evaluator = new Evaluator(),
  ) {}

  policyToEvaluate(labels: Record<string, string> | undefined): { policy: Policy; errors: StatusCause[] } {
    return policyToEvaluate(labels, this.config.defaults);
  }

  async validate(attrs: Attributes): Promise<Response> {
    if (attrs.group === '' && attrs.resource === 'namespaces') return this.validateNamespace(attrs);
    if (attrs.group === '' && attrs.resource === 'pods') return this.validatePod(attrs);
    if (hasPodSpec(attrs.group, attrs.resource)) return this.validatePodController(attrs);
    return allowed();
  }

  async validateNamespace(attrs: Attributes): Promise<Response> {
    if (attrs.subresource) return allowed();
    const namespace = attrs.object as Namespace;
    const name = namespace.metadata.name ?? '';
    const { policy: newPolicy, errors: newErrors } = this.policyToEvaluate(namespace.metadata.labels);
    const invalid = (): Response => ({ ...allowed(), error: newInvalid('Namespace', '', name, newErrors) });
    const exemptWarning = (): Response => {
      const r = allowed();
      const warning = this.exemptNamespaceWarning(name, newPolicy, namespace.metadata.labels ?? {});
      if (warning) r.warnings.push(warning);
      return r;
    };
    if (attrs.operation === 'CREATE') {
      if (newErrors.length) return invalid();
      return this.exemptNamespace(name) ? exemptWarning() : allowed();
    }
    const old = attrs.oldObject as Namespace | undefined;
    const { policy: oldPolicy, errors: oldErrors } = this.policyToEvaluate(old?.metadata.labels);
    // Labels that were already invalid do not block other changes to the namespace.
    if (newErrors.length && (!oldErrors.length || JSON.stringify(newErrors) !== JSON.stringify(oldErrors))) return invalid();
    if (sameLevelVersion(newPolicy.enforce, oldPolicy.enforce)) return allowed();
    if (newPolicy.enforce.level === 'privileged') return allowed();
    // Loosening the level at the same version cannot make an existing pod break it.
    if (
      versionString(newPolicy.enforce.version) === versionString(oldPolicy.enforce.version) &&
      compareLevels(newPolicy.enforce.level, oldPolicy.enforce.level) < 1
    ) {
      return allowed();
    }
    if (this.exemptNamespace(name)) return exemptWarning();
    return { ...allowed(), warnings: await this.evaluatePodsInNamespace(name, newPolicy.enforce) };
  }

  async validatePod(attrs: Attributes): Promise<Response> {
    if (attrs.subresource && IGNORED_POD_SUBRESOURCES.has(attrs.subresource)) return allowed();
    const exempt = this.exemption(attrs);
    if (exempt) return exempt;
    let namespace: Namespace;
    try {
      namespace = await this.getNamespace(attrs.namespace);
    } catch (err) {
      const error = newInternalError(new Error(`failed to lookup namespace ${JSON.stringify(attrs.namespace)}`));
      return { ...allowed(), error, auditAnnotations: new Map([['error', `${error.message}: ${(err as Error).message}`]]) };
    }
    const { policy, errors } = this.policyToEvaluate(namespace.metadata.labels);
    if (!errors.length && fullyPrivileged(policy)) return allowedWith(ENFORCED_POLICY_ANNOTATION, 'privileged:latest');
    const pod = attrs.object as Pod;
    if (!pod.spec) return { ...allowed(), error: newBadRequest('failed to decode pod') };
    if (attrs.operation === 'UPDATE' && attrs.oldObject && !isSignificantPodUpdate(pod, attrs.oldObject as Pod)) return allowed();
    return this.evaluatePod(policy, errors, pod.metadata, pod.spec, attrs, true);
  }

  async validatePodController(attrs: Attributes): Promise<Response> {
    if (attrs.subresource) return allowed();
    const exempt = this.exemption(attrs);
    if (exempt) return exempt;
    let namespace: Namespace;
    try {
      namespace = await this.getNamespace(attrs.namespace);
    } catch (err) {
      const r = allowed();
      r.auditAnnotations.set('error', `failed to lookup namespace ${JSON.stringify(attrs.namespace)}: ${(err as Error).message}`);
      return r;
    }
    const { policy, errors } = this.policyToEvaluate(namespace.metadata.labels);
    if (!errors.length && policy.warn.level === 'privileged' && policy.audit.level === 'privileged') return allowed();
    const template = podTemplateOf(attrs.group, attrs.resource, attrs.object);
    if (!template) return allowed();
    return this.evaluatePod(policy, errors, template.metadata ?? {}, template.spec ?? ({} as PodSpec), attrs, false);
  }

  /** enforce: false for controllers' templates, which are only warned about and audited. */
  evaluatePod(policy: Policy, policyErrors: StatusCause[], meta: ObjectMeta, spec: PodSpec, attrs: Attributes, enforce: boolean): Response {
    if (this.exemptRuntimeClass(spec.runtimeClassName)) return allowedWith(EXEMPTION_ANNOTATION, 'runtimeClass');
    const response = allowed();
    if (policyErrors.length) {
      const each = policyErrors.map((e) => `${e.field}: ${e.message}`);
      response.auditAnnotations.set('error', `Failed to parse policy: ${each.length === 1 ? each[0] : `[${each.join(', ')}]`}`);
    }
    const cache = new Map<string, AggregateCheckResult>();
    const evaluate = (lv: LevelVersion): AggregateCheckResult => {
      const key = levelVersionString(lv);
      let result = cache.get(key);
      if (!result) {
        result = aggregateCheckResults(this.evaluator.evaluatePod(lv, meta, spec));
        cache.set(key, result);
      }
      return result;
    };
    if (enforce) {
      response.auditAnnotations.set(ENFORCED_POLICY_ANNOTATION, levelVersionString(policy.enforce));
      const result = evaluate(policy.enforce);
      if (!result.allowed) {
        response.error = newForbidden(
          { group: attrs.group, resource: attrs.resource, name: attrs.name },
          `violates PodSecurity ${JSON.stringify(levelVersionString(policy.enforce))}: ${forbiddenDetail(result)}`,
        );
      }
    }
    const audit = evaluate(policy.audit);
    if (!audit.allowed) {
      response.auditAnnotations.set(
        AUDIT_VIOLATIONS_ANNOTATION,
        `would violate PodSecurity ${JSON.stringify(levelVersionString(policy.audit))}: ${forbiddenDetail(audit)}`,
      );
    }
    if (!response.error) {
      const warn = evaluate(policy.warn);
      if (!warn.allowed) response.warnings.push(`would violate PodSecurity ${JSON.stringify(levelVersionString(policy.warn))}: ${forbiddenDetail(warn)}`);
    }
    return response;
  }

  /**
   * The warnings for a namespace's new enforce level: one line per distinct set of
   * reasons, naming the first pod (by name) that has it and how many others do.
   * Pods of a controller already seen are checked last (they likely share a template).
   */
  async evaluatePodsInNamespace(namespace: string, enforce: LevelVersion): Promise<string[]> {
    const deadline = Date.now() + NAMESPACE_POD_CHECK_TIMEOUT_MS;
    let pods: Pod[];
    try {
      pods = await this.listPods(namespace);
    } catch {
      return ['failed to list pods while checking new PodSecurity enforce level'];
    }
    const prioritized = this.prioritizePods(pods);
    const total = prioritized.length;
    const toCheck = prioritized.slice(0, NAMESPACE_MAX_PODS_TO_CHECK);
    let checked = toCheck.length;
    const seen = new Map<string, { podName: string; count: number }>();
    const order: string[] = [];
    for (let i = 0; i < toCheck.length; i++) {
      const pod = toCheck[i];
      const result = aggregateCheckResults(this.evaluator.evaluatePod(enforce, pod.metadata, pod.spec ?? ({} as PodSpec)));
      if (!result.allowed) {
        const warning = forbiddenReason(result);
        const name = pod.metadata.name ?? '';
        const entry = seen.get(warning);
        if (!entry) {
          seen.set(warning, { podName: name, count: 1 });
          order.push(warning);
        } else {
          if (name < entry.podName) entry.podName = name;
          entry.count++;
        }
      }
      if (Date.now() > deadline) {
        checked = i + 1;
        break;
      }
    }
    const warnings: string[] = [];
    if (checked < total) warnings.push(`new PodSecurity enforce level only checked against the first ${checked} of ${total} existing pods`);
    if (order.length) {
      warnings.push(
        `existing pods in namespace ${JSON.stringify(namespace)} violate the new PodSecurity enforce level ${JSON.stringify(levelVersionString(enforce))}`,
      );
    }
    const podWarnings = order.map((warning) => {
      const { podName, count } = seen.get(warning)!;
      if (count === 1) return `${podName}: ${warning}`;
      if (count === 2) return `${podName} (and 1 other pod): ${warning}`;
      return `${podName} (and ${count - 1} other pods): ${warning}`;
    });
    podWarnings.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return [...warnings, ...podWarnings];
  }

  private prioritizePods(pods: Pod[]): Pod[] {
    const first: Pod[] = [];
    const duplicates: Pod[] = [];
    const controllers = new Set<string>();
    for (const pod of pods) {
      if (this.exemptRuntimeClass(pod.spec?.runtimeClassName)) continue;
      const owner = (pod.metadata.ownerReferences ?? []).find((r) => r.controller === true);
      if (!owner) first.push(pod);
      else if (controllers.has(owner.uid)) duplicates.push(pod);
      else {
        controllers.add(owner.uid);
        first.push(pod);
      }
    }
    return [...first, ...duplicates];
  }

  /** The answer for a request from an exempt namespace or user (never evaluated), if it is one. */
  private exemption(attrs: Attributes): Response | undefined {
    if (this.exemptNamespace(attrs.namespace)) return allowedWith(EXEMPTION_ANNOTATION, 'namespace');
    if (this.exemptUser(attrs.userName)) return allowedWith(EXEMPTION_ANNOTATION, 'user');
    return undefined;
  }

  private exemptNamespace(namespace: string): boolean {
    return namespace !== '' && this.config.exemptions.namespaces.includes(namespace);
  }

  private exemptUser(userName: string | undefined): boolean {
    return !!userName && this.config.exemptions.usernames.includes(userName);
  }

  private exemptRuntimeClass(runtimeClass: string | undefined): boolean {
    return !!runtimeClass && this.config.exemptions.runtimeClasses.includes(runtimeClass);
  }

  private exemptNamespaceWarning(namespace: string, policy: Policy, labels: Record<string, string>): string {
    if (fullyPrivileged(policy) || policyEquivalent(policy, this.config.defaults)) return '';
    const has = (key: string): boolean => Object.hasOwn(labels, key);
    const parts: string[] = [];
    if (policy.enforce.level !== 'privileged' && (has(ENFORCE_LEVEL_LABEL) || has(ENFORCE_VERSION_LABEL)))
      parts.push(`enforce=${levelVersionString(policy.enforce)}`);
    if (policy.audit.level !== 'privileged' && (has(AUDIT_LEVEL_LABEL) || has(AUDIT_VERSION_LABEL))) parts.push(`audit=${levelVersionString(policy.audit)}`);
    if (policy.warn.level !== 'privileged' && (has(WARN_LEVEL_LABEL) || has(WARN_VERSION_LABEL))) parts.push(`warn=${levelVersionString(policy.warn)}`);
    return `namespace ${JSON.stringify(namespace)} is exempt from Pod Security, and the policy (${parts.join(', ')}) will be ignored`;
  }
}

/**
 * Whether a pod update can change what the policy sees: of a pod's spec only images
 * (and added ephemeral containers) may change after creation, so any other update
 * (labels, annotations, status) is not evaluated again.
 */
export function isSignificantPodUpdate(pod: Pod, old: Pod): boolean {
  const containers = pod.spec?.containers ?? [];
  const oldContainers = old.spec?.containers ?? [];
  const inits = pod.spec?.initContainers ?? [];
  const oldInits = old.spec?.initContainers ?? [];
  if (containers.length !== oldContainers.length || inits.length !== oldInits.length) return true;
  if (containers.some((c, i) => c.image !== oldContainers[i].image)) return true;
  if (inits.some((c, i) => c.image !== oldInits[i].image)) return true;
  const oldEphemeral = old.spec?.ephemeralContainers ?? [];
  for (const c of pod.spec?.ephemeralContainers ?? []) {
    const before = oldEphemeral.find((o) => o.name === c.name);
    if (!before || before.image !== c.image) return true;
  }
  return false;
}
