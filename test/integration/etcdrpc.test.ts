// The etcd v3 client against a real etcd: KV calls and their error
// statuses, watches, deadlines, reconnecting after etcd restarts, failover.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { spawnEtcd } from '../../pkg/cluster/etcd.js';
import { freePort } from '../../pkg/cluster/process.js';
import { prefixEnd } from '../../pkg/storage/etcd.js';
import { EtcdRPC, EtcdRPCError, GrpcStatus, type WatchStream } from '../../pkg/storage/etcdrpc/client.js';
import { CompareResult, CompareTarget, EventType, frame, writeRangeResponse, type WatchCreateRequest, type WatchResponse } from '../../pkg/storage/etcdrpc/messages.js';
import { startEtcd, waitEtcdHealthy, type TestEtcd } from '../support/etcd.js';

const b = (s: string): Buffer => Buffer.from(s);

async function rejection(p: Promise<unknown>): Promise<EtcdRPCError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof EtcdRPCError, `expected an EtcdRPCError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

/** Collects a watch's responses; resolves waiters when a predicate over all of them holds. */
function collect(rpc: EtcdRPC, create: WatchCreateRequest) {
  const responses: WatchResponse[] = [];
  let closed: Error | undefined;
  let wake = (): void => undefined;
  const stream: WatchStream = rpc.watch(create, {
    onResponse: (r) => {
      responses.push(r);
      wake();
    },
    onClose: (err) => {
      closed = err;
      wake();
    },
  });
  return {
    responses,
    stream,
    get closed() {
      return closed;
    },
    async until(pred: () => boolean, ms = 5000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > deadline) assert.fail(`watch condition not met; got ${JSON.stringify(responses.map((r) => ({ ...r, events: r.events.length })))}`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 50).unref();
        });
      }
    },
  };
}

function exited(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  const done = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill(signal);
  return done;
}

describe('etcdrpc against etcd', () => {
  let etcd: TestEtcd;
  let rpc: EtcdRPC;

  before(async () => {
    etcd = await startEtcd();
    rpc = new EtcdRPC([etcd.endpoint]);
  });
  after(async () => {
    rpc.close();
    await etcd.stop();
  });

  it('puts and ranges, with count_only and limit + more', async () => {
    const put = await rpc.put({ key: b('/t/a'), value: b('1') });
    assert.ok(put.header.revision > 1);
    await rpc.put({ key: b('/t/b'), value: b('2') });
    await rpc.put({ key: b('/t/c'), value: b('3') });

    const one = await rpc.range({ key: b('/t/a') });
    assert.equal(one.kvs.length, 1);
    assert.equal(one.kvs[0].value.toString(), '1');
    assert.equal(one.kvs[0].mod_revision, put.header.revision);
    assert.equal(one.count, 1);

    const missing = await rpc.range({ key: b('/t/zz') });
    assert.deepEqual(missing.kvs, []);
    assert.equal(missing.count, 0);

    const counted = await rpc.range({ key: b('/t/'), range_end: prefixEnd('/t/'), count_only: true });
    assert.equal(counted.count, 3);
    assert.deepEqual(counted.kvs, []);

    const page = await rpc.range({ key: b('/t/'), range_end: prefixEnd('/t/'), limit: 2 });
    assert.deepEqual(page.kvs.map((kv) => kv.key.toString()), ['/t/a', '/t/b']);
    assert.equal(page.more, true);
    assert.equal(page.count, 3);

    const old = await rpc.range({ key: b('/t/a'), revision: put.header.revision - 1 });
    assert.deepEqual(old.kvs, [], 'the key did not exist one revision earlier');
  });

  it('runs both branches of a transaction', async () => {
    const k = b('/txn/k');
    const create = () => rpc.txn({
      compare: [{ key: k, target: CompareTarget.MOD, result: CompareResult.EQUAL, mod_revision: 0 }],
      success: [{ request_put: { key: k, value: b('v1') } }],
      failure: [{ request_range: { key: k } }],
    });
    const first = await create();
    assert.equal(first.succeeded, true);
    assert.ok(first.responses[0].response_put);

    const second = await create();
    assert.equal(second.succeeded, false);
    const current = second.responses[0].response_range?.kvs[0];
    assert.equal(current?.value.toString(), 'v1');
    assert.equal(current?.mod_revision, first.header.revision);

    const del = await rpc.txn({
      compare: [{ key: k, target: CompareTarget.MOD, result: CompareResult.EQUAL, mod_revision: first.header.revision }],
      success: [{ request_delete_range: { key: k } }],
      failure: [],
    });
    assert.equal(del.succeeded, true);
    assert.equal(del.responses[0].response_delete_range?.deleted, 1);
  });

  it('reads etcd errors from a trailers-only response', async () => {
    const err = await rejection(rpc.put({ key: b(''), value: b('v') }));
    assert.equal(err.code, GrpcStatus.INVALID_ARGUMENT);
    assert.equal(err.message, 'etcdserver: key is not provided');
  });

  it('returns a range of several MiB in one piece (no message size limit)', async () => {
    const value = Buffer.alloc(64 * 1024, 'x');
    for (let i = 0; i < 80; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => rpc.put({ key: b(`/big/${String(i + j).padStart(3, '0')}`), value })));
    }
    const res = await rpc.range({ key: b('/big/'), range_end: prefixEnd('/big/') });
    assert.equal(res.kvs.length, 80);
    for (const kv of res.kvs) assert.ok(kv.value.equals(value));
    await rpc.deleteRange({ key: b('/big/'), range_end: prefixEnd('/big/') });
  });

  it('returns a 20 MiB range', async () => {
    const value = Buffer.alloc(1 << 20);
    for (let i = 0; i < 20; i++) {
      value.fill(65 + i);
      await rpc.put({ key: b(`/huge/${String(i).padStart(2, '0')}`), value });
    }
    const res = await rpc.range({ key: b('/huge/'), range_end: prefixEnd('/huge/') });
    assert.equal(res.kvs.length, 20);
    res.kvs.forEach((kv, i) => {
      assert.equal(kv.value.length, 1 << 20);
      assert.ok(kv.value.every((c) => c === 65 + i), `value of ${kv.key.toString()}`);
    });
    await rpc.deleteRange({ key: b('/huge/'), range_end: prefixEnd('/huge/') });
  });

  it('runs 2,000 concurrent calls on one connection', async () => {
    const results = await Promise.all(Array.from({ length: 2000 }, (_, i) => (i % 2 === 0
      ? rpc.put({ key: b(`/many/${i}`), value: b(String(i)) }).then((r) => r.header.revision)
      : rpc.range({ key: b('/t/a') }).then((r) => r.kvs[0].value.toString()))));
    const revisions = results.filter((r): r is number => typeof r === 'number');
    assert.equal(new Set(revisions).size, 1000, 'every put got its own revision');
    assert.ok(results.filter((r) => typeof r === 'string').every((v) => v === '1'));
    const count = await rpc.range({ key: b('/many/'), range_end: prefixEnd('/many/'), count_only: true });
    assert.equal(count.count, 1000);
    await rpc.deleteRange({ key: b('/many/'), range_end: prefixEnd('/many/') });
  });

  it('delivers 10,000 watch events in order', async () => {
    const w = collect(rpc, { key: b('/burst/'), range_end: prefixEnd('/burst/') });
    try {
      await w.until(() => w.responses.some((r) => r.created));
      // 100 transactions of 100 puts: each transaction is one revision with 100 events.
      for (let t = 0; t < 100; t += 10) {
        await Promise.all(Array.from({ length: 10 }, (_, j) => rpc.txn({
          compare: [],
          success: Array.from({ length: 100 }, (_, k) => ({ request_put: { key: b(`/burst/${t + j}/${k}`), value: b(`${t + j}:${k}`) } })),
          failure: [],
        })));
      }
      const events = () => w.responses.flatMap((r) => r.events);
      await w.until(() => events().length >= 10_000, 20_000);
      const all = events();
      assert.equal(all.length, 10_000);
      assert.equal(new Set(all.map((e) => e.kv.key.toString())).size, 10_000);
      for (let i = 1; i < all.length; i++) assert.ok(all[i].kv.mod_revision >= all[i - 1].kv.mod_revision);
      assert.equal(w.closed, undefined);
    } finally {
      w.stream.cancel();
    }
    await rpc.deleteRange({ key: b('/burst/'), range_end: prefixEnd('/burst/') });
  });

  it('watches from a revision: puts and deletes in order', async () => {
    const first = await rpc.put({ key: b('/w/a'), value: b('1') });
    await rpc.put({ key: b('/w/b'), value: b('2') });
    await rpc.deleteRange({ key: b('/w/a') });
    const w = collect(rpc, { key: b('/w/'), range_end: prefixEnd('/w/'), start_revision: first.header.revision });
    try {
      await w.until(() => w.responses.some((r) => r.created));
      await rpc.put({ key: b('/w/c'), value: b('3') });
      const events = () => w.responses.flatMap((r) => r.events);
      await w.until(() => events().length >= 4);
      assert.deepEqual(
        events().map((e) => [e.type, e.kv.key.toString(), e.kv.value.toString()]),
        [[EventType.PUT, '/w/a', '1'], [EventType.PUT, '/w/b', '2'], [EventType.DELETE, '/w/a', ''], [EventType.PUT, '/w/c', '3']],
      );
      const revs = events().map((e) => e.kv.mod_revision);
      assert.deepEqual(revs, [...revs].sort((x, y) => x - y));
      assert.equal(w.closed, undefined);
    } finally {
      w.stream.cancel();
    }
  });

  it('compaction: reads below it fail with the compacted status, a watch from below it is canceled', async () => {
    const old = await rpc.put({ key: b('/c/k'), value: b('1') });
    const now = await rpc.put({ key: b('/c/k'), value: b('2') });
    await rpc.compact({ revision: now.header.revision });

    const err = await rejection(rpc.range({ key: b('/c/k'), revision: old.header.revision }));
    assert.equal(err.code, GrpcStatus.OUT_OF_RANGE);
    assert.equal(err.message, 'etcdserver: mvcc: required revision has been compacted');

    const again = await rejection(rpc.compact({ revision: old.header.revision }));
    assert.match(again.message, /compacted/);

    const w = collect(rpc, { key: b('/c/'), range_end: prefixEnd('/c/'), start_revision: old.header.revision });
    try {
      await w.until(() => w.responses.some((r) => r.canceled));
      const canceled = w.responses.find((r) => r.canceled)!;
      assert.equal(canceled.compact_revision, now.header.revision);
      assert.equal(w.responses.flatMap((r) => r.events).length, 0);
    } finally {
      w.stream.cancel();
    }
  });

  it('fails a call at its deadline when etcd does not answer', async () => {
    etcd.process.kill('SIGSTOP');
    try {
      const started = Date.now();
      const err = await rejection(rpc.range({ key: b('/t/a') }, 300));
      assert.equal(err.code, GrpcStatus.DEADLINE_EXCEEDED);
      assert.ok(Date.now() - started < 2000);
    } finally {
      etcd.process.kill('SIGCONT');
    }
    const ok = await rpc.range({ key: b('/t/a') });
    assert.equal(ok.kvs[0].value.toString(), '1');
  });
});

describe('etcdrpc connections', () => {
  it('sends grpc-timeout and enforces the deadline itself', async () => {
    let seen: http2.IncomingHttpHeaders | undefined;
    const server = http2.createServer();
    server.on('stream', (_stream, headers) => {
      seen = headers; // never answers
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const rpc = new EtcdRPC([`http://127.0.0.1:${port}`], { deadlineMs: 200 });
    try {
      const err = await rejection(rpc.range({ key: b('k') }));
      assert.equal(err.code, GrpcStatus.DEADLINE_EXCEEDED);
      assert.equal(seen?.[':path'], '/etcdserverpb.KV/Range');
      assert.equal(seen?.['content-type'], 'application/grpc');
      assert.equal(seen?.te, 'trailers');
      assert.equal(seen?.['grpc-timeout'], '200m');
    } finally {
      rpc.close();
      await new Promise((r) => server.close(r));
    }
  });

  it('sends a call once more when etcd refuses its stream unprocessed (REFUSED_STREAM)', async () => {
    let streams = 0;
    const server = http2.createServer();
    server.on('session', (session) => {
      session.on('stream', (stream) => {
        const first = ++streams === 1;
        if (first) {
          stream.on('error', () => undefined); // node reports its own reset as an error
          stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
          return;
        }
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(frame(writeRangeResponse, { header: { revision: 42, raft_term: 1 }, kvs: [], more: false, count: 0 }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const rpc = new EtcdRPC([`http://127.0.0.1:${port}`], { deadlineMs: 2000 });
    try {
      const res = await rpc.range({ key: b('k') });
      assert.equal(res.header.revision, 42);
      assert.equal(streams, 2);
    } finally {
      rpc.close();
      await new Promise((r) => server.close(r));
    }
  });

  it('names the endpoints when none can be reached', async () => {
    const port = await freePort();
    const rpc = new EtcdRPC([`http://127.0.0.1:${port}`]);
    try {
      const err = await rejection(rpc.range({ key: b('k') }));
      assert.equal(err.code, GrpcStatus.UNAVAILABLE);
      assert.match(err.message, new RegExp(`cannot connect to etcd \\(http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    } finally {
      rpc.close();
    }
  });

  it('fails over to the next endpoint and reconnects after etcd restarts on the same port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'timonel-etcdrpc-'));
    const clientPort = await freePort();
    const peerPort = await freePort();
    const deadPort = await freePort();
    const cfg = { dataDir: join(dir, 'data'), clientPort, peerPort };
    const endpoint = `http://127.0.0.1:${clientPort}`;
    let proc = spawnEtcd(cfg);
    const rpc = new EtcdRPC([`http://127.0.0.1:${deadPort}`, endpoint]);
    try {
      await waitEtcdHealthy(endpoint);
      const put = await rpc.put({ key: b('/r/k'), value: b('before') });
      assert.ok(put.header.revision > 0);

      const w = collect(rpc, { key: b('/r/'), range_end: prefixEnd('/r/'), start_revision: put.header.revision + 1 });
      await w.until(() => w.responses.some((r) => r.created));

      await exited(proc, 'SIGKILL');
      await w.until(() => w.closed !== undefined);
      assert.ok(w.closed instanceof EtcdRPCError);
      const down = await rejection(rpc.range({ key: b('/r/k') }));
      assert.equal(down.code, GrpcStatus.UNAVAILABLE);

      proc = spawnEtcd(cfg);
      await waitEtcdHealthy(endpoint);
      const res = await rpc.range({ key: b('/r/k') });
      assert.equal(res.kvs[0].value.toString(), 'before');
      await rpc.put({ key: b('/r/k'), value: b('after') });
      assert.equal((await rpc.range({ key: b('/r/k') })).kvs[0].value.toString(), 'after');
    } finally {
      rpc.close();
      await exited(proc);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
