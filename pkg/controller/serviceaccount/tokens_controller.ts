// The tokens controller (upstream's pkg/controller/serviceaccount/tokens_controller.go):
// Secrets of type kubernetes.io/service-account-token that name a service account
// (annotation kubernetes.io/service-account.name) get a legacy token signed with
// --service-account-private-key-file, the cluster CA (ca.crt, from --root-ca-file)
// and the namespace; the account's uid is recorded in
// kubernetes.io/service-account.uid. A token Secret whose account is gone (or is
// another account of that name) is deleted, and so are an account's token Secrets
// when the account is deleted.
import type { Secret, ServiceAccount } from '../../../api/core/v1/types.js';
import { isStatus } from '../../client/rest.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { LEGACY_ISSUER, legacyClaims } from '../../util/serviceaccount/claims.js';
import { TokenGenerator } from '../../util/serviceaccount/generator.js';
import { readSigningKey } from '../../util/serviceaccount/keys.js';
import { readFileSync } from 'node:fs';
import type { Controller, ControllerContext } from '../context.js';

export const SERVICE_ACCOUNT_TOKEN_TYPE = 'kubernetes.io/service-account-token';
export const SERVICE_ACCOUNT_NAME_KEY = 'kubernetes.io/service-account.name';
export const SERVICE_ACCOUNT_UID_KEY = 'kubernetes.io/service-account.uid';

export interface TokensControllerOptions {
  /** --service-account-private-key-file: the controller does nothing without it. */
  serviceAccountPrivateKeyFile?: string;
  /** --root-ca-file: written as ca.crt (omitted without it). */
  rootCAFile?: string;
}

function annotation(obj: { metadata: { annotations?: Record<string, string> } }, key: string): string {
  const a = obj.metadata.annotations;
  return a && Object.hasOwn(a, key) && typeof a[key] === 'string' ? a[key] : '';
}

