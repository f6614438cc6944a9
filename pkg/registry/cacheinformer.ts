// An in-memory view kept in step with one store's watch cache, for the
// apiserver's own indexes (RBAC bindings by subject, the node authorizer's
// graph): every current object first, then each change, all from memory. It
// plays the part client-go's informers play for kube-apiserver's authorizers,
// without a round trip through HTTP. After the cache relists (its etcd watch was
// lost), the view is rebuilt from the new snapshot.
import type { KubeObject } from '../../api/meta/v1/types.js';
import type { CacheEventType } from '../storage/cacher.js';
import type { Store } from './store.js';

export interface CacheInformerHandlers {
  /** The whole current set of objects (at start, and after the cache relisted). Objects are shared: do not change them. */
  onReplace(objects: KubeObject[]): void;
  /** One change after the snapshot; old is the previous state of a modified or deleted object. */
  onEvent(type: CacheEventType, obj: KubeObject, old: KubeObject | undefined): void;
}

export class CacheInformer {
  private cancel?: () => void;
  private stopped = false;
  private synced?: Promise<void>;

  constructor(
    private readonly store: Store,
    private readonly handlers: CacheInformerHandlers,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  /** Resolves once the view holds the cache's snapshot (once; later calls share it). */
  start(): Promise<void> {
    this.synced ??= this.watch().catch((err: unknown) => {
      this.synced = undefined;
      throw err;
    });
    return this.synced;
  }

  private async watch(): Promise<void> {
    // The cache replays its current objects as ADDED events before watch() returns;
    // those (and anything arriving before the await resumes) make the snapshot.
    let snapshot: Map<string, KubeObject> | undefined = new Map();
    const { cancel } = await this.store.watch(
      {},
      {
        onEvent: (type, ev) => {
          if (snapshot) {
            if (type === 'DELETED') snapshot.delete(ev.key);
            else snapshot.set(ev.key, ev.object);
            return;
          }
          this.handlers.onEvent(type, ev.object, ev.prevObject);
        },
        onClose: (reason) => {
          if (this.stopped) return;
          this.log(`${this.store.info.plural} index: ${reason}; rebuilding`);
          this.cancel = undefined;
          this.synced = undefined;
          // The cache closes its watches before it starts relisting: watch again once it has.
          setImmediate(() => {
            if (!this.stopped) this.start().catch((err: Error) => this.log(`${this.store.info.plural} index: ${err.message}`));
          });
        },
      },
    );
    const objects = [...snapshot.values()];
    snapshot = undefined;
    this.cancel = cancel;
    if (this.stopped) return cancel();
    this.handlers.onReplace(objects);
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
  }
}
