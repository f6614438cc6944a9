// The etcd-backed store: every object lives at one key, its resourceVersion is
// the key's mod_revision, and every write is a transaction guarded on that
// revision so concurrent writers get a Conflict instead of a lost update.
import { EtcdRPC, EtcdRPCError, type EtcdRPCOptions, type WatchHandlers, type WatchStream } from './etcdrpc/client.js';
import { CompareResult, CompareTarget, type KeyValue, type PutResponse, type TxnResponse } from './etcdrpc/messages.js';

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

function toKV(kv: KeyValue): StoredKV {
  return { key: kv.key.toString(), value: kv.value, modRevision: kv.mod_revision };
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
  return err instanceof EtcdRPCError && /compacted/.test(err.message);
}

/** The compare that makes a write conditional on the key's mod_revision (0: the key does not exist). */
function modIs(key: Buffer, revision: number) {
  return [{ key, target: CompareTarget.MOD, result: CompareResult.EQUAL, mod_revision: revision }];
}

export class EtcdClient {
  private readonly rpc: EtcdRPC;

  constructor(endpoints: string[], options: EtcdRPCOptions = {}) {
    this.rpc = new EtcdRPC(endpoints, options);
  }

  async get(key: string): Promise<{ kv?: StoredKV; revision: number }> {
    const res = await this.rpc.range({ key: Buffer.from(key) });
    return { kv: res.kvs.length ? toKV(res.kvs[0]) : undefined, revision: res.header.revision };
  }

  /** Keys in [from, end of prefix), at a revision (0 = latest), at most limit (0 = all). */
  async range(prefix: string, opts: { from?: string; revision?: number; limit?: number } = {}): Promise<RangeResult> {
    try {
      const res = await this.rpc.range({
        key: Buffer.from(opts.from ?? prefix),
        range_end: prefixEnd(prefix),
        revision: opts.revision ?? 0,
        limit: opts.limit ?? 0,
      });
      return { kvs: res.kvs.map(toKV), revision: res.header.revision, more: res.more, count: res.count };
    } catch (err) {
      if (isCompacted(err)) throw new CompactedError(opts.revision ?? 0);
      throw err;
    }
  }

  async count(prefix: string): Promise<number> {
    const res = await this.rpc.range({ key: Buffer.from(prefix), range_end: prefixEnd(prefix), count_only: true });
    return res.count;
  }

  /** Put only if the key does not exist. */
  async create(key: string, value: Buffer): Promise<TxnResult> {
    const k = Buffer.from(key);
    const res = await this.rpc.txn({
      compare: modIs(k, 0),
      success: [{ request_put: { key: k, value } }],
      failure: [{ request_range: { key: k } }],
    });
    return txnResult(res);
  }

  /** Put only if the key's mod_revision is still expected. */
  async update(key: string, value: Buffer, expectedRevision: number): Promise<TxnResult> {
    const k = Buffer.from(key);
    const res = await this.rpc.txn({
      compare: modIs(k, expectedRevision),
      success: [{ request_put: { key: k, value } }],
      failure: [{ request_range: { key: k } }],
    });
    return txnResult(res);
  }

  /** Delete only if the key's mod_revision is still expected. */
  async delete(key: string, expectedRevision: number): Promise<TxnResult> {
    const k = Buffer.from(key);
    const res = await this.rpc.txn({
      compare: modIs(k, expectedRevision),
      success: [{ request_delete_range: { key: k } }],
      failure: [{ request_range: { key: k } }],
    });
    return txnResult(res);
  }

  /** An unconditional put (the registry watch's progress sentinel). */
  put(key: string, value: Buffer | string): Promise<PutResponse> {
    return this.rpc.put({ key: Buffer.from(key), value: typeof value === 'string' ? Buffer.from(value) : value });
  }

  /**
   * Watches every key under prefix from a revision, without previous values.
   * A start revision already compacted away ends in a canceled response with compact_revision set.
   */
  watchPrefix(prefix: string, fromRevision: number, handlers: WatchHandlers): WatchStream {
    return this.rpc.watch({ key: Buffer.from(prefix), range_end: prefixEnd(prefix), start_revision: fromRevision }, handlers);
  }

  async currentRevision(): Promise<number> {
    const res = await this.rpc.range({ key: REGISTRY_KEY, range_end: REGISTRY_END, count_only: true });
    return res.header.revision;
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.rpc.compact({ revision, physical: false });
    } catch (err) {
      if (!isCompacted(err)) throw err; // already compacted past it: fine
    }
  }

  close(): void {
    this.rpc.close();
  }
}

const REGISTRY_KEY = Buffer.from('/registry/');
const REGISTRY_END = prefixEnd('/registry/');

function txnResult(res: TxnResponse): TxnResult {
  if (res.succeeded) return { ok: true, revision: res.header.revision };
  const kv = res.responses[0]?.response_range?.kvs[0];
  return { ok: false, current: kv ? toKV(kv) : undefined };
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
