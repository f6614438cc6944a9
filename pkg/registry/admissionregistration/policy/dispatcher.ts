// The ValidatingAdmissionPolicy plugin's dispatcher (upstream's
// admission/plugin/policy/validating/dispatcher.go): every binding whose policy
// and binding select the request evaluates the policy once per param; each
// failed validation is handled by the binding's validationActions: Deny refuses
// the request (the first denial, in policy then binding order, is the answer),
// Warn adds a warning, Audit an audit annotation.
import type { ValidatingAdmissionPolicyBinding } from '../../../../api/admissionregistration/v1/types.js';
import { selectorFromLabelSelector } from '../../../../api/labels/selector.js';
import { StatusError, type StatusCause, type StatusReason } from '../../../../api/meta/v1/status.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { RequestContext } from '../../store.js';
import { admissionActivation, type RequestAuthorizer } from '../cel/activation.js';
import type { AdmissionAttributes } from '../webhook/attributes.js';
import { matches } from './match.js';
import type { PolicyMetrics } from './metrics.js';
import type { PolicyBinding, PolicySource } from './source.js';
import { evaluatePolicy, type Decision } from './validator.js';

/** Where a paramKind's objects are read: the watch cache of its resource. */
export interface ParamStore {
  namespaced: boolean;
  get(namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  list(namespace: string | undefined): Promise<KubeObject[]>;
}

export type ParamResolver = (apiVersion: string, kind: string) => ParamStore | undefined;
export type NamespaceGetter = (name: string) => Promise<KubeObject | undefined>;

const AUDIT_VALIDATION_FAILURE = 'validation.policy.admission.k8s.io/validation_failure';

const REASON_CODES: Record<string, number> = { Unauthorized: 401, Forbidden: 403, Invalid: 422, RequestEntityTooLarge: 413 };

interface Denial extends Decision {
  policy: string;
  binding: string;
}

/** A denial, as upstream words it: admission.NewForbidden with the validation's reason and code. */
function denialError(d: Denial, attr: AdmissionAttributes): StatusError {
  const message = `ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}' denied request: ${d.message}`;
  const name = attr.name || (attr.object?.metadata?.generateName ?? '') || 'Unknown';
  const gr = attr.group ? `${attr.resource}.${attr.group}` : attr.resource;
  const reason = (d.reason || 'Invalid') as StatusReason;
  return new StatusError(REASON_CODES[reason] ?? 400, reason, `${gr} "${name}" is forbidden: ${message}`, {
    name,
    group: attr.group || undefined,
    kind: attr.resource,
    causes: [{ message } as StatusCause],
  });
}

export class PolicyDispatcher {
  constructor(
    private readonly source: PolicySource,
    private readonly namespace: NamespaceGetter,
    private readonly params: ParamResolver,
    private readonly authorize?: RequestAuthorizer,
    private readonly metrics?: PolicyMetrics,
  ) {}

  async validate(attr: AdmissionAttributes, ctx: RequestContext): Promise<void> {
    const bound = await this.source.bound();
    if (bound.length === 0) return;
    let namespaceObject: KubeObject | undefined | null = null; // null: not read yet
    const nsObject = async () => {
      if (namespaceObject === null) namespaceObject = attr.namespace ? await this.namespace(attr.namespace) : undefined;
      return namespaceObject;
    };
    const nsLabels = async () => (await nsObject())?.metadata.labels ?? {};
    let base: Map<string, unknown> | undefined;
    let denial: Denial | undefined;
    const audits: Array<Record<string, unknown>> = [];
    for (const pb of bound) {
      if (!(await matches(pb.policy.match, attr, nsLabels))) continue;
      if (pb.match && !(await matches(pb.match, attr, nsLabels))) continue;
      base ??= admissionActivation(attr, await nsObject(), this.authorize);
      const actions = pb.binding.spec?.validationActions ?? [];
      for (const decision of await this.evaluate(pb, attr, base, ctx)) {
        const d: Denial = { ...decision, policy: pb.policy.name, binding: pb.name };
        if (actions.includes('Deny')) denial ??= d;
        if (actions.includes('Warn'))
          ctx.warnings.push(`Validation failed for ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}': ${d.message}`);
        if (actions.includes('Audit'))
          audits.push({ message: d.message, policy: d.policy, binding: d.binding, expressionIndex: d.expressionIndex, validationActions: actions });
      }
    }
    if (audits.length) ctx.addAuditAnnotation?.(AUDIT_VALIDATION_FAILURE, JSON.stringify(audits));
    if (denial) throw denialError(denial, attr);
  }

  /** The decisions of one binding: one evaluation per param it selects. */
  private async evaluate(pb: PolicyBinding, attr: AdmissionAttributes, base: ReadonlyMap<string, unknown>, ctx: RequestContext): Promise<Decision[]> {
    const params = await this.paramsOf(pb, attr);
    if ('error' in params) return pb.policy.failurePolicy === 'Fail' ? [{ message: params.error, reason: '', expressionIndex: -1 }] : [];
    if ('deny' in params) return [{ message: params.deny, reason: '', expressionIndex: -1 }];
    const out: Decision[] = [];
    for (const param of params.objects) {
      const start = performance.now();
      const result = await evaluatePolicy(pb.policy, base, param);
      const actions = pb.binding.spec?.validationActions ?? [];
      const action = result.decisions.length ? actions.map((a) => a.toLowerCase()).join(',') : 'allow';
      this.metrics?.observe(pb.policy.name, pb.name, result.errorType, action, (performance.now() - start) / 1000);
      out.push(...result.decisions);
      for (const [k, v] of result.annotations) ctx.addAuditAnnotation?.(k, v);
    }
    return out;
  }

  /** The params a binding selects: null alone for a policy without paramKind. */
  private async paramsOf(pb: PolicyBinding, attr: AdmissionAttributes): Promise<{ objects: Array<KubeObject | null> } | { error: string } | { deny: string }> {
    const paramKind = pb.policy.policy.spec?.paramKind;
    const ref = (pb.binding as ValidatingAdmissionPolicyBinding).spec?.paramRef;
    if (!paramKind) return { objects: [null] };
    if (!ref) return { error: `failed to configure binding: no paramRef specified for binding '${pb.name}'` };
    const store = this.params(paramKind.apiVersion ?? '', paramKind.kind ?? '');
    if (!store)
      return { error: `failed to configure policy: failed to find resource referenced by paramKind: '${paramKind.apiVersion}, Kind=${paramKind.kind}'` };
    let namespace: string | undefined;
    if (store.namespaced) {
      namespace = ref.namespace || attr.namespace;
      if (!namespace) return { error: 'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources' };
    }
    let objects: KubeObject[];
    if (ref.name) {
      const obj = await store.get(namespace, ref.name);
      objects = obj ? [obj] : [];
    } else {
      const selector = selectorFromLabelSelector(ref.selector ?? {});
      objects = (await store.list(namespace)).filter((o) => selector.matches(o.metadata.labels));
    }
    if (objects.length > 0) return { objects };
    if (ref.parameterNotFoundAction === 'Deny') return { deny: 'no params found for policy binding with `Deny` parameterNotFoundAction' };
    return { objects: [] };
  }
}
