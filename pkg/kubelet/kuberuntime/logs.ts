// Reading CRI container log files (the format containerd writes:
// "<RFC3339Nano> <stdout|stderr> <F|P> <content>"), for termination messages
// (FallbackToLogsOnError) and for restart counts recovered from log file names.
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';

/** kubecontainer.MaxContainerTerminationMessageLogLines / LogLength. */
export const TERMINATION_LOG_LINES = 80;
export const TERMINATION_LOG_BYTES = 2048;
/** kubecontainer.MaxContainerTerminationMessageLength: what is read from a termination-log file. */
export const TERMINATION_MESSAGE_BYTES = 4096;

/** The content of CRI log lines, joining partial (P) lines with what follows them. */
export function parseCRILog(text: string): string {
  let out = '';
  for (const line of text.split('\n')) {
    if (!line) continue;
    const a = line.indexOf(' ');
    const b = a < 0 ? -1 : line.indexOf(' ', a + 1);
    const c = b < 0 ? -1 : line.indexOf(' ', b + 1);
    if (c < 0) continue;
    const tag = line.slice(b + 1, c);
    out += line.slice(c + 1);
    if (!tag.startsWith('P')) out += '\n';
  }
  return out;
}

/** The last bytes of a file (at most max), as text. */
export function readTail(path: string, max: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = statSync(path).size;
    const len = Math.min(size, max);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    return buf.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The tail of a container's log as upstream puts it into a termination message: last 80 lines, at most 2048 bytes. */
export function terminationMessageFromLog(logPath: string): string {
  // Read generously: CRI framing adds ~40 bytes per line.
  const content = parseCRILog(readTail(logPath, 64 * 1024));
  const lines = content.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let msg = lines.slice(-TERMINATION_LOG_LINES).join('\n');
  if (content.endsWith('\n') && msg) msg += '\n';
  if (Buffer.byteLength(msg) > TERMINATION_LOG_BYTES) msg = Buffer.from(msg).subarray(-TERMINATION_LOG_BYTES).toString('utf8');
  return msg;
}

/** The restart count implied by <dir>/<n>.log files (n+1 for the largest n), 0 when none: for containers whose status was garbage collected. */
export function restartCountFromLogDir(dir: string): number {
  let max = -1;
  try {
    for (const f of readdirSync(dir)) {
      const m = /^(\d+)\.log(\..*)?$/.exec(f);
      if (m) max = Math.max(max, Number(m[1]));
    }
  } catch {
    return 0;
  }
  return max + 1;
}
