// serviceaccounts/token, after upstream's TokenREST
// (pkg/registry/core/serviceaccount/storage/token.go): a TokenRequest
// (authentication.k8s.io/v1) in, the same TokenRequest with status.token and
// status.expirationTimestamp out. Nothing is stored: the token is a JWT signed
// with the apiserver's --service-account-signing-key-file, bound to the service
// account and, when asked, to a Pod or Secret of its namespace.
import { newBadRequest, newConflict, newInvalid, type StatusCause } from '../../../../api/meta/v1/status.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { Pod } from '../../../../api/core/v1/types.js';
import {
  DEFAULT_TOKEN_EXPIRATION_SECONDS,
  EXPIRATION_EXTENSION_SECONDS,
  WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS,
  MAX_TOKEN_EXPIRATION_SECONDS,
  MIN_TOKEN_EXPIRATION_SECONDS,
  boundClaims,
  type ObjectRef,
} from '../../../util/serviceaccount/claims.js';
import type { TokenGenerator } from '../../../util/serviceaccount/generator.js';
import type { RequestContext, Store } from '../../store.js';
import { nodeIdentity } from '../../../auth/nodeidentifier.js';
import { tokenRequestRestriction } from '../../noderestriction/admission.js';

export interface TokenRequestSpec {
  audiences: string[];
  expirationSeconds: number;
  boundObjectRef?: { apiVersion?: string; kind?: string; name?: string; uid?: string };
}

export interface TokenRESTOptions {
  generator: TokenGenerator;
  /** --api-audiences: the audiences of a request that names none. */
  apiAudiences: string[];
  /** --service-account-max-token-expiration in seconds; 0: no cap. */
  maxExpirationSeconds: number;
  /**
   * --service-account-extend-token-expiration: a pod-bound token for the api audiences asked for
   * 3607 s (the admission plugin's projection) is valid for a year, with warnafter at 3607 s.
   */
  extendExpiration: boolean;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(causes: StatusCause[]): never {
  throw newInvalid('TokenRequest', 'authentication.k8s.io', '', causes);
}

/** The spec of a decoded TokenRequest, defaulted (expirationSeconds 3600) and validated (ValidateTokenRequest). */
export function tokenRequestSpec(body: unknown): TokenRequestSpec {
  if (!isRecord(body)) throw newBadRequest('the request body must be a TokenRequest object');
  if (body.kind !== undefined && body.kind !== 'TokenRequest') throw newBadRequest(`expected a TokenRequest, got kind ${JSON.stringify(body.kind)}`);
  const spec = body.spec ?? {};
  if (!isRecord(spec)) throw newBadRequest('spec must be an object');
  const audiences = spec.audiences ?? [];
  if (!Array.isArray(audiences) || audiences.some((a) => typeof a !== 'string')) throw newBadRequest('spec.audiences must be a list of strings');
  const exp = spec.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS;
  if (typeof exp !== 'number' || !Number.isInteger(exp)) throw newBadRequest('spec.expirationSeconds must be an integer');
  if (exp < MIN_TOKEN_EXPIRATION_SECONDS)
    invalid([
      { reason: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: `Invalid value: ${exp}: may not specify a duration less than 10 minutes` },
    ]);
  if (exp > MAX_TOKEN_EXPIRATION_SECONDS)
    invalid([
      { reason: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: `Invalid value: ${exp}: may not specify a duration larger than 2^32 seconds` },
    ]);
  const out: TokenRequestSpec = { audiences: audiences as string[], expirationSeconds: exp };
  const ref = spec.boundObjectRef;
  if (ref !== undefined && ref !== null) {
    if (!isRecord(ref)) throw newBadRequest('spec.boundObjectRef must be an object');
    for (const f of ['apiVersion', 'kind', 'name', 'uid'] as const) {
      if (ref[f] !== undefined && typeof ref[f] !== 'string') throw newBadRequest(`spec.boundObjectRef.${f} must be a string`);
    }
    out.boundObjectRef = ref as TokenRequestSpec['boundObjectRef'];
  }
  return out;
}

export class TokenREST {
  constructor(
    private readonly serviceAccounts: Store,
    private readonly pods: Store,
    private readonly secrets: Store,
    private readonly nodes: Store | undefined,
    private readonly opts: TokenRESTOptions,
  ) {}

