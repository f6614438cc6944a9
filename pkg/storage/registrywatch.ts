// One etcd watch on the whole /registry/ keyspace, shared by every watch cache.
// Because it sees every write, the revision it has delivered is global progress:
// a cache can then say it is current at any revision a client got from a list,
// even when its own resource did not change (what etcd progress notifications
// give kube-apiserver). When a client asks for a revision newer than anything
// delivered, a write to a sentinel key under the root forces progress through.
import type { EtcdClient, WatchEvent, WatchStream } from './etcd.js';

export interface RegistrySink {
  onPut(ev: WatchEvent): void;
  onDelete(ev: WatchEvent): void;
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
  private revisionRead?: Promise<number>;
  private nextRevisionRead?: Promise<number>;
  private stopped = false;

  constructor(
    private readonly etcd: EtcdClient,
    private readonly log: (msg: string) => void,
  ) {}

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
    // A lost stream or a cancel by etcd (compact_revision set) means events were missed: every cache relists.
    this.watcher = await this.etcd.watchPrefix(REGISTRY_ROOT, from + 1, {
      onEvents: (events) => this.deliver(events),
      onProgress: (rev) => this.progress(rev),
      onClose: (err) => void this.reset(`etcd watch ended: ${err.message}`),
    });
  }

  private deliver(events: WatchEvent[]): void {
    let last = 0;
    for (const ev of events) {
      if (ev.modRevision > last) last = ev.modRevision;
      const target = this.sinks.find((s) => ev.key.startsWith(s.prefix));
      if (!target) continue;
      if (ev.type === 'DELETE') target.sink.onDelete(ev);
      else target.sink.onPut(ev);
    }
    this.progress(last);
  }

  private progress(rev: number): void {
    if (rev <= this.delivered) return;
    this.delivered = rev;
    for (const s of this.sinks) s.sink.onProgress(rev);
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
   * etcd's current revision, read after this call was made: what a consistent read
   * must see. Callers that arrive while a read is in flight share the next one, so
   * a burst of consistent reads costs two etcd calls, not one each.
   */
  currentRevision(): Promise<number> {
    if (!this.revisionRead) {
      this.revisionRead = this.etcd.currentRevision().finally(() => {
        this.revisionRead = undefined;
      });
      return this.revisionRead;
    }
    this.nextRevisionRead ??= this.revisionRead
      .catch(() => 0)
      .then(() => {
        this.nextRevisionRead = undefined;
        return this.currentRevision();
      });
    return this.nextRevisionRead;
  }

  /**
   * Makes sure progress reaches the current etcd revision (when that is at least rv):
   * a write under the root comes back through the watch after everything before it.
   */
  requestProgress(rv: number): Promise<void> {
    this.probe ??= (async () => {
      try {
        if ((await this.currentRevision()) >= rv) await this.etcd.put(SENTINEL_KEY, String(Date.now()));
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
