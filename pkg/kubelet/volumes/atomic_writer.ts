// The atomic writer of ConfigMap/Secret/downward API/projected volumes
// (pkg/volume/util/atomic_writer.go). A container sees the whole new set of files
// or the whole old one, never a mix:
//
//   <dir>/..2024_03_01_10_07_30.123456789/<files>   one timestamped dir per version
//   <dir>/..data -> ..2024_03_01_10_07_30.123456789  swapped by rename(2), atomic
//   <dir>/<top-level name> -> ..data/<top-level name> the names users see
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, readdir, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';

export const DATA_DIR_NAME = '..data';
const NEW_DATA_DIR_NAME = '..data_tmp';
const MAX_FILE_NAME_LENGTH = 255;
const MAX_PATH_LENGTH = 4096;

/** One file of a volume's payload. */
export interface FileProjection {
  data: Buffer;
  mode: number;
}

export type Payload = Map<string, FileProjection>;

/** validatePath: relative, no '..' element, no element starting with '..' at the top. */
export function validatePayloadPath(p: string): void {
  if (p === '') throw new Error(`invalid path: must not be empty: "${p}"`);
  if (posix.isAbsolute(p)) throw new Error(`invalid path: must be relative path: ${p}`);
  if (p.length > MAX_PATH_LENGTH) throw new Error(`invalid path: must be less than or equal to ${MAX_PATH_LENGTH} characters`);
  const items = p.split('/');
  for (const item of items) {
    if (item === '..') throw new Error(`invalid path: must not contain '..': ${p}`);
    if (item.length > MAX_FILE_NAME_LENGTH) throw new Error(`invalid path: filenames must be less than or equal to ${MAX_FILE_NAME_LENGTH} characters`);
  }
  // The writer's own names (..data, ..<timestamp>) start with '..'.
  if (items[0].startsWith('..') && items[0].length > 2) throw new Error(`invalid path: must not start with '..': ${p}`);
}

function cleanPayload(payload: Payload): Payload {
  const out: Payload = new Map();
  for (const [p, f] of payload) {
    validatePayloadPath(p);
    out.set(posix.normalize(p), f);
  }
  return out;
}

/** "..2006_01_02_15_04_05." + random, as upstream's MkdirTemp pattern. */
function timestampDirName(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const ts = `${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}`;
  return `..${ts}.${randomBytes(5).readUInt32BE(0)}`;
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** All regular files under dir, as relative paths. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}

/** True when the payload differs from what the old timestamped dir holds (content, mode or set of files). */
async function payloadChanged(payload: Payload, oldTsPath: string): Promise<boolean> {
  const old = new Set(await listFiles(oldTsPath));
  if (old.size !== payload.size) return true;
  for (const [p, f] of payload) {
    if (!old.has(p)) return true;
    const full = join(oldTsPath, p);
    const [content, st] = await Promise.all([readFile(full), stat(full)]);
    if (!content.equals(f.data) || (st.mode & 0o7777) !== f.mode) return true;
  }
  return false;
}

function topLevel(p: string): string {
  return p.split('/')[0];
}

/**
 * Writes payload into targetDir atomically. Returns false when nothing changed.
 * targetDir must exist (the volume directory, possibly a tmpfs mount).
 */
export async function writeAtomically(targetDir: string, payload: Payload): Promise<boolean> {
  const clean = cleanPayload(payload);
  const dataDirPath = join(targetDir, DATA_DIR_NAME);
  let oldTsDir = '';
  try {
    oldTsDir = await readlink(dataDirPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const oldTsPath = oldTsDir ? join(targetDir, oldTsDir) : '';
  if (oldTsPath && (await exists(oldTsPath)) && !(await payloadChanged(clean, oldTsPath))) return false;

  // The new version in its own directory.
  const tsDirName = timestampDirName();
  const tsDir = join(targetDir, tsDirName);
  await mkdir(tsDir, { mode: 0o755 });
  await chmod(tsDir, 0o755);
  for (const [p, f] of clean) {
    const full = join(tsDir, p);
    await mkdir(dirname(full), { recursive: true, mode: 0o755 });
    await writeFile(full, f.data, { mode: f.mode });
    await chmod(full, f.mode); // the umask must not narrow the requested mode
  }

  // Swap ..data in one rename.
  const newDataDirPath = join(targetDir, NEW_DATA_DIR_NAME);
  await rm(newDataDirPath, { force: true });
  await symlink(tsDirName, newDataDirPath);
  await rename(newDataDirPath, dataDirPath);

  // The user-visible names: one symlink per top-level entry, into ..data.
  const wanted = new Set([...clean.keys()].map(topLevel));
  for (const name of wanted) {
    const visible = join(targetDir, name);
    try {
      await readlink(visible);
    } catch {
      await rm(visible, { recursive: true, force: true });
      await symlink(join(DATA_DIR_NAME, name), visible);
    }
  }
  // Names the new version no longer has, and older versions.
  for (const name of await readdir(targetDir)) {
    if (name === DATA_DIR_NAME || name === tsDirName) continue;
    if (name.startsWith('..')) {
      if (name !== NEW_DATA_DIR_NAME) await rm(join(targetDir, name), { recursive: true, force: true });
      continue;
    }
    if (wanted.has(name)) continue;
    const st = await lstat(join(targetDir, name));
    // Only links this writer made; anything else in the directory is left alone.
    if (st.isSymbolicLink() && (await readlink(join(targetDir, name))).startsWith(`${DATA_DIR_NAME}/`)) await unlink(join(targetDir, name));
  }
  return true;
}
