// Webhook conversion of custom resources, after apiextensions-apiserver's
// webhookConverter: the objects not yet at the desired version go to the CRD's
// conversion webhook in one ConversionReview (v1 or v1beta1, the first of
// conversionReviewVersions this server speaks), through the admission webhooks'
// client (keep-alive, caBundle, Service routing). The answer is checked as upstream
// checks it: its kind, uid, result, count, and each object's apiVersion, kind,
// name, namespace and uid. Of the metadata the webhook sends back, only labels and
// annotations are taken (validated when changed); the rest is the original's.
import { randomUUID } from 'node:crypto';
import type { CustomResourceDefinition } from '../../../api/apiextensions/v1/types.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { StatusError } from '../../../api/meta/v1/status.js';
import { validateAnnotations, validateLabels } from '../../../api/validation/objectmeta.js';
import { postWebhook, WebhookPostError, type ServiceResolver } from '../admissionregistration/webhook/client.js';

/** Upstream's conversion webhook client timeout. */
const TIMEOUT_SECONDS = 30;

const REVIEW_GROUP = 'apiextensions.k8s.io';
const SUPPORTED_REVIEW_VERSIONS = new Set(['v1', 'v1beta1']);

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's schema.GroupVersionKind.String(). */
function gvkString(apiVersion: unknown, kind: unknown): string {
  return `${typeof apiVersion === 'string' ? apiVersion : ''}, Kind=${typeof kind === 'string' ? kind : ''}`;
}

/** What client-go's REST client says of an answer outside 2xx without a Status in it. */
function statusCodeMessage(err: WebhookPostError): string {
  const code = err.statusCode ?? 0;
  if (code === 404) return 'the server could not find the requested resource';
  if (code >= 500) return `an error on the server (${JSON.stringify((err.responseBody ?? '').trim() || 'unknown')}) has prevented the request from succeeding`;
  return 'the server rejected our request for an unknown reason';
}

/** A conversion failure: a 500 whose message is the converter's error, as the apiserver reports a non-API error. */
function conversionError(message: string): StatusError {
  return new StatusError(500, '', message);
}

export class WebhookConverter {
  private readonly reviewVersion?: string;

  constructor(
    private readonly crd: CustomResourceDefinition,
    private readonly resolveService: ServiceResolver,
  ) {
    const versions = crd.spec.conversion?.webhook?.conversionReviewVersions ?? [];
    this.reviewVersion = versions.find((v) => SUPPORTED_REVIEW_VERSIONS.has(v));
  }

  /**
   * The objects at apiVersion, in order; those already there are not sent. asList: the
   * objects are a list's items (named by the list's kind in errors).
   */
  async convert(objs: KubeObject[], apiVersion: string, asList = false): Promise<KubeObject[]> {
    const toConvert = objs.filter((o) => o.apiVersion !== apiVersion);
    if (toConvert.length === 0) return objs;
    const names = this.crd.status?.acceptedNames ?? this.crd.spec.names;
    const single = !asList && objs.length === 1;
    const what = single ? gvkString(objs[0].apiVersion, objs[0].kind) : gvkString(apiVersion, names.listKind || `${names.kind}List`);
    if (!this.reviewVersion) throw conversionError('no supported conversion review versions');
    const uid = randomUUID();
    const review = {
      apiVersion: `${REVIEW_GROUP}/${this.reviewVersion}`,
      kind: 'ConversionReview',
      request: { uid, desiredAPIVersion: apiVersion, objects: toConvert },
    };
    const clientConfig = this.crd.spec.conversion?.webhook?.clientConfig ?? {};
    let answer: unknown;
    try {
      answer = await postWebhook(clientConfig, TIMEOUT_SECONDS, JSON.stringify(review), this.resolveService);
    } catch (err) {
      if (!(err instanceof WebhookPostError)) throw err;
      const detail = err.stage === 'status' ? statusCodeMessage(err) : err.detail;
      throw conversionError(`conversion webhook for ${what} failed: ${detail}`);
    }
    let converted: unknown[];
    try {
      converted = this.convertedObjects(uid, answer);
    } catch (err) {
      throw conversionError(`conversion webhook for ${what} failed: ${(err as Error).message}`);
    }
    if (converted.length !== toConvert.length)
      throw conversionError(`conversion webhook for ${what} returned ${converted.length} objects, expected ${toConvert.length}`);
    const wantGV = apiVersion;
    if (single) {
      const out = converted[0];
      const original = objs[0];
      const bad = (m: string) => conversionError(`conversion webhook for ${what} returned invalid object at index 0: ${m}`);
      if (!isObj(out)) throw conversionError(`conversion webhook for ${what} failed, unexpected type at index 0`);
      if (out.apiVersion !== wantGV) throw bad(`invalid groupVersion (expected ${wantGV}, received ${String(out.apiVersion ?? '')})`);
      if (out.kind !== original.kind) throw bad(`invalid kind (expected ${original.kind ?? ''}, received ${String(out.kind ?? '')})`);
      const invalid = sameIdentity(original, out);
      if (invalid) throw conversionError(`conversion webhook for ${what} returned invalid object: ${invalid}`);
      const metaErr = restoreObjectMeta(original, out);
      if (metaErr) throw conversionError(`conversion webhook for ${what} returned invalid metadata: ${metaErr}`);
      return [out as KubeObject];
    }
    const result: KubeObject[] = [];
    let index = 0;
    for (const original of objs) {
      if (original.apiVersion === apiVersion) {
        result.push(original);
        continue;
      }
      const out = converted[index];
      if (!isObj(out)) throw conversionError(`conversion webhook for ${what} returned invalid converted object at index ${index}: not an object`);
      // Upstream counts the object before these checks, so they name the next index.
      index++;
      const bad = (m: string) => conversionError(`conversion webhook for ${what} returned invalid converted object at index ${index}: ${m}`);
      if (out.apiVersion !== wantGV) throw bad(`invalid groupVersion (expected ${wantGV}, received ${String(out.apiVersion ?? '')})`);
      if (out.kind !== original.kind) throw bad(`invalid kind (expected ${original.kind ?? ''}, received ${String(out.kind ?? '')})`);
      const invalid = sameIdentity(original, out);
      if (invalid) throw bad(invalid);
      const metaErr = restoreObjectMeta(original, out);
      if (metaErr) throw conversionError(`conversion webhook for ${what} returned invalid metadata in object at index ${index}: ${metaErr}`);
      result.push(out as KubeObject);
    }
    return result;
  }

