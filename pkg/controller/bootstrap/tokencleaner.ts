// The token cleaner (upstream pkg/controller/bootstrap/tokencleaner.go): deletes
// bootstrap-token Secrets in kube-system once their expiration has passed (an
// unparsable expiration counts as passed), and looks at a Secret again when it
// will have. The delete names the Secret's uid, so a new Secret of the same name
// is left alone.
import type { Secret } from '../../../api/core/v1/types.js';
import { SharedInformerFactory } from '../../client/factory.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { isStatus, type ResourceClient } from '../../client/rest.js';
import { metaNamespaceKeyFunc, splitMetaNamespaceKey } from '../../client/store.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import { BOOTSTRAP_TOKEN_SECRET_TYPE, getExpiration } from '../../util/bootstraptoken.js';
import type { Controller, ControllerContext } from '../context.js';
import { TOKEN_SECRET_NAMESPACE } from './bootstrapsigner.js';

export interface TokenCleanerOptions {
  now?: () => number;
}

export class TokenCleaner implements Controller {
  readonly queue = new RateLimitingQueue<string>(undefined, 'token_cleaner');
  private readonly factory: SharedInformerFactory;
  private readonly secrets: SharedIndexInformer<Secret>;
  private readonly secretClient: ResourceClient<Secret>;
  private readonly now: () => number;

  constructor(
    private readonly deps: ControllerContext,
    opts: TokenCleanerOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.factory = new SharedInformerFactory(deps.client, {
      namespace: TOKEN_SECRET_NAMESPACE,
      fieldSelector: `type=${BOOTSTRAP_TOKEN_SECRET_TYPE}`,
      log: (m) => deps.log(m),
    });
    this.secrets = this.factory.forResource<Secret>('v1', 'secrets');
    this.secretClient = deps.client.resource<Secret>('v1', 'secrets').namespace(TOKEN_SECRET_NAMESPACE);
    const enqueue = (s: Secret) => this.queue.add(metaNamespaceKeyFunc(s));
    this.secrets.addEventHandler({ onAdd: enqueue, onUpdate: (_, cur) => enqueue(cur) });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    this.deps.log('starting token cleaner', { workers });
    this.factory.start();
    try {
      await this.secrets.waitForCacheSync();
      await runWorkers(this.queue, workers, (key) => this.syncFunc(key), { log: (m) => this.deps.log(m) });
    } finally {
      await this.factory.shutdown();
    }
    this.deps.log('token cleaner stopped');
  }

  /** syncFunc / evalSecret: delete the Secret if its token expired, else look again when it will have. */
  async syncFunc(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const secret = this.secrets.lister.get(namespace, name);
    if (!secret || secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return;
    const { remainingMs, expired } = getExpiration(secret, this.now());
    if (!expired) {
      if (remainingMs > 0) this.queue.addAfter(key, remainingMs);
      return;
    }
    this.deps.log.v(3)('deleting expired bootstrap token secret', { secret: key });
    try {
      await this.secretClient.delete(name, { preconditions: { uid: secret.metadata.uid } });
    } catch (err) {
      if (isStatus(err, 404) || isStatus(err, 409)) return;
      throw err;
    }
  }
}
