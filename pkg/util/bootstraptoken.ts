// Bootstrap tokens as k8s.io/cluster-bootstrap describes them (token/api,
// util/secrets): a token <id>.<secret> lives in the Secret bootstrap-token-<id> in
// kube-system, of type bootstrap.kubernetes.io/token, with its parts, usages and
// expiration as data. The apiserver's authenticator and the bootstrap controllers
// (signer, cleaner) read them through these helpers.

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_TOKEN_ID_KEY = 'token-id';
export const BOOTSTRAP_TOKEN_SECRET_KEY = 'token-secret';
export const BOOTSTRAP_TOKEN_EXPIRATION_KEY = 'expiration';
export const BOOTSTRAP_TOKEN_USAGE_SIGNING_KEY = 'usage-bootstrap-signing';
export const BOOTSTRAP_TOKEN_USAGE_AUTHENTICATION_KEY = 'usage-bootstrap-authentication';
export const BOOTSTRAP_TOKEN_EXTRA_GROUPS_KEY = 'auth-extra-groups';

/** The public ConfigMap joining nodes read: kube-public/cluster-info, its kubeconfig and the signatures over it. */
export const CLUSTER_INFO_NAMESPACE = 'kube-public';
export const CLUSTER_INFO_NAME = 'cluster-info';
export const KUBECONFIG_KEY = 'kubeconfig';
export const JWS_SIGNATURE_KEY_PREFIX = 'jws-kubeconfig-';

const TOKEN_ID = /^[a-z0-9]{6}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** What these helpers read of a Secret. */
export interface SecretLike {
  metadata: { name?: string };
  type?: string;
  data?: { [key: string]: string };
}

/** GetData: a key of a Secret's data, decoded; '' when absent. */
export function getData(secret: SecretLike, key: string): string {
  const data = secret.data;
  if (!data || typeof data !== 'object' || !Object.prototype.hasOwnProperty.call(data, key)) return '';
  const v = data[key];
  return typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : '';
}

/** ParseName: the token id a Secret's name carries (bootstrap-token-<id>); undefined for any other name. */
export function parseSecretName(name: string): string | undefined {
  if (!name.startsWith(BOOTSTRAP_TOKEN_SECRET_PREFIX)) return undefined;
  const id = name.slice(BOOTSTRAP_TOKEN_SECRET_PREFIX.length);
  return TOKEN_ID.test(id) ? id : undefined;
}

/**
 * GetExpiration: how long until the Secret's token expires (0 without an expiration),
 * and whether it has. An unparsable expiration counts as expired.
 */
export function getExpiration(secret: SecretLike, now: number): { remainingMs: number; expired: boolean } {
  const expiration = getData(secret, BOOTSTRAP_TOKEN_EXPIRATION_KEY);
  if (expiration === '') return { remainingMs: 0, expired: false };
  const at = RFC3339.test(expiration) ? Date.parse(expiration) : NaN;
  if (Number.isNaN(at)) return { remainingMs: 0, expired: true };
  const remainingMs = at - now;
  return remainingMs <= 0 ? { remainingMs: 0, expired: true } : { remainingMs, expired: false };
}

/** HasExpired. */
export function hasExpired(secret: SecretLike, now: number): boolean {
  return getExpiration(secret, now).expired;
}