  /** getConvertedObjectsFromResponse: the review answered, checked; its convertedObjects. */
  private convertedObjects(uid: string, answer: unknown): unknown[] {
    if (!isObj(answer)) throw new Error('no response provided');
    if (this.reviewVersion === 'v1') {
      const want = `${REVIEW_GROUP}/v1`;
      if (answer.apiVersion !== want || answer.kind !== 'ConversionReview')
        throw new Error(`expected webhook response of ${gvkString(want, 'ConversionReview')}, got ${gvkString(answer.apiVersion, answer.kind)}`);
    }
    const response = answer.response;
    if (!isObj(response)) throw new Error('no response provided');
    // v1beta1 reviews were never checked for their uid; upstream keeps it so.
    if (this.reviewVersion === 'v1' && response.uid !== uid)
      throw new Error(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(typeof response.uid === 'string' ? response.uid : '')}`);
    const result = isObj(response.result) ? response.result : {};
    if (result.status !== 'Success') {
      if (typeof result.message === 'string' && result.message) throw new Error(result.message);
      throw new Error(`response.result.status was '${typeof result.status === 'string' ? result.status : ''}', not 'Success'`);
    }
    return Array.isArray(response.convertedObjects) ? response.convertedObjects : [];
  }
}

function metaOf(o: Obj): Obj {
  return isObj(o.metadata) ? o.metadata : {};
}

/** validateConvertedObject: the webhook may not rename, move or re-identify an object. */
function sameIdentity(original: KubeObject, out: Obj): string | undefined {
  const a = metaOf(original as unknown as Obj);
  const b = metaOf(out);
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  if (s(original.kind) !== s(out.kind)) return `must have the same kind: ${s(original.kind)} != ${s(out.kind)}`;
  if (s(a.name) !== s(b.name)) return `must have the same name: ${s(a.name)} != ${s(b.name)}`;
  if (s(a.namespace) !== s(b.namespace)) return `must have the same namespace: ${s(a.namespace)} != ${s(b.namespace)}`;
  if (s(a.uid) !== s(b.uid)) return `must have the same UID: ${s(a.uid)} != ${s(b.uid)}`;
  return undefined;
}

/**
 * restoreObjectMeta: out's metadata becomes a copy of the original's, with the labels
 * and annotations the webhook returned (checked when they differ). An error message, or undefined.
 */
function restoreObjectMeta(original: KubeObject, out: Obj): string | undefined {
  if (!('metadata' in out)) return 'missing metadata in converted object';
  const returned = out.metadata;
  if (!isObj(returned)) return `invalid metadata of type ${Array.isArray(returned) ? '[]interface {}' : typeof returned} in converted object`;
  const meta = structuredClone(original.metadata ?? {}) as unknown as Obj;
  for (const field of ['labels', 'annotations'] as const) {
    const value = returned[field];
    if (value === undefined || value === null) {
      delete meta[field];
      continue;
    }
    if (!isObj(value)) return `invalid metadata.${field} of type ${Array.isArray(value) ? '[]interface {}' : typeof value} in converted object`;
    const before = isObj(meta[field]) ? (meta[field] as Obj) : {};
    let changed = Object.keys(before).length !== Object.keys(value).length;
    for (const [k, v] of Object.entries(value)) {
      if (typeof v !== 'string') return `metadata.${field}[${k}] must be a string, but is ${typeof v} in converted object`;
      if (!Object.prototype.hasOwnProperty.call(before, k) || before[k] !== v) changed = true;
    }
    if (changed) {
      const errs = field === 'labels' ? validateLabels(value, 'metadata.labels') : validateAnnotations(value, 'metadata.annotation');
      if (errs.length) {
        const msgs = errs.map((e) => `${e.field}: ${e.message}`);
        return msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`;
      }
    }
    meta[field] = value;
  }
  out.metadata = meta;
  return undefined;
}
