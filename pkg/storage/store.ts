// One resource's storage: typed objects in etcd under the Kubernetes key layout,
// conditional writes, consistent and cached lists, paging, and watches.
import { apiVersionOf, type KubeObject } from '../../api/meta/v1/types.js';
import { newAlreadyExists, newBadRequest, newConflict, newGone, newNotFound, newTooLargeResourceVersion, type ResourceRef } from '../../api/meta/v1/status.js';
import { supportsVerbs, type ResourceInfo } from '../../api/resourceinfo.js';
import { etcdKey, etcdPrefix } from './keys.js';
import { CompactedError, FutureRevisionError, type EtcdClient, type StoredKV } from './etcd.js';
import { encodeStored, rememberJSON, withResourceVersion } from './objectjson.js';
import { CachedObject, WatchCache, type CacheWatchHandlers, type Decoder, type WatchFilter } from './cacher.js';
import type { RegistryWatch } from './registrywatch.js';
import { since, type EtcdOperation, type EtcdTimers, type StorageMetrics } from './metrics.js';

export interface ListOptions {
  namespace?: string;
  filter?: WatchFilter;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  limit?: number;
  continue?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface ListOptionsWithJSON extends ListOptions {
  /** Ask for the items as JSON text (the stored text, not decoded and encoded again). */
  asJSON?: boolean;
}

export interface StorageOptions {
  /** The etcd watch every cache is fed from. */
  hub: RegistryWatch;
  watchCacheSize: number;
  bookmarkIntervalMs: number;
  log: (msg: string) => void;
  /** etcd_request_duration_seconds and apiserver_storage_objects; none without it. */
  metrics?: StorageMetrics;
}

/** How long a consistent read waits for the watch cache before it reads etcd instead. */
const CONSISTENT_READ_WAIT_MS = 1000;

/** What a guaranteedUpdate's tryUpdate returns to delete the object instead of writing it. */
export const DELETE_OBJECT = Symbol('delete');

export type UpdateResult = KubeObject | typeof DELETE_OBJECT | undefined;
export type UpdateFunc = (current: KubeObject) => UpdateResult | Promise<UpdateResult>;

export function decodeObject(kv: StoredKV): KubeObject {
  const obj = JSON.parse(kv.value.toString()) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

/** obj as written at revision, with its JSON text known (see objectjson.ts). */
function written(obj: KubeObject, text: string, revision: number): KubeObject {
  const out = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
  rememberJSON(out, withResourceVersion(text, revision));
  return out;
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start } satisfies ContinueToken)).toString('base64url');
}

