// Mounting for the volume plugins: tmpfs for memory-backed volumes, and reading
// the mount table so set-up is idempotent (a restarted kubelet finds its mounts)
// and tear-down unmounts before it removes anything.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The mount points in /proc/self/mountinfo (field 5, octal escapes decoded). */
export async function mountPoints(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    if (fields.length < 5) continue;
    out.push(fields[4].replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
  }
  return out;
}

export async function isMountPoint(path: string): Promise<boolean> {
  const p = resolve(path);
  return (await mountPoints()).includes(p);
}

/** Mount points at or below dir, deepest first (the order to unmount them in). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const base = resolve(dir);
  const found = (await mountPoints()).filter((m) => m === base || m.startsWith(base + '/'));
  return [...new Set(found)].sort((a, b) => b.length - a.length);
}

/** mount -t tmpfs [-o size=N] tmpfs dir. */
export async function mountTmpfs(dir: string, sizeBytes?: number): Promise<void> {
  const args = ['-t', 'tmpfs'];
  if (sizeBytes !== undefined && sizeBytes > 0) args.push('-o', `size=${Math.floor(sizeBytes)}`);
  args.push('tmpfs', dir);
  try {
    await run('mount', args);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`mount -t tmpfs ${dir} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

export async function unmount(dir: string): Promise<void> {
  try {
    await run('umount', [dir]);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`umount ${dir} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}
