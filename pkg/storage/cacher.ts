// The watch cache: one etcd watch per resource feeds an in-memory copy of every
// object and a window of recent events. Lists at resourceVersion=0 and every
// watch are served from here, so N watchers cost one etcd watch, and each event
// is serialised once however many watchers receive it.
import type { Watcher as EtcdWatcher } from 'etcd3';
import type { KubeObject } from '../../api/meta/v1/types.js';
import { newGone, newTimeout } from '../../api/meta/v1/status.js';
import type { EtcdClient, StoredKV } from './etcd.js';

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export class CacheEvent {
  private json?: string;
  constructor(
    readonly type: CacheEventType,
    readonly key: string,
    readonly object: KubeObject,
    readonly prevObject: KubeObject | undefined,
    readonly rv: number,
  ) {}

  /** The object's JSON, computed once and shared by every watcher. */
  objectJSON(): string {
    return (this.json ??= JSON.stringify(this.object));
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
  filter?: WatchFilter;
  handlers: CacheWatchHandlers;
  lastRV: number;
}

export type Decoder = (kv: StoredKV) => KubeObject;

export interface WatchCacheOptions {
  capacity: number;
  bookmarkIntervalMs: number;
  log: (msg: string) => void;
}

export class WatchCache {
  private items = new Map<string, KubeObject>();
  /** Each cached object's JSON, made on first list and kept until the object changes. */
  private json = new Map<string, string>();
  private events: CacheEvent[] = [];
  /** Every event with rv > windowStart is in `events`. */
  private windowStart = 0;
  private rev = 0;
  private subs = new Set<Subscription>();
  private waiters: Array<{ rv: number; resolve: () => void }> = [];
  private watcher?: EtcdWatcher;
  private bookmarkTimer?: NodeJS.Timeout;
  private ready?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly etcd: EtcdClient,
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
    const res = await this.etcd.range(this.prefix);
    this.items.clear();
    this.json.clear();
    for (const kv of res.kvs) this.items.set(kv.key, this.decode(kv));
    this.rev = res.revision;
    this.windowStart = res.revision;
    this.events = [];
    const watcher = await this.etcd.client.watch().prefix(this.prefix).withPreviousKV().startRevision(String(res.revision + 1)).create();
    this.watcher = watcher;
    watcher.on('put', (kv, prev) => this.onPut(kv, prev));
    watcher.on('delete', (kv, prev) => this.onDelete(kv, prev));
    watcher.on('error', (err) => void this.restart(`etcd watch failed: ${err.message}`));
    if (!this.bookmarkTimer) {
      this.bookmarkTimer = setInterval(() => this.sendBookmarks(), this.opts.bookmarkIntervalMs);
      this.bookmarkTimer.unref();
    }
  }

  /** After losing the etcd watch: relist, and end every watch so clients resume (or relist on 410). */
  private async restart(reason: string): Promise<void> {
    if (this.stopped) return;
    this.opts.log(`watch cache ${this.prefix}: ${reason}; relisting`);
    for (const s of this.subs) s.handlers.onClose(reason);
    this.subs.clear();
    await this.watcher?.cancel().catch(() => undefined);
    this.ready = this.load();
    await this.ready.catch((err: Error) => this.opts.log(`watch cache ${this.prefix}: relist failed: ${err.message}`));
  }

  private onPut(kv: { key: Buffer; value: Buffer; mod_revision: string }, prev?: { value: Buffer; mod_revision: string; key: Buffer }): void {
    const key = kv.key.toString();
    const stored: StoredKV = { key, value: kv.value, modRevision: Number(kv.mod_revision) };
    const obj = this.decode(stored);
    const old = this.items.get(key);
    this.items.set(key, obj);
    this.json.delete(key);
    const prevObj = old ?? (prev ? this.decode({ key, value: prev.value, modRevision: Number(prev.mod_revision) }) : undefined);
    this.append(new CacheEvent(old ? 'MODIFIED' : 'ADDED', key, obj, prevObj, stored.modRevision));
  }

  private onDelete(kv: { key: Buffer; mod_revision: string }, prev?: { value: Buffer; mod_revision: string }): void {
    const key = kv.key.toString();
    const rv = Number(kv.mod_revision);
    const old = this.items.get(key) ?? (prev ? this.decode({ key, value: prev.value, modRevision: Number(prev.mod_revision) }) : undefined);
    this.items.delete(key);
    this.json.delete(key);
    if (!old) return;
    // A deleted object is reported in its last state, at the revision of the deletion.
    const obj: KubeObject = { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } };
    this.append(new CacheEvent('DELETED', key, obj, old, rv));
  }

  private append(ev: CacheEvent): void {
    this.events.push(ev);
    this.rev = Math.max(this.rev, ev.rv);
    if (this.events.length > this.opts.capacity) {
      const dropped = this.events.splice(0, this.events.length - this.opts.capacity);
      this.windowStart = dropped[dropped.length - 1].rv;
    }
    for (const s of this.subs) this.dispatch(s, ev);
    if (this.waiters.length) {
      const due = this.waiters.filter((w) => w.rv <= this.rev);
      this.waiters = this.waiters.filter((w) => w.rv > this.rev);
      for (const w of due) w.resolve();
    }
  }

  private dispatch(s: Subscription, ev: CacheEvent): void {
    if (ev.rv <= s.lastRV) return;
    s.lastRV = ev.rv;
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

  get resourceVersion(): number {
    return this.rev;
  }

  /** Waits (up to timeoutMs) until the cache has seen revision rv, as kube-apiserver does for "too large resource version". */
  async waitUntilFresh(rv: number, timeoutMs = 3000): Promise<void> {
    await this.start();
    if (rv <= this.rev) return;
    await new Promise<void>((resolve, reject) => {
      const w = { rv, resolve: () => { clearTimeout(t); resolve(); } };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(newTimeout(`Too large resource version: ${rv}, current: ${this.rev}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** A snapshot of the objects the filter accepts, in key order. */
  list(filter?: WatchFilter): { items: KubeObject[]; rv: number } {
    const keys: string[] = [];
    for (const [key, obj] of this.items) if (!filter || filter(obj)) keys.push(key);
    keys.sort();
    return { items: keys.map((k) => this.items.get(k) as KubeObject), rv: this.rev };
  }

  /** Like list, but each item as its JSON text, serialised at most once per version. */
  listJSON(filter?: WatchFilter): { items: string[]; rv: number } {
    const keys: string[] = [];
    for (const [key, obj] of this.items) if (!filter || filter(obj)) keys.push(key);
    keys.sort();
    const items = keys.map((k) => {
      let j = this.json.get(k);
      if (j === undefined) {
        j = JSON.stringify(this.items.get(k));
        this.json.set(k, j);
      }
      return j;
    });
    return { items, rv: this.rev };
  }

  /** Whether any cached object satisfies the predicate. */
  some(pred: WatchFilter): boolean {
    for (const obj of this.items.values()) if (pred(obj)) return true;
    return false;
  }

  get(key: string): KubeObject | undefined {
    return this.items.get(key);
  }

  /**
   * Starts a watch. fromRV undefined or 0: the current state as ADDED events first;
   * otherwise every change after fromRV (410 Expired if the window no longer has it).
   */
  watch(fromRV: number | undefined, filter: WatchFilter | undefined, handlers: CacheWatchHandlers): () => void {
    const sub: Subscription = { filter, handlers, lastRV: 0 };
    if (!fromRV) {
      for (const [key, obj] of this.items) {
        if (!filter || filter(obj)) handlers.onEvent('ADDED', new CacheEvent('ADDED', key, obj, undefined, Number(obj.metadata.resourceVersion)));
      }
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

  get watcherCount(): number {
    return this.subs.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.bookmarkTimer) clearInterval(this.bookmarkTimer);
    for (const s of this.subs) s.handlers.onClose('shutting down');
    this.subs.clear();
    await this.watcher?.cancel().catch(() => undefined);
  }
}