function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString()) as ContinueToken;
    if (t.v !== 'meta.k8s.io/v1' || !Number.isSafeInteger(t.rv) || t.rv <= 0 || typeof t.start !== 'string' || t.start.includes('..')) throw new Error('bad');
    return t;
  } catch {
    throw newBadRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

function parseRV(rv: string): number {
  const n = Number(rv);
  if (!/^\d+$/.test(rv) || !Number.isSafeInteger(n)) throw newBadRequest(`invalid resource version "${rv}"`);
  return n;
}

export class ResourceStorage {
  readonly cache: WatchCache;
  private readonly decode: Decoder;
  private readonly hub: RegistryWatch;
  private readonly timers?: EtcdTimers;

  constructor(
    private readonly etcd: EtcdClient,
    readonly info: ResourceInfo,
    opts: StorageOptions,
  ) {
    // Values not in the apiserver's own layout (written by something else) get the kind
    // they are stored as, so every cached object has one, as every object written here does.
    const apiVersion = apiVersionOf(info.group, info.version);
    this.decode = (kv: StoredKV) => {
      const obj = decodeObject(kv);
      return obj.kind ? obj : { apiVersion, kind: info.kind, ...obj };
    };
    this.hub = opts.hub;
    this.cache = new WatchCache(etcd, opts.hub, etcdPrefix(info), this.decode, {
      capacity: opts.watchCacheSize,
      bookmarkIntervalMs: opts.bookmarkIntervalMs,
      log: opts.log,
    });
    // Read-only resources answered without storage (componentstatuses, metrics.k8s.io) have no series.
    const resource = info.group ? `${info.plural}.${info.group}` : info.plural;
    if (supportsVerbs(info, 'create')) this.timers = opts.metrics?.forResource(resource, () => this.cache.size);
  }

  /** The call, its latency observed as etcd_request_duration_seconds{operation}. */
  private timed<T>(operation: EtcdOperation, call: Promise<T>): Promise<T> {
    const timers = this.timers;
    if (!timers) return call;
    const start = performance.now();
    return call.finally(() => timers[operation].observe(since(start)));
  }

  ref(name?: string): ResourceRef {
    return { group: this.info.group, resource: this.info.plural, name };
  }

  /** Resolves once etcd answers a read, within timeoutMs (the etcd check of componentstatuses). */
  async checkEtcd(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`etcd did not answer within ${timeoutMs / 1000}s`)), timeoutMs);
    });
    try {
      await Promise.race([this.etcd.currentRevision(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The cache keys of one namespace's objects (undefined: every key). */
  private namespacePrefix(namespace: string | undefined): string | undefined {
    return namespace !== undefined ? etcdPrefix(this.info, namespace) : undefined;
  }

  key(namespace: string | undefined, name: string): string {
    return etcdKey(this.info, namespace, name);
  }

  async get(namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const { kv } = await this.timed('get', this.etcd.get(this.key(namespace, name)));
    return kv ? decodeObject(kv) : undefined;
  }

  /**
   * A consistent read served from the watch cache, as kube-apiserver's consistent reads
   * from cache: wait until the cache has seen etcd's current revision (read after this
   * call began), then answer from memory. The object is shared: callers must not change it.
   */
  async getConsistent(namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    if (!(await this.waitForCurrentRevision())) return this.get(namespace, name);
    return this.cache.get(this.key(namespace, name));
  }

  /**
   * The object as the watch cache holds it now, which may be a moment behind etcd (as an
   * informer's lister): for admission's reads of other kinds. Shared: do not change it.
   */
  async getCached(namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    await this.cache.start();
    return this.cache.get(this.key(namespace, name));
  }

  /** Brings the cache up to etcd's current revision; false when it cannot serve consistent reads now (read etcd instead). */
  async waitForCurrentRevision(): Promise<boolean> {
    if (!this.cache.started) return false;
    const rev = await this.hub.currentRevision();
    // A watch running behind (etcd busy, a relist) makes the read go to etcd rather than fail.
    return this.cache.waitUntilFresh(rev, CONSISTENT_READ_WAIT_MS).then(
      () => true,
      () => false,
    );
  }

  async mustGet(namespace: string | undefined, name: string): Promise<KubeObject> {
    const obj = await this.get(namespace, name);
    if (!obj) throw newNotFound(this.ref(name));
    return obj;
  }

  async create(obj: KubeObject): Promise<KubeObject> {
    const name = obj.metadata.name ?? '';
    const text = encodeStored(obj);
    const res = await this.timed('create', this.etcd.create(this.key(obj.metadata.namespace, name), Buffer.from(text)));
    if (!res.ok) throw newAlreadyExists(this.ref(name));
    return written(obj, text, res.revision);
  }

  async update(obj: KubeObject, expectedRV: number): Promise<KubeObject> {
    const name = obj.metadata.name ?? '';
    const text = encodeStored(obj);
    const res = await this.timed('update', this.etcd.update(this.key(obj.metadata.namespace, name), Buffer.from(text), expectedRV));
    if (!res.ok) {
      if (!res.current) throw newNotFound(this.ref(name));
      throw newConflict(this.ref(name), 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return written(obj, text, res.revision);
  }

  async delete(obj: KubeObject): Promise<KubeObject> {
    const name = obj.metadata.name ?? '';
    const res = await this.timed('delete', this.etcd.delete(this.key(obj.metadata.namespace, name), Number(obj.metadata.resourceVersion)));
    if (!res.ok) {
      if (!res.current) throw newNotFound(this.ref(name));
      throw newConflict(this.ref(name), 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(res.revision) } };
  }

  /**
   * Every read-modify-write of an object, as upstream's GuaranteedUpdate: tryUpdate gets
   * the current object (its own copy, which it may change) and returns what to write,
   * undefined when there is nothing to write, or DELETE_OBJECT to delete it. The write is
   * guarded on the resourceVersion tryUpdate saw; when another writer came first, etcd
   * answers with the newer value and tryUpdate runs again on that, with no second read.
   * The first try starts from the watch cache's copy when there is one (upstream's
   * cachedExistingObject): a stale copy costs one refused write. An error from tryUpdate
   * ends the update, unless it ran on that cached copy: then it runs once more on etcd's.
   * A missing object is NotFound.
   */
  async guaranteedUpdate(namespace: string | undefined, name: string, tryUpdate: UpdateFunc): Promise<KubeObject> {
    const key = this.key(namespace, name);
    const cached = this.cache.started ? this.cache.getCopy(key) : undefined;
    let current = cached ?? (await this.mustGet(namespace, name));
    let fresh = !cached;
    for (;;) {
      let next: KubeObject | typeof DELETE_OBJECT | undefined;
      try {
        next = await tryUpdate(current);
      } catch (err) {
        if (fresh) throw err;
        current = await this.mustGet(namespace, name);
        fresh = true;
        continue;
      }
      if (next === undefined) {
        if (fresh) return current;
        // Nothing to write as seen from the cache: confirm against etcd.
        current = await this.mustGet(namespace, name);
        fresh = true;
        continue;
      }
      const expected = Number(current.metadata.resourceVersion);
      let text = '';
      const res =
        next === DELETE_OBJECT
          ? await this.timed('delete', this.etcd.delete(key, expected))
          : await this.timed('update', this.etcd.update(key, Buffer.from((text = encodeStored(next))), expected));
      if (res.ok) {
        if (next !== DELETE_OBJECT) return written(next, text, res.revision);
        return { ...current, metadata: { ...current.metadata, resourceVersion: String(res.revision) } };
      }
      if (!res.current) throw newNotFound(this.ref(name));
      current = decodeObject(res.current);
      fresh = true;
    }
  }

  /**
   * List semantics of Kubernetes: resourceVersion unset = a consistent read (from the
   * cache once it has caught up with etcd; from etcd with a limit); "0" = whatever the
   * cache holds; N = not older than N (cache) or exactly N (etcd, with
   * resourceVersionMatch=Exact); limit/continue page through etcd.
   */
  async list(opts: ListOptions): Promise<ListResult> {
    return (await this.listMaybeJSON(opts)) as ListResult;
  }

  /** A list; with asJSON its items come as JSON text in itemsJSON (items is then empty). */
  async listMaybeJSON(opts: ListOptionsWithJSON): Promise<ListResult & { itemsJSON?: string[] }> {
    const filter = opts.filter;
    const rv = opts.resourceVersion;
    const match = opts.resourceVersionMatch;
    if (match && !['NotOlderThan', 'Exact'].includes(match)) throw newBadRequest(`unsupported resourceVersionMatch "${match}"`);
    if (match && !rv) throw newBadRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (opts.continue && rv && rv !== '') throw newBadRequest('specifying resource version is not allowed when using continue');

    const consistentFromCache = !opts.continue && !rv && !opts.limit && (await this.waitForCurrentRevision());
    if (consistentFromCache || (!opts.continue && rv !== undefined && rv !== '' && match !== 'Exact' && (!opts.limit || rv === '0'))) {
      const want = rv ? parseRV(rv) : 0;
      if (want > 0) await this.cache.waitUntilFresh(want);
      else await this.cache.start();
      if (opts.asJSON) {
        const { items, rv: at } = this.cache.listJSON(this.namespacePrefix(opts.namespace), filter);
        return { items: [], itemsJSON: items, resourceVersion: String(at) };
      }
      const { items, rv: at } = this.cache.list(this.namespacePrefix(opts.namespace), filter);
      return { items, resourceVersion: String(at) };
    }

    const prefix = etcdPrefix(this.info, opts.namespace);
    const base = etcdPrefix(this.info);
    let revision = 0;
    let from = prefix;
    if (opts.continue) {
      const t = decodeContinue(opts.continue);
      revision = t.rv;
      from = base + t.start;
      if (!from.startsWith(prefix)) throw newBadRequest('continue key is not valid: it does not match the requested namespace');
    } else if (rv && match === 'Exact') {
      revision = parseRV(rv);
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const items: CachedObject[] = [];
    let more = false;
    let remaining: number | undefined;
    let lastKey = '';
    try {
      for (;;) {
        const page = await this.timed('list', this.etcd.range(prefix, { from, revision, limit: limit ? Math.max(limit - items.length, 1) + 1 : 0 }));
        if (!revision) revision = page.revision;
        let kvs = page.kvs;
        const hasExtra = limit > 0 && kvs.length > Math.max(limit - items.length, 1);
        if (hasExtra) kvs = kvs.slice(0, kvs.length - 1);
        let consumed = 0;
        for (const kv of kvs) {
          lastKey = kv.key;
          consumed++;
          // Decoded only for a filter; the answer's text is the stored one.
          const c = CachedObject.fromStored(kv, this.decode);
          if (filter && !filter(c.object)) continue;
          items.push(c);
          if (limit && items.length >= limit) break;
        }
        const exhausted = !page.more && !hasExtra;
        if (!limit || exhausted) break;
        if (items.length >= limit) {
          more = true;
          // Only an unfiltered list can say how many items are left, as in Kubernetes.
          if (!opts.filter) remaining = page.count - consumed;
          break;
        }
        from = lastKey + '\x00';
      }
    } catch (err) {
      if (err instanceof CompactedError) {
        throw opts.continue
          ? newGone(
              'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
            )
          : newGone(`The resourceVersion for the provided list is too old.`);
      }
      // A continue token (or an exact resourceVersion) ahead of etcd: as ahead of the cache, never etcd's words.
      if (err instanceof FutureRevisionError) throw newTooLargeResourceVersion(err.requested, await this.etcd.currentRevision());
      throw err;
    }
    const result: ListResult & { itemsJSON?: string[] } = opts.asJSON
      ? { items: [], itemsJSON: items.map((c) => c.json()), resourceVersion: String(revision) }
      : { items: items.map((c) => c.copy()), resourceVersion: String(revision) }; // objects the caller owns
    if (more) {
      result.continue = encodeContinue(revision, lastKey.slice(base.length) + '\x00');
      if (remaining !== undefined && remaining > 0) result.remainingItemCount = remaining;
    }
    return result;
  }

  /** A watch served from the cache. A resourceVersion the cache cannot serve gives 410 Expired. */
  async watch(opts: { namespace?: string; filter?: WatchFilter; resourceVersion?: string }, handlers: CacheWatchHandlers): Promise<() => void> {
    await this.cache.start();
    let from: number | undefined;
    if (opts.resourceVersion && opts.resourceVersion !== '0') {
      from = parseRV(opts.resourceVersion);
      if (from > this.cache.resourceVersion) await this.cache.waitUntilFresh(from);
    }
    return this.cache.watch(from, this.namespacePrefix(opts.namespace), opts.filter, handlers);
  }

  async stop(): Promise<void> {
    await this.cache.stop();
  }
}
