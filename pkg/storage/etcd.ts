// The etcd client of the apiserver, the only file that talks to etcd (through
// the `etcd3` package). Every object lives at one key, its resourceVersion is
// the key's mod_revision, and every write is a transaction guarded on that
// revision so concurrent writers get a Conflict instead of a lost update.
// Values pass through the configured transformer (encryption at rest) here, on
// their way in and out, so the watch cache and every layer above hold plaintext
// and etcd holds only the stored form.
import { readFileSync } from 'node:fs';
import { ConsecutiveBreaker, circuitBreaker, handleWhen, noop } from 'cockatiel';
import { Etcd3, isRecoverableError, type IKeyValue, type IOptions, type ITxnResponse, type IWatchResponse, type Watcher } from 'etcd3';
import type { ValueTransformer } from './value/transformer.js';

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

/** One event of a watch, as etcd reports it (no previous value: nothing here asks for one). */
export interface WatchEvent {
  type: 'PUT' | 'DELETE';
  key: string;
  value: Buffer;
  modRevision: number;
}

export interface WatchHandlers {
  /** Events of one watch response, in revision order. */
  onEvents(events: WatchEvent[]): void;
  /** A response without events: etcd has sent everything up to revision. */
  onProgress(revision: number): void;
  /** The watch ended (etcd canceled it, e.g. its start revision was compacted, or the stream was lost); events may have been missed. */
  onClose(err: Error): void;
}

export interface WatchStream {
  cancel(): void;
}

/** Raised when a read asks for a revision etcd has already compacted away. */
export class CompactedError extends Error {
  constructor(readonly requested: number) {
    super(`required revision ${requested} has been compacted`);
  }
}

/** Raised when a read asks for a revision etcd has not reached yet. */
export class FutureRevisionError extends Error {
  constructor(readonly requested: number) {
    super(`required revision ${requested} is a future revision`);
  }
}

export interface EtcdClientOptions {
  /** Deadline of each unary call (not of watches). */
  requestTimeoutMs?: number;
  /** PEM files for TLS to etcd, as kube-apiserver's --etcd-cafile, --etcd-certfile and --etcd-keyfile. */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Transforms values on their way to and from etcd (--encryption-provider-config). */
  transformer?: ValueTransformer;
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

const noTransform: ValueTransformer = { toStorage: (v) => v, fromStorage: (v) => v };

/** The compare that makes a write conditional on the key's mod_revision (0: the key does not exist). */
function modIs(key: Buffer, revision: number) {
  return [{ key, target: 'Mod' as const, result: 'Equal' as const, mod_revision: String(revision) }];
}

/** etcd3's options for endpoints and, when the files are given, TLS with a client certificate. */
function etcd3Options(endpoints: string[], opts: EtcdClientOptions): IOptions {
  const timeout = opts.requestTimeoutMs ?? 10_000;
  const options: IOptions = {
    hosts: endpoints,
    // Unary calls get a deadline; a watch stream lives as long as it is wanted.
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    faultHandling: {
      // With several endpoints an unreachable one is skipped for a second after three
      // failures in a row. With one there is nowhere else to go: every call tries it
      // (etcd3's default breaker would refuse calls for 5 s after a hiccup).
      host: () => (endpoints.length > 1 ? circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(3) }) : noop),
    },
    grpcOptions: {
      // channelz keeps per-call statistics nothing here reads, on every etcd call.
      'grpc.enable_channelz': 0,
      // Lists of a large keyspace come back in one message, as etcd sends them.
      'grpc.max_receive_message_length': -1,
      'grpc.max_send_message_length': 2 * 1024 * 1024 + 4096,
    },
  };
  const secure = endpoints.some((e) => e.startsWith('https://'));
  if (opts.caFile || opts.certFile || opts.keyFile || secure) {
    if (!opts.caFile) throw new Error('TLS to etcd needs --etcd-cafile (and --etcd-certfile/--etcd-keyfile for a client certificate)');
    if (!opts.certFile !== !opts.keyFile) throw new Error('--etcd-certfile and --etcd-keyfile go together');
    options.credentials = {
      rootCertificate: readFileSync(opts.caFile),
      certChain: opts.certFile ? readFileSync(opts.certFile) : undefined,
      privateKey: opts.keyFile ? readFileSync(opts.keyFile) : undefined,
    };
  }
  return options;
}

export class EtcdClient {
  private readonly client: Etcd3;
  private readonly transformer: ValueTransformer;

  constructor(endpoints: string[], options: EtcdClientOptions = {}) {
    this.client = new Etcd3(etcd3Options(endpoints, options));
    this.transformer = options.transformer ?? noTransform;
  }

  /** A key-value read from etcd, its value in plaintext. */
  private toKV(kv: IKeyValue): StoredKV {
    const key = kv.key.toString();
    return { key, value: this.transformer.fromStorage(kv.value, key), modRevision: Number(kv.mod_revision) };
  }

  private txnResult(res: ITxnResponse): TxnResult {
    if (res.succeeded) return { ok: true, revision: Number(res.header.revision) };
    const kv = res.responses[0]?.response_range?.kvs[0];
    return { ok: false, current: kv ? this.toKV(kv) : undefined };
  }

