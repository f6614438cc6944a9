// Container logs from CRI log files: parsing, tail, since, byte limit,
// timestamps, stream selection, partial lines, and follow across growth and
// rotation until the container stops.
import { describe, it, beforeAll, afterAll } from '@jest/globals';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, openSync, closeSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseCRILogLine, streamContainerLog, tailOffset, type ContainerLogOptions } from '../../pkg/kubelet/server/logs.js';
import { logOptionsFromQuery } from '../../pkg/kubelet/server/container_logs.js';

const T = (s: number) => `2024-05-01T10:00:${String(s).padStart(2, '0')}.123456789Z`;

const LOG =
  [
    `${T(1)} stdout F one`,
    `${T(2)} stderr F two`,
    `${T(3)} stdout P thr`,
    `${T(3)} stderr F interleaved`,
    `${T(4)} stdout F ee`,
    `${T(5)} stdout F `,
    `${T(6)} stdout F six`,
  ].join('\n') + '\n';

async function read(path: string, opts: ContainerLogOptions): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await streamContainerLog(path, opts, out);
  return Buffer.concat(chunks).toString();
}

describe('CRI log format', () => {
  it('parses timestamp, stream, tag and message', () => {
    const r = parseCRILogLine(Buffer.from(`${T(1)} stderr P part of a line`));
    assert.ok(r);
    assert.equal(r.timestamp, T(1));
    assert.equal(r.timeMs, Date.parse('2024-05-01T10:00:01.123Z'));
    assert.equal(r.stream, 'stderr');
    assert.equal(r.partial, true);
    assert.equal(r.message.toString(), 'part of a line');
    assert.equal(parseCRILogLine(Buffer.from(`${T(1)} stdout F `))?.message.length, 0);
    // Records of the older format have no tag: full lines.
    const old = parseCRILogLine(Buffer.from(`${T(1)} stdout hello world`));
    assert.equal(old?.partial, false);
    assert.equal(old?.message.toString(), 'hello world');
    assert.equal(parseCRILogLine(Buffer.from('garbage')), undefined);
    assert.equal(parseCRILogLine(Buffer.from(`${T(1)} stdin F x`)), undefined);
  });
});