  /** A token for service account `name` in ctx.namespace; the answer is the request with its status. */
  async create(ctx: RequestContext, name: string, body: unknown): Promise<KubeObject> {
    const spec = tokenRequestSpec(body);
    const read: RequestContext = { ...ctx, dryRun: false, warnings: [] };
    const sa = await this.serviceAccounts.get(read, name);
    // NodeRestriction: a kubelet gets tokens only for pods on its node.
    if (nodeIdentity(ctx.user) !== undefined) {
      const ref = spec.boundObjectRef;
      const boundPod = ref?.apiVersion === 'v1' && ref.kind === 'Pod' && ref.name ? await this.pods.getCached(ctx.namespace, ref.name) : undefined;
      tokenRequestRestriction(ctx, name, ref, boundPod);
    }
    let pod: KubeObject | undefined;
    let secret: KubeObject | undefined;
    let node: ObjectRef | undefined;
    const ref = spec.boundObjectRef;
    if (ref) {
      const apiVersion = ref.apiVersion ?? '';
      const kind = ref.kind ?? '';
      const refName = ref.name ?? '';
      const slash = apiVersion.indexOf('/');
      const group = slash < 0 ? '' : apiVersion.slice(0, slash);
      const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
      let uid: string | undefined;
      // As upstream, the kind of the core group decides; the version is not checked.
      if (group === '' && kind === 'Pod') {
        pod = await this.pods.get(read, refName);
        const podSA = (pod as Pod).spec?.serviceAccountName ?? '';
        if (podSA !== name) throw newBadRequest(`cannot bind token for serviceaccount "${name}" to pod running with serviceaccount "${podSA}"`);
        uid = pod.metadata.uid;
        node = await this.nodeOf(pod);
      } else if (group === '' && kind === 'Secret') {
        secret = await this.secrets.get(read, refName);
        uid = secret.metadata.uid;
      } else {
        throw newBadRequest(`cannot bind token to object of type ${group}/${version}, Kind=${kind}`);
      }
      if (ref.uid && uid !== ref.uid) {
        throw newConflict(
          { group: '', resource: kind, name: refName },
          `the UID in the bound object reference (${ref.uid}) does not match the UID in record (${uid}). The object might have been deleted and then recreated`,
        );
      }
    }
    const audiences = spec.audiences.length ? spec.audiences : [...this.opts.apiAudiences];
    const max = this.opts.maxExpirationSeconds;
    const expirationSeconds = max > 0 && spec.expirationSeconds > max ? max : spec.expirationSeconds;
    let exp = expirationSeconds;
    let warnAfterSeconds: number | undefined;
    const forAPI = audiences.every((a) => this.opts.apiAudiences.includes(a));
    if (this.opts.extendExpiration && pod && expirationSeconds === WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS && forAPI) {
      warnAfterSeconds = expirationSeconds;
      exp = Math.max(EXPIRATION_EXTENSION_SECONDS, max);
    }
    const now = Date.now();
    const claims = boundClaims({
      serviceAccount: { namespace: sa.metadata.namespace ?? '', name, uid: sa.metadata.uid ?? '' },
      audiences,
      expirationSeconds: exp,
      warnAfterSeconds,
      pod: pod && { name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' },
      secret: secret && { name: secret.metadata.name ?? '', uid: secret.metadata.uid ?? '' },
      node,
      now,
    });
    const token = await this.opts.generator.generateToken(claims);
    return {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: { name, namespace: sa.metadata.namespace, creationTimestamp: null },
      spec: { ...spec, audiences, expirationSeconds },
      // The expiry asked for, even when the token's is extended: clients refresh on it.
      status: { token, expirationTimestamp: new Date((claims.iat as number) * 1000 + expirationSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    } as unknown as KubeObject;
  }

  /** The node a scheduled pod runs on, with its uid when the Node exists (the token's node claim). */
  private async nodeOf(pod: KubeObject): Promise<ObjectRef | undefined> {
    const nodeName = (pod as { spec?: { nodeName?: unknown } }).spec?.nodeName;
    if (typeof nodeName !== 'string' || nodeName === '') return undefined;
    const node = await this.nodes?.getCached(undefined, nodeName);
    return { name: nodeName, uid: node?.metadata.uid ?? '' };
  }
}
