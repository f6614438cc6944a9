// Bootstrap tokens (--enable-bootstrap-token-auth), as kube-apiserver's bootstrap
// token authenticator: a token <id>.<secret> is the Secret bootstrap-token-<id> in
// kube-system of type bootstrap.kubernetes.io/token whose token-secret matches,
// that is not expired and allows usage-bootstrap-authentication. The user is
// system:bootstrap:<id> in system:bootstrappers and the auth-extra-groups.
import { timingSafeEqual } from 'node:crypto';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { BOOTSTRAPPERS_GROUP, type UserInfo } from '../../auth/user.js';
import {
  BOOTSTRAP_TOKEN_EXTRA_GROUPS_KEY,
  BOOTSTRAP_TOKEN_SECRET_PREFIX,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  getData,
  hasExpired,
  type SecretLike,
} from '../../util/bootstraptoken.js';
import { withAuthenticatedGroup } from './result.js';

export { BOOTSTRAP_TOKEN_SECRET_PREFIX, BOOTSTRAP_TOKEN_SECRET_TYPE, hasExpired };
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';

const TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const EXTRA_GROUP = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

/** Reads a Secret in kube-system (from the watch cache); undefined when there is none. */
export type SecretGetter = (name: string) => Promise<KubeObject | undefined>;

/** A key of a Secret's data, decoded; '' when absent. */
function dataOf(secret: KubeObject, key: string): string {
  return getData(secret as SecretLike, key);
}

/** system:bootstrappers and the valid auth-extra-groups, sorted and without repeats; undefined if one is invalid. */
export function groupsOf(secret: KubeObject): string[] | undefined {
  const groups = new Set([BOOTSTRAPPERS_GROUP]);
  const extra = dataOf(secret, BOOTSTRAP_TOKEN_EXTRA_GROUPS_KEY);
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
    if (hasExpired(secret as SecretLike, Date.now())) return this.refuse(`secret kube-system/${name} has expired`);
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
