// The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins (upstream's
// k8s.io/apiserver/pkg/admission/plugin/webhook): every webhook whose rules and
// selectors match is sent an AdmissionReview. Mutating webhooks run one after
// another, each on the object the last one patched (JSONPatch), and those with
// reinvocationPolicy IfNeeded run once more when a later webhook changed the
// object. Validating webhooks run in parallel; the first refusal (in webhook
// order) is the answer. A call that fails (unreachable, timed out, a malformed
// answer) refuses the request under failurePolicy Fail and is skipped under Ignore.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { MutatingWebhook, ValidatingWebhook } from '../../../../api/admissionregistration/v1/types.js';
import { StatusError, newBadRequest, newInternalError, type StatusCause, type StatusDetails, type StatusReason } from '../../../../api/meta/v1/status.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import { applyJSONPatch } from '../../patch/jsonpatch.js';
import type { AdmissionAttributes } from './attributes.js';
import { reviewRequest } from './request.js';
import { admissionActivation, type RequestAuthorizer } from '../cel/activation.js';
import { CallError, callWebhook, type ServiceResolver } from './client.js';
import { namespaceForSelector, objectSelectorMatches, rulesMatch } from './match.js';
import type { Webhook, WebhookSource } from './source.js';
import type { WebhookMetrics } from './metrics.js';

type AnyWebhook = MutatingWebhook | ValidatingWebhook;

interface AdmissionResponse {
  uid?: string;
  allowed?: boolean;
  status?: { code?: number; message?: string; reason?: string; details?: StatusDetails };
  patch?: string;
  patchType?: string;
  warnings?: string[];
}

/** The labels of a namespace, from the watch cache; undefined when it does not exist. */
export type NamespaceLabels = (name: string) => Promise<Record<string, string> | undefined>;

const REVIEW_VERSIONS = ['v1', 'v1beta1'];

/** ToStatusErr: a webhook's refusal, as upstream words it. */
export function refusal(webhookName: string, attr: AdmissionAttributes, status: AdmissionResponse['status'] = {}): StatusError {
  const code = status.code || 403;
  const deniedBy = `admission webhook "${webhookName}" denied the request`;
  let message = status.message ? `${deniedBy}: ${status.message}` : status.reason ? `${deniedBy}: ${status.reason}` : `${deniedBy} without explanation`;
  const name = attr.name || 'Unknown';
  const gr = attr.group ? `${attr.resource}.${attr.group}` : attr.resource;
  message = code === 500 ? `Internal error occurred: ${message}` : `${gr} "${name}" is forbidden: ${message}`;
  const reason = (status.reason || (code === 500 ? 'InternalError' : 'Forbidden')) as StatusReason;
  const details: StatusDetails =
    status.details ?? (code === 500 ? { causes: [{ message } as StatusCause] } : { name, group: attr.group || undefined, kind: attr.resource });
  return new StatusError(code, reason, message, JSON.parse(JSON.stringify(details)) as StatusDetails);
}

export class WebhookDispatcher {
  constructor(
    private readonly source: WebhookSource,
    private readonly namespaceLabels: NamespaceLabels,
    private readonly resolveService: ServiceResolver,
    /** The two plugins can be turned off one by one (--disable-admission-plugins). */
    private readonly enabled = { mutating: true, validating: true },
    private readonly metrics?: WebhookMetrics,
    private readonly authorize?: RequestAuthorizer,
  ) {}