function dataOf(secret: Secret, key: string): string | undefined {
  const data = secret.data;
  if (!data || !Object.hasOwn(data, key) || typeof data[key] !== 'string') return undefined;
  return Buffer.from(data[key], 'base64').toString();
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

type Key = { kind: 'secret' | 'serviceaccount'; namespace: string; name: string; uid: string };

export class TokensController implements Controller {
  private readonly queue = new RateLimitingQueue<string>(undefined, 'serviceaccount_tokens');
  private readonly secrets?: SharedIndexInformer<Secret>;
  private readonly accounts?: SharedIndexInformer<ServiceAccount>;
  private readonly generator?: TokenGenerator;
  private readonly rootCA: string = '';

  constructor(
    private readonly ctx: ControllerContext,
    opts: TokensControllerOptions,
  ) {
    if (!opts.serviceAccountPrivateKeyFile) {
      ctx.log('skipping serviceaccount-token: no --service-account-private-key-file');
      return;
    }
    this.generator = new TokenGenerator(LEGACY_ISSUER, readSigningKey(opts.serviceAccountPrivateKeyFile));
    if (opts.rootCAFile) this.rootCA = readFileSync(opts.rootCAFile, 'utf8');
    this.secrets = ctx.informers.forResource<Secret>('v1', 'secrets');
    this.accounts = ctx.informers.forResource<ServiceAccount>('v1', 'serviceaccounts');
    const enqueue = (kind: Key['kind'], o: Secret | ServiceAccount) =>
      this.queue.add(JSON.stringify({ kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '', uid: o.metadata.uid ?? '' }));
    const onSecret = (s: Secret) => s.type === SERVICE_ACCOUNT_TOKEN_TYPE && enqueue('secret', s);
    this.secrets.addEventHandler({ onAdd: onSecret, onUpdate: (_o, s) => onSecret(s) });
    this.accounts.addEventHandler({ onDelete: (sa) => enqueue('serviceaccount', sa) });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    if (!this.secrets || !this.accounts) return;
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await Promise.all([this.secrets.waitForCacheSync(), this.accounts.waitForCacheSync()]);
    await runWorkers(this.queue, workers, (key) => this.sync(JSON.parse(key) as Key), { log: this.ctx.log });
  }

  private async sync(key: Key): Promise<void> {
    if (key.kind === 'serviceaccount') return this.deleteTokens(key);
    return this.syncSecret(key);
  }

  /** The token Secrets of a deleted account go with it. */
  private async deleteTokens(sa: Key): Promise<void> {
    for (const secret of this.secrets?.lister.list(sa.namespace) ?? []) {
      if (secret.type !== SERVICE_ACCOUNT_TOKEN_TYPE || annotation(secret, SERVICE_ACCOUNT_NAME_KEY) !== sa.name) continue;
      const uid = annotation(secret, SERVICE_ACCOUNT_UID_KEY);
      if (uid && uid !== sa.uid) continue;
      await this.deleteSecret(secret);
    }
  }

  private async deleteSecret(secret: Secret): Promise<void> {
    try {
      await this.ctx.client
        .resource<Secret>('v1', 'secrets')
        .namespace(secret.metadata.namespace)
        .delete(secret.metadata.name ?? '', { preconditions: { uid: secret.metadata.uid } });
    } catch (err) {
      if (isStatus(err, 404) || isStatus(err, 409)) return;
      throw err;
    }
  }

  /** The account a Secret names, if it exists with the uid the Secret records (any uid when none is recorded). */
  private async serviceAccountOf(secret: Secret): Promise<ServiceAccount | undefined> {
    const name = annotation(secret, SERVICE_ACCOUNT_NAME_KEY);
    if (!name) return undefined;
    const ns = secret.metadata.namespace ?? '';
    let sa = this.accounts?.lister.get(ns, name);
    if (!sa) {
      // The cache may be behind a just-made account: ask the apiserver before deleting anything.
      try {
        sa = await this.ctx.client.resource<ServiceAccount>('v1', 'serviceaccounts').namespace(ns).get(name);
      } catch (err) {
        if (!isStatus(err, 404)) throw err;
        return undefined;
      }
    }
    const uid = annotation(secret, SERVICE_ACCOUNT_UID_KEY);
    return uid && uid !== sa.metadata.uid ? undefined : sa;
  }

  private async syncSecret(key: Key): Promise<void> {
    const cached = this.secrets?.lister.get(key.namespace, key.name);
    if (!cached || cached.type !== SERVICE_ACCOUNT_TOKEN_TYPE || cached.metadata.deletionTimestamp) return;
    const sa = await this.serviceAccountOf(cached);
    if (!sa) return this.deleteSecret(cached);
    if (this.complete(cached, sa)) return;
    // Fill the live copy: the cached one may be behind.
    const client = this.ctx.client.resource<Secret>('v1', 'secrets').namespace(key.namespace);
    let live: Secret;
    try {
      live = await client.get(key.name);
    } catch (err) {
      if (isStatus(err, 404)) return;
      throw err;
    }
    if (live.metadata.uid !== cached.metadata.uid || this.complete(live, sa)) return;
    live.data ??= {};
    if (this.rootCA) live.data['ca.crt'] = b64(this.rootCA);
    live.data.namespace = b64(key.namespace);
    if (!dataOf(live, 'token')) {
      const claims = legacyClaims({ namespace: key.namespace, name: sa.metadata.name ?? '', uid: sa.metadata.uid ?? '' }, key.name);
      live.data.token = b64(await (this.generator as TokenGenerator).generateToken(claims));
    }
    live.metadata.annotations ??= {};
    live.metadata.annotations[SERVICE_ACCOUNT_UID_KEY] = sa.metadata.uid ?? '';
    try {
      await client.update(live);
    } catch (err) {
      // Gone meanwhile: nothing to fill. A conflict is retried from the queue.
      if (isStatus(err, 404)) return;
      throw err;
    }
  }

  /** Whether the Secret already has its token, CA, namespace and account uid. */
  private complete(secret: Secret, sa: ServiceAccount): boolean {
    return (
      !!dataOf(secret, 'token') &&
      (!this.rootCA || dataOf(secret, 'ca.crt') === this.rootCA) &&
      dataOf(secret, 'namespace') === secret.metadata.namespace &&
      annotation(secret, SERVICE_ACCOUNT_UID_KEY) === sa.metadata.uid
    );
  }
}
