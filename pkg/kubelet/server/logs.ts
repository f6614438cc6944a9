// Container logs as the kubelet serves them: the runtime writes one file per
// container in the CRI log format ("<RFC3339Nano> <stdout|stderr> <F|P> <msg>",
// P marking a line the runtime had to split), and the kubelet turns it back
// into the container's output with tail, since, byte limit, timestamps and
// follow (including the runtime's log rotation) applied.
import { close, fstat, open, read, stat, watch, type FSWatcher } from 'node:fs';
import { promisify } from 'node:util';
import type { Writable } from 'node:stream';

const fstatAsync = promisify(fstat);
const statAsync = promisify(stat);
const openAsync = promisify(open);

export type LogStream = 'stdout' | 'stderr';

export interface CRILogRecord {
  /** The timestamp as the runtime wrote it (RFC 3339 with nanoseconds). */
  timestamp: string;
  /** Milliseconds since the epoch (NaN if the timestamp does not parse). */
  timeMs: number;
  stream: LogStream;
  /** A partial record: the line continues in the next record of the same stream. */
  partial: boolean;
  message: Buffer;
}

/** Parses one record (without its newline); undefined if it is not in the CRI format. */
export function parseCRILogLine(line: Buffer): CRILogRecord | undefined {
  const sp1 = line.indexOf(0x20);
  if (sp1 <= 0) return undefined;
  const sp2 = line.indexOf(0x20, sp1 + 1);
  const streamEnd = sp2 < 0 ? line.length : sp2;
  const stream = line.subarray(sp1 + 1, streamEnd).toString('latin1');
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const timestamp = line.subarray(0, sp1).toString('latin1');
  let partial = false;
  let message = sp2 < 0 ? Buffer.alloc(0) : line.subarray(sp2 + 1);
  // The tag field arrived with CRI log format v2; a record without one is a full line.
  const tagEnd = message.indexOf(0x20);
  const tag = (tagEnd < 0 ? message : message.subarray(0, tagEnd)).toString('latin1');
  if (tag === 'F' || tag === 'P') {
    partial = tag === 'P';
    message = tagEnd < 0 ? Buffer.alloc(0) : message.subarray(tagEnd + 1);
  }
  return { timestamp, timeMs: Date.parse(timestamp), stream, partial, message };
}

export interface ContainerLogOptions {
  follow?: boolean;
  /** Only the last n records (as upstream counts them: records of the file, not joined lines). */
  tailLines?: number;
  /** Skip records older than this (milliseconds since the epoch). */
  sinceMs?: number;
  /** Stop after this many bytes of output. */
  limitBytes?: number;
  /** Prefix each line with the runtime's RFC3339Nano timestamp and a space. */
  timestamps?: boolean;
  /** Which of the container's streams (default both). */
  stream?: 'All' | 'Stdout' | 'Stderr';
}

export interface FollowControl {
  signal?: AbortSignal;
  /** Asked when the file has stopped growing; following ends once the container no longer runs. */
  stillRunning?: () => Promise<boolean>;
  /** How often to ask stillRunning (ms). */
  checkIntervalMs?: number;
}

const CHUNK = 64 * 1024;

/** Byte offset where the last n newline-terminated records of the file start. */
export async function tailOffset(fd: number, size: number, n: number): Promise<number> {
  if (n <= 0) return size;
  const buf = Buffer.alloc(CHUNK);
  let end = size;
  let seen = 0;
  let first = true;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const len = end - start;
    await readAt(fd, buf, len, start);
    for (let i = len - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) continue;
      // The newline that ends the file closes the last record; it does not start one.
      if (first && start + i === size - 1) {
        first = false;
        continue;
      }
      first = false;
      seen++;
      if (seen === n) return start + i + 1;
    }
    first = false;
    end = start;
  }
  return 0;
}

function readAt(fd: number, buf: Buffer, len: number, pos: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buf, 0, len, pos, (err, n) => (err ? reject(err) : resolve(n))));
}

function closeFd(fd: number): Promise<void> {
  return new Promise((resolve) => close(fd, () => resolve()));
}

/** Writes and waits for the sink to take it (backpressure), unless the sink is gone. */
function write(out: Writable, data: Buffer): Promise<void> {
  if (out.destroyed || out.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    if (out.write(data)) resolve();
    else {
      const done = () => {
        out.off('drain', done);
        out.off('close', done);
        resolve();
      };
      out.once('drain', done);
      out.once('close', done);
    }
  });
}

/** Resolves on the first change to path, after ms, or on abort; never rejects. */
function waitForChange(path: string, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let watcher: FSWatcher | undefined;
    const done = () => {
      clearTimeout(timer);
      watcher?.close();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
    try {
      watcher = watch(path, { persistent: false }, done);
      watcher.on('error', () => undefined);
    } catch {
      // The file is gone for a moment (rotation); the timer tries again.
    }
  });
}

