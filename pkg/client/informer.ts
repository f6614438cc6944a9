// client-go's SharedIndexInformer: one reflector filling one indexer, fanning every
// change out to any number of event handlers, with a lister over the cache.
// Handlers run synchronously on the event loop; they should only enqueue keys
// (see workqueue.ts) and do the work elsewhere, as client-go controllers do.
import type { KubeObject } from '../../api/meta/v1/types.js';
import { parseSelector, type Selector } from '../../api/labels/selector.js';
import { Reflector, type ListerWatcher, type ReflectorOptions, type ReflectorSink } from './reflector.js';
import { Indexer, NamespaceIndex, namespaceIndexFunc, type Indexers } from './store.js';

export interface ResourceEventHandler<T> {
  /** isInInitialList: the object came from the first list (or is replayed to a late handler). */
  onAdd?(obj: T, isInInitialList: boolean): void;
  /** Also called on resync with old === new. */
  onUpdate?(oldObj: T, newObj: T): void;
  /** The last state the cache knew (for deletions found on relist, that may be stale). */
  onDelete?(obj: T): void;
}

export interface HandlerRegistration {
  remove(): void;
  hasSynced(): boolean;
}

export interface InformerOptions<T> extends ReflectorOptions {
  /** Default resync period for handlers that do not give their own; 0: never. */
  resyncPeriodMs?: number;
  indexers?: Indexers<T>;
  onError?: (err: unknown) => void;
}

/** Read-only access to an informer's cache, as client-go's generated listers. */
export class Lister<T extends KubeObject> {
  constructor(private readonly indexer: Indexer<T>) {}

  /** get(namespace, name) for namespaced objects; get(name) for cluster-scoped ones. */
  get(namespaceOrName: string, name?: string): T | undefined {
    return this.indexer.getByKey(name === undefined ? namespaceOrName : namespaceOrName ? `${namespaceOrName}/${name}` : name);
  }

  /** Objects in a namespace (all namespaces when empty/undefined) whose labels match selector. */
  list(namespace?: string, selector?: Selector | string): T[] {
    const sel = typeof selector === 'string' ? parseSelector(selector) : selector;
    const candidates = namespace ? this.indexer.byIndex(NamespaceIndex, namespace) : this.indexer.list();
    return sel && !sel.isEmpty() ? candidates.filter((o) => sel.matches(o.metadata?.labels)) : candidates;
  }

  byIndex(indexName: string, value: string): T[] {
    return this.indexer.byIndex(indexName, value);
  }
}

interface Listener<T> {
  handler: ResourceEventHandler<T>;
  resyncTimer?: NodeJS.Timeout;
  synced: boolean;
}

export class SharedIndexInformer<T extends KubeObject = KubeObject> implements ReflectorSink<T> {
  readonly indexer: Indexer<T>;
  readonly lister: Lister<T>;
  readonly reflector: Reflector<T>;
  private readonly listeners = new Set<Listener<T>>();
  private synced = false;
  private started = false;
  private syncWaiters: (() => void)[] = [];

  constructor(
    lw: ListerWatcher<T>,
    private readonly opts: InformerOptions<T> = {},
  ) {
    this.indexer = new Indexer<T>({ [NamespaceIndex]: namespaceIndexFunc, ...(opts.indexers ?? {}) });
    this.lister = new Lister(this.indexer);
    this.reflector = new Reflector(lw, this, opts);
  }

  /** Registers a handler; if the informer already has objects, the handler gets an add for each first. */
  addEventHandler(handler: ResourceEventHandler<T>, resyncPeriodMs = this.opts.resyncPeriodMs ?? 0): HandlerRegistration {
    const l: Listener<T> = { handler, synced: this.synced };
    this.listeners.add(l);
    for (const obj of this.indexer.list()) this.call(() => handler.onAdd?.(obj, true));
    if (resyncPeriodMs > 0) {
      // Resync replays the cache as updates so level-triggered controllers re-check everything.
      l.resyncTimer = setInterval(() => {
        if (!this.synced) return;
        for (const obj of this.indexer.list()) this.call(() => handler.onUpdate?.(obj, obj));
      }, resyncPeriodMs);
      l.resyncTimer.unref();
    }
    return {
      remove: () => {
        if (l.resyncTimer) clearInterval(l.resyncTimer);
        this.listeners.delete(l);
      },
      hasSynced: () => l.synced,
    };
  }

  addIndexers(indexers: Indexers<T>): void {
    this.indexer.addIndexers(indexers);
  }

  /** Starts the reflector (idempotent). */
  run(): void {
    if (this.started) return;
    this.started = true;
    this.reflector.run();
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const l of this.listeners) if (l.resyncTimer) clearInterval(l.resyncTimer);
    await this.reflector.stop();
  }

  /** True once the first list has been stored and delivered. */
  hasSynced(): boolean {
    return this.synced;
  }

  waitForCacheSync(timeoutMs = 30_000): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`informer did not sync within ${timeoutMs} ms`)), timeoutMs);
      this.syncWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  lastSyncResourceVersion(): string {
    return this.reflector.lastSyncResourceVersion();
  }

  // ReflectorSink: store first, then notify, so handlers see the cache including the change.

  replace(items: T[], _resourceVersion: string): void {
    const initial = !this.synced;
    const old = new Map<string, T>();
    for (const key of this.indexer.listKeys()) old.set(key, this.indexer.getByKey(key) as T);
    this.indexer.replace(items);
    for (const obj of items) {
      const key = this.indexer.keyFunc(obj);
      const prev = old.get(key);
      old.delete(key);
      if (!prev) this.notify((h) => h.onAdd?.(obj, initial));
      else if (prev.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.notify((h) => h.onUpdate?.(prev, obj));
    }
    // Whatever the relist no longer has was deleted while we were not watching.
    for (const gone of old.values()) this.notify((h) => h.onDelete?.(gone));
    if (initial) {
      this.synced = true;
      for (const l of this.listeners) l.synced = true;
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) w();
    }
  }

  add(obj: T): void {
    const prev = this.indexer.update(obj);
    if (prev) this.notify((h) => h.onUpdate?.(prev, obj));
    else this.notify((h) => h.onAdd?.(obj, false));
  }

  update(obj: T): void {
    const prev = this.indexer.update(obj);
    if (prev) this.notify((h) => h.onUpdate?.(prev, obj));
    else this.notify((h) => h.onAdd?.(obj, false));
  }

  delete(obj: T): void {
    const prev = this.indexer.delete(obj);
    this.notify((h) => h.onDelete?.(prev ?? obj));
  }

  private notify(fn: (h: ResourceEventHandler<T>) => void): void {
    for (const l of this.listeners) this.call(() => fn(l.handler));
  }

  /** A throwing handler must not stop the others nor the informer. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (this.opts.onError) this.opts.onError(err);
      else this.opts.log?.(`informer ${this.opts.name ?? ''}: event handler failed: ${(err as Error)?.stack ?? String(err)}`);
    }
  }
}
