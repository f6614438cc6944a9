// The log backend (--audit-log-path): one JSON Event a line, to a file or to
// stdout for '-'. With --audit-log-maxsize the file is rotated as upstream's
// (lumberjack) is: renamed to <name>-<UTC time>.<ext> and a new one begun, keeping
// at most --audit-log-maxbackup old files, none older than --audit-log-maxage days.
import { createWriteStream, readdirSync, renameSync, statSync, unlinkSync, type WriteStream } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

export interface LogBackendOptions {
  path: string;
  /** Megabytes before the file is rotated; 0: never. */
  maxSizeMB?: number;
  /** Rotated files kept; 0: all. */
  maxBackups?: number;
  /** Days a rotated file is kept; 0: forever. */
  maxAgeDays?: number;
}

export class LogBackend {
  private out: WriteStream | NodeJS.WriteStream;
  private size = 0;
  private readonly toStdout: boolean;

  constructor(private readonly opts: LogBackendOptions) {
    this.toStdout = opts.path === '-';
    this.out = this.toStdout ? process.stdout : this.open();
  }

  private open(): WriteStream {
    try {
      this.size = statSync(this.opts.path).size;
    } catch {
      this.size = 0;
    }
    return createWriteStream(this.opts.path, { flags: 'a', mode: 0o600 });
  }

  write(line: string): void {
    const max = (this.opts.maxSizeMB ?? 0) * 1024 * 1024;
    const bytes = Buffer.byteLength(line) + 1;
    if (!this.toStdout && max > 0 && this.size > 0 && this.size + bytes > max) this.rotate();
    this.size += bytes;
    this.out.write(`${line}\n`);
  }

  /** Whatever the old stream still has to write lands in the renamed file. */
  private rotate(): void {
    const path = this.opts.path;
    const ext = extname(path);
    const stamp = new Date().toISOString().replace(/:/g, '-').replace(/Z$/, '');
    try {
      renameSync(path, join(dirname(path), `${basename(path, ext)}-${stamp}${ext}`));
    } catch {
      return; // keep writing where we are rather than lose events
    }
    (this.out as WriteStream).end();
    this.out = this.open();
    this.prune();
  }

  private prune(): void {
    const { maxBackups = 0, maxAgeDays = 0 } = this.opts;
    if (maxBackups <= 0 && maxAgeDays <= 0) return;
    const dir = dirname(this.opts.path);
    const ext = extname(this.opts.path);
    const prefix = `${basename(this.opts.path, ext)}-`;
    const backups = readdirSync(dir)
      .filter((f) => f.startsWith(prefix) && f.endsWith(ext) && /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}$/.test(f.slice(prefix.length, f.length - ext.length)))
      .sort()
      .reverse();
    const cutoff = Date.now() - maxAgeDays * 86_400_000;
    backups.forEach((f, i) => {
      const stamp = f.slice(prefix.length, f.length - ext.length);
      const time = Date.parse(`${stamp.slice(0, 10)}T${stamp.slice(11).replace(/-/g, ':')}Z`);
      if ((maxBackups > 0 && i >= maxBackups) || (maxAgeDays > 0 && time < cutoff)) {
        try {
          unlinkSync(join(dir, f));
        } catch {
          // already gone
        }
      }
    });
  }

  close(): Promise<void> {
    if (this.toStdout) return Promise.resolve();
    return new Promise((resolve) => (this.out as WriteStream).end(resolve));
  }
}
