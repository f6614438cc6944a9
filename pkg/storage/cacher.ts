// The watch cache: one etcd watch per resource feeds an in-memory copy of every
// object and a window of recent events. Lists at resourceVersion=0 and every
// watch are served from here, so N watchers cost one etcd watch, and each event
// is serialised once however many watchers receive it. Objects are kept as the
// text etcd delivered and decoded only when something needs the object (a
// filter, a list of objects): an unfiltered watcher gets the stored text as is.
import type { KubeObject } from '../../api/meta/v1/types.js';
import { newGone, newTooLargeResourceVersion } from '../../api/meta/v1/status.js';
import type { EtcdClient, StoredKV, WatchEvent } from './etcd.js';
import type { RegistrySink, RegistryWatch } from './registrywatch.js';
import { rememberJSON, replaceResourceVersion, withResourceVersion } from './objectjson.js';

/** How long a wait for a revision trusts the watch to bring it before forcing progress. */
const PROGRESS_GRACE_MS = 50;

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One version of one object: its JSON text (with resourceVersion) and, once asked for, the decoded object. */
export class CachedObject {
  private obj?: KubeObject;
  private text?: string;

  private constructor(
    readonly key: string,
    readonly rv: number,
  ) {}

  /** From the value etcd stored at revision rv. */
  static fromStored(kv: StoredKV, decode: Decoder): CachedObject {
    const c = new CachedObject(kv.key, kv.modRevision);
    const stored = kv.value.toString();
    c.text = withResourceVersion(stored, kv.modRevision);
    if (c.text === undefined) c.obj = decode(kv); // not written by this apiserver: decode it the long way
    return c;
  }

  /** The object, decoded on first use and shared: callers must not change it. */
  get object(): KubeObject {
    if (!this.obj) {
      this.obj = JSON.parse(this.text as string) as KubeObject;
      rememberJSON(this.obj, this.text); // an answer with it needs no second serialisation
    }
    return this.obj;
  }

  /** The object's JSON text, as clients get it. */
  json(): string {
    this.text ??= JSON.stringify(this.obj);
    return this.text;
  }

  /** A copy of the object that the caller owns. */
  copy(): KubeObject {
    return JSON.parse(this.json()) as KubeObject;
  }

  /** The same content reported at a later revision (the last state of a deleted object). */
  at(rv: number): CachedObject {
    const c = new CachedObject(this.key, rv);
    c.text = this.text !== undefined ? replaceResourceVersion(this.text, this.rv, rv) : undefined;
    if (c.text === undefined) c.obj = { ...this.object, metadata: { ...this.object.metadata, resourceVersion: String(rv) } };
    return c;
  }
}

export class CacheEvent {
  constructor(
    readonly type: CacheEventType,
    readonly key: string,
    private readonly cur: CachedObject,
    private readonly prev: CachedObject | undefined,
    readonly rv: number,
  ) {}

  private lines?: Map<CacheEventType, Buffer>;

  get object(): KubeObject {
    return this.cur.object;
  }

  get prevObject(): KubeObject | undefined {
    return this.prev?.object;
  }

  /** The object's JSON, shared by every watcher. */
  objectJSON(): string {
    return this.cur.json();
  }

  /** The whole watch-stream line for this event as sent with `type`, encoded once for every watcher. */
  watchLine(type: CacheEventType): Buffer {
    this.lines ??= new Map();
    let line = this.lines.get(type);
    if (!line) {
      line = Buffer.from(`{"type":"${type}","object":${this.objectJSON()}}\n`);
      this.lines.set(type, line);
    }
    return line;
  }
}

export interface WatchFilter {
  (obj: KubeObject): boolean;
}

export interface CacheWatchHandlers {
  /** type may differ from the cache event's when a filter turns an update into an add or delete. */
  onEvent(type: CacheEventType, ev: CacheEvent): void;
  onBookmark?(rv: number): void;
  /** The cache could not keep this watch going (e.g. it had to relist); the client must re-watch. */
  onClose(reason: string): void;
}

interface Subscription {
  /** Only keys under this prefix (a namespace's), checked before anything is decoded. */
  keyPrefix?: string;
  filter?: WatchFilter;
  handlers: CacheWatchHandlers;
  lastRV: number;
}

/** Decodes a stored value that is not in the apiserver's own layout (see objectjson.ts), with its resourceVersion set. */
export type Decoder = (kv: StoredKV) => KubeObject;

export interface WatchCacheOptions {
  capacity: number;
  bookmarkIntervalMs: number;
  log: (msg: string) => void;
}

