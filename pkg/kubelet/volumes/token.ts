// Service account tokens for projected volumes: the kubelet asks the apiserver's
// TokenRequest API (POST .../serviceaccounts/<name>/token) for a token bound to
// the pod, and reuses it until 80% of its lifetime has passed (as upstream's
// token manager does).
import type { Pod, ServiceAccountTokenProjection } from '../../../api/core/v1/types.js';
import type { TokenSource } from './types.js';

/** The part of pkg/client's RESTClient this needs. */
export interface TokenRESTClient {
  request<R = unknown>(method: string, path: string, opts?: { body?: unknown }): Promise<R>;
}

interface TokenRequestStatus {
  status?: { token?: string; expirationTimestamp?: string };
}

/** The apiserver's default lifetime when the projection sets none (expirationSeconds defaults to 3600). */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

/** A TokenSource over the apiserver; a clear error when it does not serve TokenRequest. */
export function tokenRequester(rest: TokenRESTClient): TokenSource {
  return async (pod: Pod, projection: ServiceAccountTokenProjection) => {
    const ns = pod.metadata.namespace ?? 'default';
    const sa = pod.spec.serviceAccountName || 'default';
    const path = `/api/v1/namespaces/${encodeURIComponent(ns)}/serviceaccounts/${encodeURIComponent(sa)}/token`;
    const body = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        audiences: projection.audience ? [projection.audience] : [],
        expirationSeconds: projection.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
      },
    };
    let res: TokenRequestStatus;
    try {
      res = await rest.request<TokenRequestStatus>('POST', path, { body });
    } catch (err) {
      const e = err as { code?: number; message: string };
      // A missing ServiceAccount is a 404 too; its message names it.
      if ((e.code === 404 || e.code === 405) && !/^serviceaccounts? ".*" not found$/.test(e.message)) {
        throw new Error(`failed to fetch token: the apiserver does not serve TokenRequest (POST ${path} answered ${e.code}: ${e.message})`);
      }
      throw new Error(`failed to fetch token: ${e.message}`);
    }
    const token = res?.status?.token;
    if (!token) throw new Error(`failed to fetch token: the TokenRequest answer for ${ns}/${sa} has no status.token`);
    return { token, expirationTimestamp: res.status?.expirationTimestamp };
  };
}

interface CachedToken {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

/** Per-pod token cache: a token is fetched again after 80% of its lifetime or 24 h. */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  constructor(
    private readonly source: TokenSource,
    private readonly now: () => number = Date.now,
  ) {}

  private key(pod: Pod, p: ServiceAccountTokenProjection): string {
    return JSON.stringify([
      pod.metadata.uid,
      pod.spec.serviceAccountName || 'default',
      p.audience ?? '',
      p.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS,
    ]);
  }

  async get(pod: Pod, projection: ServiceAccountTokenProjection): Promise<string> {
    const key = this.key(pod, projection);
    const cached = this.tokens.get(key);
    const now = this.now();
    if (cached) {
      const ttl = cached.expiresAt - cached.issuedAt;
      if (now < cached.issuedAt + ttl * 0.8 && now < cached.issuedAt + 24 * 3600_000) return cached.token;
    }
    const { token, expirationTimestamp } = await this.source(pod, projection);
    const exp = expirationTimestamp ? Date.parse(expirationTimestamp) : NaN;
    const expiresAt = Number.isFinite(exp) ? exp : now + (projection.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS) * 1000;
    this.tokens.set(key, { token, issuedAt: now, expiresAt });
    return token;
  }

  /** Forgets the tokens of a pod that is gone. */
  forget(podUID: string): void {
    for (const k of [...this.tokens.keys()]) if ((JSON.parse(k) as string[])[0] === podUID) this.tokens.delete(k);
  }
}