/** Turns records into output lines with the options applied; tracks the byte limit. */
class LogFormatter {
  private readonly pending: Record<LogStream, { ts: string; parts: Buffer[] } | undefined> = { stdout: undefined, stderr: undefined };
  written = 0;

  constructor(
    private readonly opts: ContainerLogOptions,
    private readonly out: Writable,
  ) {}

  get full(): boolean {
    return this.opts.limitBytes !== undefined && this.written >= this.opts.limitBytes;
  }

  private wanted(stream: LogStream): boolean {
    const s = this.opts.stream ?? 'All';
    return s === 'All' || (s === 'Stdout' && stream === 'stdout') || (s === 'Stderr' && stream === 'stderr');
  }

  async record(line: Buffer): Promise<void> {
    const rec = parseCRILogLine(line);
    if (!rec || !this.wanted(rec.stream)) return;
    if (this.opts.sinceMs !== undefined && !(rec.timeMs >= this.opts.sinceMs)) return;
    const p = this.pending[rec.stream] ?? { ts: rec.timestamp, parts: [] };
    p.parts.push(rec.message);
    if (rec.partial) {
      this.pending[rec.stream] = p;
      return;
    }
    this.pending[rec.stream] = undefined;
    await this.emit(p.ts, Buffer.concat([...p.parts, Buffer.from('\n')]));
  }

  /** At the end of a non-follow read, a dangling partial line is shown as it is. */
  async flushPartials(): Promise<void> {
    for (const stream of ['stdout', 'stderr'] as const) {
      const p = this.pending[stream];
      this.pending[stream] = undefined;
      if (p) await this.emit(p.ts, Buffer.concat(p.parts));
    }
  }

  private async emit(ts: string, body: Buffer): Promise<void> {
    if (this.full) return;
    let data = this.opts.timestamps ? Buffer.concat([Buffer.from(`${ts} `), body]) : body;
    if (this.opts.limitBytes !== undefined) data = data.subarray(0, this.opts.limitBytes - this.written);
    this.written += data.length;
    await write(this.out, data);
  }
}

/**
 * Streams the container log at path into out. Without follow it ends at the
 * end of the file; with follow it keeps reading as the file grows, moves to the
 * new file when the runtime rotates it, and ends when the container has stopped
 * and everything is read, on abort, or when the byte limit is reached. It never
 * ends `out`; the caller does.
 */
export async function streamContainerLog(path: string, opts: ContainerLogOptions, out: Writable, ctl: FollowControl = {}): Promise<void> {
  const fmt = new LogFormatter(opts, out);
  let fd = await openAsync(path, 'r');
  try {
    let pos = 0;
    const size = (await fstatAsync(fd)).size;
    if (opts.tailLines !== undefined) pos = await tailOffset(fd, size, opts.tailLines);
    // Without follow the answer is the file as it was when asked: lines the container writes
    // meanwhile would make `--tail=2` show three.
    const end = opts.follow ? Number.POSITIVE_INFINITY : size;
    let carry: Buffer = Buffer.alloc(0);
    const buf = Buffer.alloc(CHUNK);
    let lastCheck = Date.now();
    const checkEvery = ctl.checkIntervalMs ?? 1000;
    for (;;) {
      if (ctl.signal?.aborted || fmt.full || out.destroyed) return;
      const n = pos < end ? await readAt(fd, buf, Math.min(CHUNK, end - pos), pos) : 0;
      if (n > 0) {
        pos += n;
        const data = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : Buffer.from(buf.subarray(0, n));
        let start = 0;
        for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
          await fmt.record(data.subarray(start, nl));
          start = nl + 1;
          if (fmt.full) return;
        }
        carry = data.subarray(start);
        continue;
      }
      // End of the file as it is now.
      if (!opts.follow) {
        // A record without its newline is still being written: it is not shown yet.
        await fmt.flushPartials();
        return;
      }
      // Rotated: the path now names a new file. Finish this one (done: n was 0), then switch.
      const [now, cur] = await Promise.all([statAsync(path).catch(() => undefined), fstatAsync(fd)]);
      if (now && (now.ino !== cur.ino || now.dev !== cur.dev)) {
        await closeFd(fd);
        fd = await openAsync(path, 'r');
        pos = 0;
        carry = Buffer.alloc(0);
        continue;
      }
      if (now && now.size < pos) {
        // Truncated in place: start over from its beginning.
        pos = 0;
        carry = Buffer.alloc(0);
        continue;
      }
      if (ctl.stillRunning && Date.now() - lastCheck >= checkEvery) {
        lastCheck = Date.now();
        if (!(await ctl.stillRunning())) {
          // One last read catches what the container wrote just before it stopped.
          const tail = await readAt(fd, buf, CHUNK, pos);
          if (tail > 0) continue;
          if (carry.length) await fmt.record(carry);
          await fmt.flushPartials();
          return;
        }
      }
      await waitForChange(path, Math.min(checkEvery, 1000), ctl.signal);
    }
  } finally {
    await closeFd(fd);
  }
}