export class WatchCache implements RegistrySink {
  private items = new Map<string, CachedObject>();
  private events: CacheEvent[] = [];
  /** Every event with rv > windowStart is in `events`. */
  private windowStart = 0;
  private rev = 0;
  private subs = new Set<Subscription>();
  private waiters: Array<{ rv: number; resolve: () => void }> = [];
  /** Events that arrive while the initial list is in flight; applied (or dropped) after it. */
  private buffered?: Array<() => void>;
  private listRev = 0;
  private registered = false;
  private bookmarkTimer?: NodeJS.Timeout;
  private ready?: Promise<void>;
  private stopped = false;
  private loaded = false;

  constructor(
    private readonly etcd: EtcdClient,
    private readonly hub: RegistryWatch,
    readonly prefix: string,
    private readonly decode: Decoder,
    private readonly opts: WatchCacheOptions,
  ) {}

  /** Lists from etcd and starts watching; resolves once the cache holds a consistent snapshot. */
  start(): Promise<void> {
    // A failed load is not remembered: the next caller tries again.
    this.ready ??= this.load().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private async load(): Promise<void> {
    if (!this.registered) {
      this.hub.register(this.prefix, this);
      this.registered = true;
    }
    await this.hub.start();
    this.buffered = [];
    let res;
    try {
      res = await this.etcd.range(this.prefix);
    } catch (err) {
      this.buffered = undefined;
      throw err;
    }
    this.items.clear();
    for (const kv of res.kvs) this.items.set(kv.key, CachedObject.fromStored(kv, this.decode));
    this.listRev = res.revision;
    this.rev = Math.max(res.revision, this.hub.revision);
    this.windowStart = res.revision;
    this.events = [];
    const pending = this.buffered;
    this.buffered = undefined;
    for (const apply of pending) apply();
    this.loaded = true;
    if (!this.bookmarkTimer) {
      this.bookmarkTimer = setInterval(() => this.sendBookmarks(), this.opts.bookmarkIntervalMs);
      this.bookmarkTimer.unref();
    }
  }

  /** After the etcd watch was lost: relist, and end every watch so clients resume (or relist on 410). */
  onReset(reason: string): void {
    if (this.stopped || !this.ready) return;
    this.opts.log(`watch cache ${this.prefix}: ${reason}; relisting`);
    for (const s of this.subs) s.handlers.onClose(reason);
    this.subs.clear();
    this.ready = undefined;
    this.loaded = false;
    this.start().catch((err: Error) => this.opts.log(`watch cache ${this.prefix}: relist failed: ${err.message}`));
  }

  onProgress(rev: number): void {
    if (this.buffered || !this.ready || rev <= this.rev) return;
    this.rev = rev;
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    if (!this.waiters.length) return;
    const due = this.waiters.filter((w) => w.rv <= this.rev);
    this.waiters = this.waiters.filter((w) => w.rv > this.rev);
    for (const w of due) w.resolve();
  }

  onPut(ev: WatchEvent): void {
    if (this.buffered) {
      this.buffered.push(() => this.onPut(ev));
      return;
    }
    if (ev.modRevision <= this.listRev) return; // already in the list
    const cur = CachedObject.fromStored({ key: ev.key, value: ev.value, modRevision: ev.modRevision }, this.decode);
    const old = this.items.get(ev.key);
    this.items.set(ev.key, cur);
    this.append(new CacheEvent(old ? 'MODIFIED' : 'ADDED', ev.key, cur, old, ev.modRevision));
  }

  onDelete(ev: WatchEvent): void {
    if (this.buffered) {
      this.buffered.push(() => this.onDelete(ev));
      return;
    }
    if (ev.modRevision <= this.listRev) return;
    const old = this.items.get(ev.key);
    this.items.delete(ev.key);
    if (!old) return;
    // A deleted object is reported in its last state, at the revision of the deletion.
    this.append(new CacheEvent('DELETED', ev.key, old.at(ev.modRevision), old, ev.modRevision));
  }

  private append(ev: CacheEvent): void {
    this.events.push(ev);
    this.rev = Math.max(this.rev, ev.rv);
    if (this.events.length > this.opts.capacity) {
      const dropped = this.events.splice(0, this.events.length - this.opts.capacity);
      this.windowStart = dropped[dropped.length - 1].rv;
    }
    for (const s of this.subs) this.dispatch(s, ev);
    this.wakeWaiters();
  }

  private dispatch(s: Subscription, ev: CacheEvent): void {
    if (ev.rv <= s.lastRV) return;
    s.lastRV = ev.rv;
    if (s.keyPrefix !== undefined && !ev.key.startsWith(s.keyPrefix)) return;
    if (!s.filter) {
      s.handlers.onEvent(ev.type, ev);
      return;
    }
    const now = ev.type !== 'DELETED' && s.filter(ev.object);
    const before = ev.prevObject !== undefined && s.filter(ev.prevObject);
    if (ev.type === 'DELETED') {
      if (before) s.handlers.onEvent('DELETED', ev);
    } else if (now && before) s.handlers.onEvent('MODIFIED', ev);
    else if (now) s.handlers.onEvent('ADDED', ev);
    else if (before) s.handlers.onEvent('DELETED', ev);
  }

  private sendBookmarks(): void {
    for (const s of this.subs) {
      if (s.handlers.onBookmark && this.rev >= s.lastRV) {
        s.lastRV = this.rev;
        s.handlers.onBookmark(this.rev);
      }
    }
  }

  /** Whether the cache holds a snapshot that the etcd watch keeps current. */
  get started(): boolean {
    return this.loaded;
  }

  get resourceVersion(): number {
    return this.rev;
  }

  /** Waits (up to timeoutMs) until the cache has seen revision rv, as kube-apiserver does for "too large resource version". */
  async waitUntilFresh(rv: number, timeoutMs = 3000): Promise<void> {
    await this.start();
    if (rv <= this.rev) return;
    await new Promise<void>((resolve, reject) => {
      // A revision written under /registry/ arrives through the watch in a moment. One that
      // never will (a write elsewhere in etcd, or nothing since) needs progress forced through.
      const nudge = setTimeout(() => void this.hub.requestProgress(rv).catch(() => undefined), PROGRESS_GRACE_MS);
      const w = {
        rv,
        resolve: () => {
          clearTimeout(t);
          clearTimeout(nudge);
          resolve();
        },
      };
      const t = setTimeout(() => {
        clearTimeout(nudge);
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(newTooLargeResourceVersion(rv, this.rev));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** The cached entries under keyPrefix that the filter accepts, in key order. */
  private select(keyPrefix: string | undefined, filter: WatchFilter | undefined): CachedObject[] {
    const out: CachedObject[] = [];
    for (const [key, c] of this.items) {
      if (keyPrefix !== undefined && !key.startsWith(keyPrefix)) continue;
      if (!filter || filter(c.object)) out.push(c);
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** A snapshot of the objects under keyPrefix that the filter accepts, in key order. */
  list(keyPrefix?: string, filter?: WatchFilter): { items: KubeObject[]; rv: number } {
    return { items: this.select(keyPrefix, filter).map((c) => c.object), rv: this.rev };
  }

  /** Like list, but each item as its JSON text; without a filter nothing is decoded. */
  listJSON(keyPrefix?: string, filter?: WatchFilter): { items: string[]; rv: number } {
    return { items: this.select(keyPrefix, filter).map((c) => c.json()), rv: this.rev };
  }

  /** Whether any cached object satisfies the predicate. */
  some(pred: WatchFilter): boolean {
    for (const c of this.items.values()) if (pred(c.object)) return true;
    return false;
  }

  /** The cached object at key, shared: callers must not change it. */
  get(key: string): KubeObject | undefined {
    return this.items.get(key)?.object;
  }

  /** A copy of the cached object at key that the caller owns. */
  getCopy(key: string): KubeObject | undefined {
    return this.items.get(key)?.copy();
  }

  /**
   * Starts a watch of keys under keyPrefix. fromRV undefined or 0: the current state as ADDED
   * events first; otherwise every change after fromRV (410 Expired if the window no longer has it).
   */
  watch(fromRV: number | undefined, keyPrefix: string | undefined, filter: WatchFilter | undefined, handlers: CacheWatchHandlers): () => void {
    const sub: Subscription = { keyPrefix, filter, handlers, lastRV: 0 };
    if (!fromRV) {
      for (const c of this.select(keyPrefix, filter)) handlers.onEvent('ADDED', new CacheEvent('ADDED', c.key, c, undefined, c.rv));
      sub.lastRV = this.rev;
    } else {
      if (fromRV < this.windowStart) {
        throw newGone(`too old resource version: ${fromRV} (${this.windowStart})`);
      }
      sub.lastRV = fromRV;
      for (const ev of this.events) if (ev.rv > fromRV) this.dispatch(sub, ev);
    }
    this.subs.add(sub);
    return () => this.subs.delete(sub);
  }

  /** How many objects the cache holds. */
  get size(): number {
    return this.items.size;
  }

  get watcherCount(): number {
    return this.subs.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.bookmarkTimer) clearInterval(this.bookmarkTimer);
    for (const s of this.subs) s.handlers.onClose('shutting down');
    this.subs.clear();
  }
}
