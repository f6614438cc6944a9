// The objects pods refer to, each watched on its own (upstream's
// pkg/kubelet/util/manager/watch_based_manager.go, the "Watch" change detection
// strategy): the first pod to refer to a Secret or ConfigMap starts a reflector
// that lists and watches just that object (fieldSelector=metadata.name=<name> in
// its namespace, which is all the Node authorizer lets a kubelet read); the last
// pod to let go of it stops that reflector. An immutable object cannot change, so
// its reflector stops once it has been read.
import { escapeValue } from '../../../../api/fields/selector.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import { listerWatcherFor, Reflector, type ListerWatcher, type ReflectorSink } from '../../../client/reflector.js';
import type { ResourceClient } from '../../../client/rest.js';

/** How long a read waits for a new reflector's first list (upstream waits a second). */
export const DEFAULT_SYNC_TIMEOUT_MS = 5_000;

export interface ObjectCacheOptions<T extends KubeObject> {
  /** The resource (e.g. client.resource('v1', 'secrets')); scoped to each object's namespace here. */
  resource: ResourceClient<T>;
  /** The kind as messages name it: "secret", "configmap". */
  kind: string;
  /** An object changed after its first list (created, updated, deleted): the pods that refer to it should look again. */
  onChange?: (namespace: string, name: string) => void;
  syncTimeoutMs?: number;
  /** Reflector back-off after a failed list or watch (default 100 ms, doubling up to 10 s). */
  initialBackoffMs?: number;
  log?: (msg: string) => void;
}

/** One watched object: who refers to it, and what its reflector last saw. */
class ObjectCacheItem<T extends KubeObject> implements ReflectorSink<T> {
  /** Pod UID → how many references it holds. */
  readonly refs = new Map<string, number>();
  readonly reflector: Reflector<T>;
  object?: T;
  synced = false;
  immutable = false;
  /** Why the last list failed, for a read that times out waiting. */
  lastError?: Error;
  private stopping?: Promise<void>;
  private readonly syncWaiters = new Set<() => void>();

  constructor(
    lw: ListerWatcher<T>,
    private readonly name: string,
    private readonly onChange: () => void,
    opts: { initialBackoffMs?: number; label: string; log?: (msg: string) => void },
  ) {
    this.reflector = new Reflector(lw, this, { pageSize: 0, name: opts.label, log: opts.log, initialBackoffMs: opts.initialBackoffMs });
  }

  run(): void {
    this.reflector.run();
  }

  stop(): Promise<void> {
    this.stopping ??= this.reflector.stop();
    return this.stopping;
  }

  /** Resolves true once the first list is in, false when timeoutMs passes first. */
  waitForSync(timeoutMs: number): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.syncWaiters.delete(done);
        resolve(this.synced);
      };
      const timer = setTimeout(done, timeoutMs);
      this.syncWaiters.add(done);
    });
  }

  // ReflectorSink: the selector lets through this one object at most.

  replace(items: T[]): void {
    const next = items.find((o) => o.metadata?.name === this.name);
    const first = !this.synced;
    const changed = this.object?.metadata?.resourceVersion !== next?.metadata?.resourceVersion;
    this.object = next;
    this.lastError = undefined;
    this.synced = true;
    for (const w of [...this.syncWaiters]) w();
    if (!first && changed) this.onChange();
  }

  add(obj: T): void {
    this.set(obj);
  }

  update(obj: T): void {
    this.set(obj);
  }

  delete(obj: T): void {
    if (obj.metadata?.name !== this.name) return;
    this.object = undefined;
    this.onChange();
  }

  private set(obj: T): void {
    if (obj.metadata?.name !== this.name) return;
    this.object = obj;
    this.onChange();
  }
}

function cacheKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** upstream's objectCache: reference-counted per-object reflectors and the objects they hold. */
export class ObjectCache<T extends KubeObject> {
  private readonly items = new Map<string, ObjectCacheItem<T>>();
  private stopped = false;

  constructor(private readonly o: ObjectCacheOptions<T>) {}

  /** Pod referencedFrom refers to namespace/name; the first reference starts watching it. */
  addReference(namespace: string, name: string, referencedFrom: string): void {
    if (this.stopped) return;
    const key = cacheKey(namespace, name);
    let item = this.items.get(key);
    if (!item) {
      item = this.newItem(namespace, name);
      this.items.set(key, item);
      item.run();
    }
    item.refs.set(referencedFrom, (item.refs.get(referencedFrom) ?? 0) + 1);
  }

  /** One reference fewer; the last one stops the object's reflector. */
  deleteReference(namespace: string, name: string, referencedFrom: string): void {
    const key = cacheKey(namespace, name);
    const item = this.items.get(key);
    if (!item) return;
    const n = (item.refs.get(referencedFrom) ?? 0) - 1;
    if (n > 0) item.refs.set(referencedFrom, n);
    else item.refs.delete(referencedFrom);
    if (item.refs.size > 0) return;
    this.items.delete(key);
    void item.stop();
  }

  /**
   * The object as last seen, undefined when it does not exist. Throws when no pod
   * refers to it (the kubelet reads only what its pods use) or when its first list
   * has not come back in time (a refusal or an unreachable apiserver, with the reason).
   */
  async get(namespace: string, name: string): Promise<T | undefined> {
    const item = this.items.get(cacheKey(namespace, name));
    if (!item) throw new Error(`${this.o.kind} "${namespace}"/"${name}" not registered`);
    if (!(await item.waitForSync(this.o.syncTimeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS))) {
      throw new Error(`failed to sync ${this.o.kind} cache: ${item.lastError?.message ?? 'timed out waiting for the condition'}`);
    }
    const obj = item.object;
    // An immutable object never changes again: no need to keep watching it.
    if (obj && (obj as { immutable?: boolean }).immutable === true && !item.immutable) {
      item.immutable = true;
      void item.stop();
      this.o.log?.(`stopped watching ${this.o.kind} ${namespace}/${name}: it is immutable`);
    }
    return obj;
  }

  /** The UIDs of the pods that refer to namespace/name. */
  referencedBy(namespace: string, name: string): string[] {
    return [...(this.items.get(cacheKey(namespace, name))?.refs.keys() ?? [])];
  }

  /** How many objects are watched (their reflectors running or stopped for immutability). */
  size(): number {
    return this.items.size;
  }

  /** Stops every reflector; later references start none. */
  async stop(): Promise<void> {
    this.stopped = true;
    const items = [...this.items.values()];
    this.items.clear();
    await Promise.all(items.map((i) => i.stop()));
  }

  private newItem(namespace: string, name: string): ObjectCacheItem<T> {
    const rc = this.o.resource.namespace(namespace);
    const lw = listerWatcherFor(rc, { fieldSelector: `metadata.name=${escapeValue(name)}` });
    let item: ObjectCacheItem<T> | undefined;
    // A failed list is kept for a read that times out waiting for it.
    const recording: ListerWatcher<T> = {
      list: (opts) =>
        lw.list(opts).catch((err: unknown) => {
          if (item) item.lastError = err as Error;
          throw err;
        }),
      watch: (opts, onEvent) => lw.watch(opts, onEvent),
    };
    item = new ObjectCacheItem<T>(recording, name, () => this.o.onChange?.(namespace, name), {
      label: `${this.o.kind} ${namespace}/${name}`,
      log: this.o.log,
      initialBackoffMs: this.o.initialBackoffMs,
    });
    return item;
  }
}
