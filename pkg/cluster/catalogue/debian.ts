// What most catalogue images start from: the busybox base with Debian packages
// unpacked onto it and trimmed, and a user as Debian's maintainer scripts would add it.
import { chownSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { addUser, busyboxRootfs, installDebs, run, trim, writeFile, type BuildContext, type ImageSpec } from '../rootfs.js';

export async function debianRootfs(root: string, ctx: BuildContext, packages: string[]): Promise<void> {
  await busyboxRootfs(root, ctx);
  await installDebs(root, packages, ctx);
  trim(root);
}

/** A system user and its group, owning the given directories (created). */
export function systemUser(root: string, name: string, id: number, home: string, dirs: string[] = []): void {
  addUser(root, `${name}:x:${id}:${id}::${home}:/bin/false`, `${name}:x:${id}:`);
  for (const d of dirs) {
    mkdirSync(join(root, d), { recursive: true });
    chownSync(join(root, d), id, id);
  }
}

/** /etc/ssl/certs/ca-certificates.crt as update-ca-certificates (ca-certificates' postinst, not run here) makes it. */
export function caBundle(root: string): void {
  const certs = join(root, 'usr/share/ca-certificates');
  const bundle = readdirSync(certs, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.crt'))
    .sort()
    .map((f) => readFileSync(join(certs, f), 'utf8').trimEnd() + '\n');
  if (!bundle.length) throw new Error('images: Debian ca-certificates shipped no certificates');
  writeFile(root, 'etc/ssl/certs/ca-certificates.crt', bundle.join(''));
}

/**
 * `apache2 -t` inside the new root. Its logs go to /proc/self/fd/1 and 2, which apache checks
 * exist; the chroot has no /proc, so an empty stand-in is there for the check only.
 */
export async function apacheConfigTest(root: string, command: string): Promise<void> {
  mkdirSync(join(root, 'proc/self/fd'), { recursive: true });
  try {
    await run('chroot', [root, '/bin/sh', '-c', command]);
  } finally {
    rmSync(join(root, 'proc/self'), { recursive: true, force: true });
  }
}