describe('reading a container log', () => {
  let dir = '';
  let path = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'timonel-logs-'));
    path = join(dir, '0.log');
    writeFileSync(path, LOG);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the container output with partial lines joined', async () => {
    assert.equal(await read(path, {}), 'one\ntwo\ninterleaved\nthree\n\nsix\n');
  });

  it('selects one stream', async () => {
    assert.equal(await read(path, { stream: 'Stderr' }), 'two\ninterleaved\n');
    assert.equal(await read(path, { stream: 'Stdout' }), 'one\nthree\n\nsix\n');
  });

  it("prefixes timestamps (the first part's for a joined line)", async () => {
    const out = await read(path, { timestamps: true, stream: 'Stdout' });
    assert.equal(out, `${T(1)} one\n${T(3)} three\n${T(5)} \n${T(6)} six\n`);
  });

  it('without follow, answers the file as it was when asked, even while the container writes', async () => {
    const p = join(dir, 'growing.log');
    writeFileSync(p, LOG);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    let appended = false;
    out.on('data', (c: Buffer) => {
      chunks.push(c);
      // The container writes a line while the answer is being sent.
      if (!appended) appendFileSync(p, `${T(7)} stdout F seven\n`);
      appended = true;
    });
    await streamContainerLog(p, { tailLines: 2 }, out);
    assert.equal(Buffer.concat(chunks).toString(), '\nsix\n');
    assert.ok(appended);
  });

  it('tails the last n records of the file, as the kubelet counts them', async () => {
    assert.equal(await read(path, { tailLines: 2 }), '\nsix\n');
    assert.equal(await read(path, { tailLines: 0 }), '');
    assert.equal(await read(path, { tailLines: 100 }), 'one\ntwo\ninterleaved\nthree\n\nsix\n');
    const fd = openSync(path, 'r');
    try {
      assert.equal(await tailOffset(fd, LOG.length, 1), LOG.lastIndexOf(`${T(6)}`));
    } finally {
      closeSync(fd);
    }
  });

  it('skips records before sinceMs and stops at limitBytes', async () => {
    assert.equal(await read(path, { sinceMs: Date.parse('2024-05-01T10:00:04Z') }), 'ee\n\nsix\n');
    assert.equal(await read(path, { limitBytes: 6 }), 'one\ntw');
  });

  it('shows a dangling partial line at the end without following', async () => {
    const p = join(dir, 'partial.log');
    writeFileSync(p, `${T(1)} stdout F a\n${T(2)} stdout P incomple`);
    assert.equal(await read(p, {}), 'a\n');
    writeFileSync(p, `${T(1)} stdout F a\n${T(2)} stdout P incomple\n`);
    assert.equal(await read(p, {}), 'a\nincomple');
  });

  it('follows the file as it grows and across rotation, until the container has stopped', async () => {
    const p = join(dir, 'follow.log');
    writeFileSync(p, `${T(1)} stdout F first\n`);
    let running = true;
    const out = new PassThrough();
    let text = '';
    const seen: ((s: string) => void)[] = [];
    out.on('data', (c: Buffer) => {
      text += c.toString();
      for (const f of seen) f(text);
    });
    const waitFor = (needle: string) =>
      new Promise<void>((resolve) => {
        if (text.includes(needle)) return resolve();
        seen.push((t) => t.includes(needle) && resolve());
      });
    const done = streamContainerLog(p, { follow: true }, out, { stillRunning: async () => running, checkIntervalMs: 50 });
    await waitFor('first\n');
    appendFileSync(p, `${T(2)} stdout F second\n`);
    await waitFor('second\n');
    // Rotation as the kubelet does it: rename, then the runtime reopens the path.
    appendFileSync(p, `${T(3)} stdout F before-rotate\n`);
    renameSync(p, `${p}.20240501-100003`);
    writeFileSync(p, `${T(4)} stdout F after-rotate\n`);
    await waitFor('after-rotate\n');
    appendFileSync(p, `${T(5)} stdout F last\n`);
    running = false;
    await done;
    assert.equal(text, 'first\nsecond\nbefore-rotate\nafter-rotate\nlast\n');
  });

  it('stops following on abort', async () => {
    const ac = new AbortController();
    const out = new PassThrough();
    out.resume();
    const done = streamContainerLog(path, { follow: true }, out, { signal: ac.signal, stillRunning: async () => true, checkIntervalMs: 50 });
    setTimeout(() => ac.abort(), 100);
    await done;
  });
});

describe('kubelet log query parameters', () => {
  it('parses the PodLogOptions the apiserver passes', () => {
    const now = Date.parse('2024-05-01T10:00:00Z');
    const o = logOptionsFromQuery(new URLSearchParams('follow=true&previous=true&timestamps=true&tailLines=5&limitBytes=10&sinceSeconds=60'), now);
    assert.deepEqual(o, { follow: true, previous: true, timestamps: true, tailLines: 5, limitBytes: 10, sinceMs: now - 60_000, stream: undefined });
    assert.equal(logOptionsFromQuery(new URLSearchParams('tail=3')).tailLines, 3);
    assert.equal(logOptionsFromQuery(new URLSearchParams('tail=all')).tailLines, undefined);
    assert.equal(logOptionsFromQuery(new URLSearchParams('sinceTime=2024-05-01T09:00:00Z')).sinceMs, Date.parse('2024-05-01T09:00:00Z'));
  });

  it('refuses bad values', () => {
    assert.throws(() => logOptionsFromQuery(new URLSearchParams('tailLines=-1')), /tailLines/);
    assert.throws(() => logOptionsFromQuery(new URLSearchParams('limitBytes=0')), /limitBytes/);
    assert.throws(() => logOptionsFromQuery(new URLSearchParams('sinceSeconds=5&sinceTime=2024-05-01T09:00:00Z')), /at most one/);
    assert.throws(() => logOptionsFromQuery(new URLSearchParams('sinceTime=yesterday')), /RFC 3339/);
    assert.throws(() => logOptionsFromQuery(new URLSearchParams('stream=Both')), /stream/);
  });
});
