// hostPath type checks (pkg/volume/hostpath checkType): *OrCreate types create
// what is missing; the others only accept an existing path of that kind.
import { closeSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Throws upstream's "hostPath type check failed: <path> is not a ..." on a mismatch. */
export function checkHostPathType(path: string, type: string | undefined): void {
  if (type === undefined || type === '') return;
  const st = statOrUndefined(path);
  switch (type) {
    case 'DirectoryOrCreate':
    case 'Directory':
      if (!st && type === 'DirectoryOrCreate') {
        mkdirSync(path, { recursive: true, mode: 0o755 });
        return;
      }
      if (!st?.isDirectory()) throw new Error(`hostPath type check failed: ${path} is not a directory`);
      return;
    case 'FileOrCreate':
    case 'File':
      if (!st && type === 'FileOrCreate') {
        closeSync(openSync(path, 'a', 0o644));
        return;
      }
      if (!st?.isFile()) throw new Error(`hostPath type check failed: ${path} is not a file`);
      return;
    case 'Socket':
      if (!st?.isSocket()) throw new Error(`hostPath type check failed: ${path} is not a socket file`);
      return;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) throw new Error(`hostPath type check failed: ${path} is not a character device`);
      return;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) throw new Error(`hostPath type check failed: ${path} is not a block device`);
      return;
    default:
      throw new Error(`${type} is an invalid volume type`);
  }
}
