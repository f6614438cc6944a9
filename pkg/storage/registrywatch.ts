// One etcd watch on the whole /registry/ keyspace, shared by every watch cache.
// Because it sees every write, the revision it has delivered is global progress:
// a cache can then say it is current at any revision a client got from a list,
// even when its own resource did not change (what etcd progress notifications
// give kube-apiserver). When a client asks for a revision newer than anything
// delivered, a write to a sentinel key under the root forces progress through.
import type { EtcdClient } from './etcd.js';
import type { WatchStream } from './etcdrpc/client.js';
import { EventType, type KeyValue, type WatchResponse } from './etcdrpc/messages.js';

export type WatchedKV = KeyValue;

export interface RegistrySink {
  onPut(kv: WatchedKV, prev?: WatchedKV): void;
  onDelete(kv: WatchedKV, prev?: WatchedKV): void;
  /** Every event up to rev has been delivered. */
  onProgress(rev: number): void;
  /** The etcd watch was lost: relist. */
  onReset(reason: string): void;
}

export const REGISTRY_ROOT = '/registry/';
// No resource can live here: '-' is not a valid group or resource name.
const SENTINEL_KEY = '/registry/-/progress';

export class RegistryWatch {
  private sinks: Array<{ prefix: string; sink: RegistrySink }> = [];
  private watcher?: WatchStream;
  private started?: Promise<void>;
  private delivered = 0;
  private probe?: Promise<void>;
  private stopped = false;

  constructor(private readonly etcd: EtcdClient, private readonly log: (msg: string) => void) {}

  get revision(): number {
    return this.delivered;
  }

  register(prefix: string, sink: RegistrySink): void {
    this.sinks.push({ prefix, sink });
    // Longest prefix first, so /registry/services/specs/ wins over a shorter one.
    this.sinks.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  start(): Promise<void> {
    this.started ??= this.open().catch((err: unknown) => {
      this.started = undefined;
      throw err;
    });
    return this.started;
  }

  private async open(): Promise<void> {
    const from = await this.etcd.currentRevision();
    this.delivered = Math.max(this.delivered, from);
    // No previous values (prev_kv): every cache holds the whole of its prefix from a list at a
    // revision this watch continues, so it already has the old object of every update and delete.
    // Asking for them made etcd read, and this process decode, a second copy of every object written.
    // A watch whose start revision was compacted is canceled with compact_revision set;
    // like a lost stream, that means events were missed, so every cache relists.
    // start() resolves once etcd has created the watch.
    await new Promise<void>((resolve, reject) => {
      let created = false;
      const watcher = this.etcd.watchPrefix(REGISTRY_ROOT, from + 1, {
        onResponse: (res) => {
          if (res.canceled) {
            const why = res.compact_revision ? `start revision ${from + 1} compacted (compact revision ${res.compact_revision})` : res.cancel_reason || 'canceled by etcd';
            if (created) void this.reset(`etcd watch canceled: ${why}`);
            else {
              watcher.cancel();
              reject(new Error(`etcd watch canceled: ${why}`));
            }
            return;
          }
          if (res.created && !created) {
            created = true;
            resolve();
          }
          this.deliver(res);
        },
        onClose: (err) => {
          if (!created) reject(err);
          else void this.reset(`etcd watch failed: ${err.message}`);
        },
      });
      this.watcher = watcher;
    });
  }

  private deliver(res: WatchResponse): void {
    let last = 0;
    for (const ev of res.events) {
      const kv = ev.kv;
      const key = kv.key.toString();
      if (kv.mod_revision > last) last = kv.mod_revision;
      const target = this.sinks.find((s) => key.startsWith(s.prefix));
      if (!target) continue;
      if (ev.type === EventType.DELETE) target.sink.onDelete(kv, ev.prev_kv);
      else target.sink.onPut(kv, ev.prev_kv);
    }
    if (last > this.delivered) {
      this.delivered = last;
      for (const s of this.sinks) s.sink.onProgress(last);
    }
  }

  private async reset(reason: string): Promise<void> {
    if (this.stopped) return;
    this.log(`registry watch: ${reason}; every cache relists`);
    this.watcher?.cancel();
    this.watcher = undefined;
    this.started = undefined;
    await this.start().catch((err: Error) => this.log(`registry watch: restart failed: ${err.message}`));
    for (const s of this.sinks) s.sink.onReset(reason);
  }

  /**
   * Makes sure progress reaches the current etcd revision (when that is at least rv):
   * a write under the root comes back through the watch after everything before it.
   */
  requestProgress(rv: number): Promise<void> {
    this.probe ??= (async () => {
      try {
        if ((await this.etcd.currentRevision()) >= rv) await this.etcd.put(SENTINEL_KEY, String(Date.now()));
      } finally {
        this.probe = undefined;
      }
    })();
    return this.probe;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.cancel();
    this.watcher = undefined;
  }
}