  async get(key: string): Promise<{ kv?: StoredKV; revision: number }> {
    const res = await this.client.kv.range({ key: Buffer.from(key) });
    return { kv: res.kvs.length ? this.toKV(res.kvs[0]) : undefined, revision: Number(res.header.revision) };
  }

  /** Keys in [from, end of prefix), at a revision (0 = latest), at most limit (0 = all). */
  async range(prefix: string, opts: { from?: string; revision?: number; limit?: number } = {}): Promise<RangeResult> {
    let res: Awaited<ReturnType<Etcd3['kv']['range']>>;
    try {
      res = await this.client.kv.range({
        key: Buffer.from(opts.from ?? prefix),
        range_end: prefixEnd(prefix),
        revision: opts.revision ?? 0,
        limit: opts.limit ?? 0,
      });
    } catch (err) {
      if (isCompacted(err)) throw new CompactedError(opts.revision ?? 0);
      if (err instanceof Error && /future revision/.test(err.message)) throw new FutureRevisionError(opts.revision ?? 0);
      throw err;
    }
    // Outside the try: a decryption error names the key, which must not read as etcd's errors.
    return { kvs: res.kvs.map((kv) => this.toKV(kv)), revision: Number(res.header.revision), more: res.more, count: Number(res.count) };
  }

  /** Put only if the key does not exist. */
  create(key: string, value: Buffer): Promise<TxnResult> {
    return this.guardedPut(key, value, 0);
  }

  /** Put only if the key's mod_revision is still expected. */
  update(key: string, value: Buffer, expectedRevision: number): Promise<TxnResult> {
    return this.guardedPut(key, value, expectedRevision);
  }

  private async guardedPut(key: string, value: Buffer, expectedRevision: number): Promise<TxnResult> {
    const k = Buffer.from(key);
    const res = await this.client.kv.txn({
      compare: modIs(k, expectedRevision),
      success: [{ request_put: { key: k, value: this.transformer.toStorage(value, key) } }],
      // A failed write answers with the key's current value: a retry needs no second read.
      failure: [{ request_range: { key: k } }],
    });
    return this.txnResult(res);
  }

  /** Delete only if the key's mod_revision is still expected. */
  async delete(key: string, expectedRevision: number): Promise<TxnResult> {
    const k = Buffer.from(key);
    const res = await this.client.kv.txn({
      compare: modIs(k, expectedRevision),
      success: [{ request_delete_range: { key: k } }],
      failure: [{ request_range: { key: k } }],
    });
    return this.txnResult(res);
  }

  /** An unconditional put (the registry watch's progress sentinel). */
  async put(key: string, value: Buffer | string): Promise<number> {
    const plain = typeof value === 'string' ? Buffer.from(value) : value;
    const res = await this.client.kv.put({ key: Buffer.from(key), value: this.transformer.toStorage(plain, key) });
    return Number(res.header.revision);
  }

  /**
   * Watches every key under prefix from a revision, without previous values.
   * Resolves once etcd has created the watch; rejects if it refuses to (e.g. the
   * start revision was compacted away).
   */
  async watchPrefix(prefix: string, fromRevision: number, handlers: WatchHandlers): Promise<WatchStream> {
    const watcher: Watcher = await this.client
      .watch()
      .inRange({ start: Buffer.from(prefix), end: prefixEnd(prefix) })
      .startRevision(String(fromRevision))
      .create();
    let closed = false;
    const close = (err: Error) => {
      if (closed) return;
      closed = true;
      // etcd3 would resume this watch itself after a lost stream, but from the revision
      // in the last response header, which can skip events it had not sent yet: end it,
      // and let the caller relist.
      void watcher.cancel().catch(() => undefined);
      handlers.onClose(err);
    };
    watcher.on('data', (res: IWatchResponse) => {
      if (closed) return;
      if (!res.events.length) {
        handlers.onProgress(Number(res.header.revision));
        return;
      }
      let events: WatchEvent[];
      try {
        events = res.events.map((ev) =>
          ev.type === 'Delete'
            ? { type: 'DELETE', key: ev.kv.key.toString(), value: ev.kv.value, modRevision: Number(ev.kv.mod_revision) }
            : { type: 'PUT', ...this.toKV(ev.kv) },
        );
      } catch (err) {
        // A value no configured key can read: end the watch rather than skip the event.
        close(err as Error);
        return;
      }
      handlers.onEvents(events);
    });
    watcher.on('disconnected', (err: Error) => close(err));
    watcher.on('error', (err: Error) => close(err));
    return {
      cancel() {
        if (closed) return;
        closed = true;
        void watcher.cancel().catch(() => undefined);
      },
    };
  }

  /** etcd's current revision (the header of a read of one key, which costs etcd next to nothing). */
  async currentRevision(): Promise<number> {
    const res = await this.client.kv.range({ key: REGISTRY_KEY });
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.client.kv.compact({ revision: String(revision), physical: false });
    } catch (err) {
      if (!isCompacted(err)) throw err; // already compacted past it: fine
    }
  }

  close(): void {
    this.client.close();
  }
}

const REGISTRY_KEY = Buffer.from('/registry/');

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