  /**
   * The webhooks of a kind that this request goes to (ShouldCallHook): rules, selectors, then
   * matchConditions; a condition that fails to evaluate skips the webhook under failurePolicy
   * Ignore and refuses the request under Fail.
   */
  private async relevant<W extends AnyWebhook>(hooks: Webhook<W>[], attr: AdmissionAttributes): Promise<Webhook<W>[]> {
    const out: Webhook<W>[] = [];
    let nsLabels: Record<string, string> | undefined | null = null; // null: not read yet
    let activation: Map<string, unknown> | undefined;
    for (const hook of hooks) {
      if (!rulesMatch(hook.webhook.rules, attr)) continue;
      if (!objectSelectorMatches(hook.objectSelector, attr)) continue;
      if (!hook.namespaceSelector.isEmpty()) {
        const ns = namespaceForSelector(attr);
        if (ns) {
          if (nsLabels === null) nsLabels = ns.labels ?? (await this.namespaceLabels(ns.name)) ?? {};
          if (!hook.namespaceSelector.matches(nsLabels)) continue;
        }
      }
      if (!hook.matchConditions.empty) {
        activation ??= admissionActivation(attr, undefined, this.authorize);
        const result = await hook.matchConditions.match(activation);
        if ('error' in result) {
          this.failed(hook.webhook, new CallError(hook.webhook.name, `failed evaluating match conditions: ${result.error}`));
          continue;
        }
        if (!result.matches) continue;
      }
      out.push(hook);
    }
    return out;
  }

  /** Mutating admission: may change attr.object in place (its content is replaced by the patched object's). */
  async mutate(attr: AdmissionAttributes, warnings: string[]): Promise<boolean> {
    if (!this.enabled.mutating || !attr.object) return false;
    const all = await this.source.mutating();
    if (all.length === 0) return false;
    const hooks = await this.relevant(all, attr);
    if (hooks.length === 0) return false;
    let changed = false;
    // The object as each IfNeeded webhook last saw it.
    const seen = new Map<Webhook<MutatingWebhook>, KubeObject>();
    for (const hook of hooks) {
      if (await this.callMutating(hook, attr, warnings)) changed = true;
      if (hook.webhook.reinvocationPolicy === 'IfNeeded') seen.set(hook, structuredClone(attr.object));
    }
    for (const [hook, before] of seen) {
      if (isDeepStrictEqual(before, attr.object)) continue;
      if (await this.callMutating(hook, attr, warnings)) changed = true;
    }
    return changed;
  }

  private async callMutating(hook: Webhook<MutatingWebhook>, attr: AdmissionAttributes, warnings: string[]): Promise<boolean> {
    const response = await this.call(hook, attr, true, warnings);
    if (!response?.patch) return false;
    const obj = attr.object as KubeObject;
    let ops: unknown;
    let patched: KubeObject;
    try {
      ops = JSON.parse(Buffer.from(response.patch, 'base64').toString()) as unknown;
      patched = applyJSONPatch(structuredClone(obj), ops) as KubeObject;
    } catch (err) {
      return (
        this.failed(hook.webhook, new CallError(hook.webhook.name, `JSON patch from the webhook could not be applied: ${(err as Error).message}`)) ?? false
      );
    }
    if (typeof patched !== 'object' || patched === null || typeof patched.metadata !== 'object' || patched.metadata === null) {
      return this.failed(hook.webhook, new CallError(hook.webhook.name, 'the patched object has no metadata')) ?? false;
    }
    // The kind and version are the request's, whatever the patch says (the decoder would refuse another kind).
    patched.apiVersion = obj.apiVersion;
    patched.kind = obj.kind;
    if (isDeepStrictEqual(patched, obj)) return false;
    for (const k of Object.keys(obj)) delete (obj as Record<string, unknown>)[k];
    Object.assign(obj, patched);
    return true;
  }

  /** Validating admission: throws the first refusal; the webhooks are called together. */
  async validate(attr: AdmissionAttributes, warnings: string[]): Promise<void> {
    if (!this.enabled.validating) return;
    const all = await this.source.validating();
    if (all.length === 0) return;
    const hooks = await this.relevant(all, attr);
    if (hooks.length === 0) return;
    const results = await Promise.allSettled(hooks.map((hook) => this.call(hook, attr, false, warnings)));
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }

  /** failurePolicy: Ignore skips a failed call (undefined), Fail refuses the request. */
  private failed(hook: AnyWebhook, err: CallError): undefined {
    if (hook.failurePolicy === 'Ignore') return undefined;
    throw newInternalError(err);
  }

  /** One call, timed: the response when the webhook allowed the request; throws its refusal. */
  private async call(hook: Webhook<AnyWebhook>, attr: AdmissionAttributes, mutating: boolean, warnings: string[]): Promise<AdmissionResponse | undefined> {
    if (!this.metrics) return this.callOnce(hook, attr, mutating, warnings);
    const start = performance.now();
    let rejected = true;
    try {
      const response = await this.callOnce(hook, attr, mutating, warnings);
      rejected = false;
      return response;
    } finally {
      this.metrics.observe(hook.webhook.name, mutating, attr.operation, rejected, (performance.now() - start) / 1000);
    }
  }

  private async callOnce(hook: Webhook<AnyWebhook>, attr: AdmissionAttributes, mutating: boolean, warnings: string[]): Promise<AdmissionResponse | undefined> {
    const webhook = hook.webhook;
    if (attr.dryRun && webhook.sideEffects !== 'None' && webhook.sideEffects !== 'NoneOnDryRun') {
      throw newBadRequest(`admission webhook "${webhook.name}" does not support dry run`);
    }
    const version = REVIEW_VERSIONS.find((v) => webhook.admissionReviewVersions.includes(v));
    if (!version)
      return this.failed(
        webhook,
        new CallError(webhook.name, `webhook does not accept known AdmissionReview versions: ${webhook.admissionReviewVersions.join(', ')}`),
      );
    const uid = randomUUID();
    const body = JSON.stringify({ apiVersion: `admission.k8s.io/${version}`, kind: 'AdmissionReview', request: reviewRequest(uid, attr) });
    let answer: unknown;
    try {
      answer = await callWebhook(webhook.name, webhook.clientConfig, webhook.timeoutSeconds ?? 10, body, this.resolveService);
    } catch (err) {
      if (err instanceof CallError) return this.failed(webhook, err);
      throw err;
    }
    const checked = verifyResponse(answer, uid, version, mutating);
    if (typeof checked === 'string') return this.failed(webhook, new CallError(webhook.name, checked));
    for (const w of checked.warnings ?? []) if (typeof w === 'string') warnings.push(w);
    if (!checked.allowed) throw refusal(webhook.name, attr, checked.status);
    return checked;
  }
}

/** VerifyAdmissionResponse: the response, or why it cannot be used. */
function verifyResponse(answer: unknown, uid: string, version: string, mutating: boolean): AdmissionResponse | string {
  const review = answer as { apiVersion?: unknown; kind?: unknown; response?: unknown } | null;
  if (version === 'v1' && (review?.apiVersion !== 'admission.k8s.io/v1' || review?.kind !== 'AdmissionReview')) {
    return `expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${String(review?.apiVersion ?? '')}, Kind=${String(review?.kind ?? '')}`;
  }
  const response = review?.response;
  if (typeof response !== 'object' || response === null || Array.isArray(response)) return 'webhook response was absent';
  const r = response as AdmissionResponse;
  if (r.uid !== uid) return `expected response.uid="${uid}", got "${String(r.uid ?? '')}"`;
  if (typeof r.allowed !== 'boolean') return 'webhook response has no allowed field';
  if (r.patch !== undefined && r.patch !== null) {
    if (!mutating) return 'validating webhooks may not return patches';
    if (r.patchType === undefined || r.patchType === null) return 'webhook returned response.patch but not response.patchType';
    if (r.patchType !== 'JSONPatch') return `webhook returned invalid response.patchType of "${String(r.patchType)}"`;
    if (typeof r.patch !== 'string') return 'webhook returned a response.patch that is not base64 text';
  }
  if (r.warnings !== undefined && !Array.isArray(r.warnings)) return 'webhook returned response.warnings that is not a list';
  return r;
}
