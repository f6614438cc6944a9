// Bootstrap tokens (--enable-bootstrap-token-auth), as kube-apiserver's bootstrap
// token authenticator: a token <id>.<secret> is the Secret bootstrap-token-<id> in
// kube-system of type bootstrap.kubernetes.io/token whose token-secret matches,
// that is not expired and allows usage-bootstrap-authentication. The user is
// system:bootstrap:<id> in system:bootstrappers and the auth-extra-groups.
import { timingSafeEqual } from 'node:crypto';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { BOOTSTRAPPERS_GROUP, type UserInfo } from '../../auth/user.js';
import { withAuthenticatedGroup } from './result.js';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';

const TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const EXTRA_GROUP = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Reads a Secret in kube-system (from the watch cache); undefined when there is none. */
export type SecretGetter = (name: string) => Promise<KubeObject | undefined>;

/** A key of a Secret's data, decoded; '' when absent. */
function dataOf(secret: KubeObject, key: string): string {
  const data = (secret as { data?: unknown }).data;
  if (!data || typeof data !== 'object' || !Object.prototype.hasOwnProperty.call(data, key)) return '';
  const v = (data as Record<string, unknown>)[key];
  return typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : '';
}

/** An unparsable expiration counts as expired, as upstream's bootstrapsecretutil.HasExpired. */
export function hasExpired(secret: KubeObject, now: number): boolean {
  const expiration = dataOf(secret, 'expiration');
  if (expiration === '') return false;
  const at = RFC3339.test(expiration) ? Date.parse(expiration) : NaN;
  return Number.isNaN(at) || at <= now;
}

/** system:bootstrappers and the valid auth-extra-groups, sorted and without repeats; undefined if one is invalid. */
export function groupsOf(secret: KubeObject): string[] | undefined {
  const groups = new Set([BOOTSTRAPPERS_GROUP]);
  const extra = dataOf(secret, 'auth-extra-groups');
  if (extra !== '') {
    for (const g of extra.split(',')) {
      if (!EXTRA_GROUP.test(g)) return undefined;
      groups.add(g);
    }
  }
  return [...groups].sort();
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class BootstrapTokenAuthenticator {
  constructor(
    private readonly getSecret: SecretGetter,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  /** Undefined at once for a token not shaped <id>.<secret>: other tokens cost nothing here. */
  authenticateToken(token: string): Promise<UserInfo | undefined> | undefined {
    const m = TOKEN.exec(token);
    if (!m) return undefined;
    return this.lookup(m[1], m[2]);
  }

  private async lookup(id: string, tokenSecret: string): Promise<UserInfo | undefined> {
    const name = `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${id}`;
    const secret = await this.getSecret(name);
    if (!secret) return this.refuse(`no secret kube-system/${name}`);
    if (secret.metadata.deletionTimestamp) return this.refuse(`secret kube-system/${name} is being deleted`);
    if ((secret as { type?: unknown }).type !== BOOTSTRAP_TOKEN_SECRET_TYPE)
      return this.refuse(`secret kube-system/${name} is not of type ${BOOTSTRAP_TOKEN_SECRET_TYPE}`);
    if (!sameSecret(dataOf(secret, 'token-secret'), tokenSecret)) return this.refuse(`secret kube-system/${name}: token-secret does not match`);
    if (dataOf(secret, 'token-id') !== id) return this.refuse(`secret kube-system/${name}: token-id does not match`);
    if (hasExpired(secret, Date.now())) return this.refuse(`secret kube-system/${name} has expired`);
    if (dataOf(secret, 'usage-bootstrap-authentication') !== 'true') return this.refuse(`secret kube-system/${name} is not for authentication`);
    const groups = groupsOf(secret);
    if (!groups) return this.refuse(`secret kube-system/${name} has an invalid auth-extra-groups`);
    return withAuthenticatedGroup({ name: `${BOOTSTRAP_USER_PREFIX}${id}`, groups });
  }

  private refuse(why: string): undefined {
    this.log(`bootstrap token refused: ${why}`);
    return undefined;
  }
}
