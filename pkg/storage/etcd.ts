// The etcd-backed store: every object lives at one key, its resourceVersion is
// the key's mod_revision, and every write is a transaction guarded on that
// revision so concurrent writers get a Conflict instead of a lost update.
import { Etcd3, type IOptions } from 'etcd3';
import { noop } from 'cockatiel';

export interface StoredKV {
  key: string;
  value: Buffer;
  modRevision: number;
}

export interface RangeResult {
  kvs: StoredKV[];
  revision: number;
  more: boolean;
  /** Keys in the whole range, not just those returned. */
  count: number;
}

export type TxnResult = { ok: true; revision: number } | { ok: false; current?: StoredKV };

/** Raised when a read asks for a revision etcd has already compacted away. */
export class CompactedError extends Error {
  constructor(readonly requested: number) {
    super(`required revision ${requested} has been compacted`);
  }
}

function toKV(kv: { key: Buffer; mod_revision: string; value: Buffer }): StoredKV {
  return { key: kv.key.toString(), value: kv.value, modRevision: Number(kv.mod_revision) };
}

/** The smallest key greater than every key starting with prefix (etcd's range_end for a prefix). */
export function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i] < 0xff) {
      const end = Buffer.from(b.subarray(0, i + 1));
      end[i]++;
      return end;
    }
  }
  return Buffer.from([0]);
}

function isCompacted(err: unknown): boolean {
  return err instanceof Error && /compacted/.test(err.message);
}

export class EtcdClient {
  readonly client: Etcd3;

  constructor(endpoints: string[], options: Partial<IOptions> = {}) {
    // gRPC's default 4 MiB receive limit breaks any range over ~3,000 pods (the watch cache's initial list); kube-apiserver lifts it too.
    this.client = new Etcd3({
      hosts: endpoints,
      // Lists of a large resource exceed gRPC's 4 MiB default; kube-apiserver lifts the limit too.
      grpcOptions: { 'grpc.max_receive_message_length': -1 },
      // With one member, the default per-host circuit breaker turns three bad responses
      // into seconds of refusing every request; keep it only when there are others to try.
      faultHandling: endpoints.length > 1 ? undefined : { host: () => noop },
      ...options,
    });
  }

  async get(key: string): Promise<{ kv?: StoredKV; revision: number }> {
    const res = await this.client.kv.range({ key: Buffer.from(key) });
    return { kv: res.kvs[0] ? toKV(res.kvs[0]) : undefined, revision: Number(res.header.revision) };
  }

  /** Keys in [from, end of prefix), at a revision (0 = latest), at most limit (0 = all). */
  async range(prefix: string, opts: { from?: string; revision?: number; limit?: number } = {}): Promise<RangeResult> {
    try {
      const res = await this.client.kv.range({
        key: Buffer.from(opts.from ?? prefix),
        range_end: prefixEnd(prefix),
        revision: opts.revision ?? 0,
        limit: opts.limit ?? 0,
      });
      return { kvs: res.kvs.map(toKV), revision: Number(res.header.revision), more: res.more, count: Number(res.count) };
    } catch (err) {
      if (isCompacted(err)) throw new CompactedError(opts.revision ?? 0);
      throw err;
    }
  }

  async count(prefix: string): Promise<number> {
    const res = await this.client.kv.range({ key: Buffer.from(prefix), range_end: prefixEnd(prefix), count_only: true });
    return Number(res.count);
  }

  /** Put only if the key does not exist. */
  async create(key: string, value: Buffer): Promise<TxnResult> {
    const k = Buffer.from(key);
    const res = await this.client.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: 0 }],
      success: [{ request_put: { key: k, value } }],
      failure: [{ request_range: { key: k } }],
    });
    return this.txnResult(res);
  }

  /** Put only if the key's mod_revision is still expected. */
  async update(key: string, value: Buffer, expectedRevision: number): Promise<TxnResult> {
    const k = Buffer.from(key);
    const res = await this.client.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision }],
      success: [{ request_put: { key: k, value } }],
      failure: [{ request_range: { key: k } }],
    });
    return this.txnResult(res);
  }

  /** Delete only if the key's mod_revision is still expected. */
  async delete(key: string, expectedRevision: number): Promise<TxnResult> {
    const k = Buffer.from(key);
    const res = await this.client.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision }],
      success: [{ request_delete_range: { key: k } }],
      failure: [{ request_range: { key: k } }],
    });
    return this.txnResult(res);
  }

  private txnResult(res: { succeeded: boolean; header: { revision: string }; responses: Array<{ response_range?: { kvs: Array<{ key: Buffer; mod_revision: string; value: Buffer }> } }> }): TxnResult {
    if (res.succeeded) return { ok: true, revision: Number(res.header.revision) };
    const kv = res.responses[0]?.response_range?.kvs[0];
    return { ok: false, current: kv ? toKV(kv) : undefined };
  }

  async currentRevision(): Promise<number> {
    const res = await this.client.kv.range({ key: Buffer.from('/registry/'), range_end: prefixEnd('/registry/'), count_only: true });
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.client.kv.compact({ revision, physical: false });
    } catch (err) {
      if (!isCompacted(err)) throw err; // already compacted past it: fine
    }
  }

  close(): void {
    this.client.close();
  }
}

/**
 * Keeps etcd's history bounded, as kube-apiserver does: every interval, compact
 * everything older than the revision seen one interval ago, so watchers always
 * have at least one interval of history to resume from.
 */
export function startCompactor(etcd: EtcdClient, intervalMs: number, log: (msg: string) => void): () => void {
  let previous = 0;
  const timer = setInterval(() => {
    void (async () => {
      try {
        const current = await etcd.currentRevision();
        if (previous > 0) {
          await etcd.compact(previous);
          log(`compacted etcd history to revision ${previous}`);
        }
        previous = current;
      } catch (err) {
        log(`etcd compaction failed: ${(err as Error).message}`);
      }
    })();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
