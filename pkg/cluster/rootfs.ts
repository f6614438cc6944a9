// Root filesystems for the catalogue's images: the busybox base, Debian
// packages resolved with apt and unpacked with dpkg-deb, and the small file
// helpers every recipe uses. Nothing here runs inside the new root except the
// checks a recipe asks for (chroot).
import { spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { which } from './process.js';

export interface BuildContext {
  /** Scratch directory for this build (removed afterwards). */
  workDir: string;
  /** The image cache (shared downloads live here). */
  cacheDir: string;
  progress: (msg: string) => void;
  /** Debian package → version of what went into the rootfs; recorded as image labels. */
  packages: Map<string, string>;
}

/** The image config fields a container runtime reads (OCI image-spec `config`). */
export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Volumes?: Record<string, Record<string, never>>;
  StopSignal?: string;
}

export interface ImageSpec {
  /** Build name, also the cache directory prefix. */
  name: string;
  /** Bump when the recipe changes so cached builds are redone. */
  recipe: string;
  /** Upstream repository → tags pushed for this build (the first is the one other tags resolve to). */
  references: Record<string, string[]>;
  /** Which other tags the build answers for (default: any); see registryfront.ts. */
  answersTag?: (tag: string) => boolean;
  config: ImageConfig;
  /** Files under hack/images whose contents the build uses (part of the cache key). */
  files: string[];
  /** Fills `dir` with the image's root filesystem. */
  rootfs(dir: string, ctx: BuildContext): Promise<void>;
}

export const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function hackDir(): string {
  // dist/pkg/cluster/images.js → <repo>/hack/images (also right from pkg/cluster/images.ts under a loader).
  const fromDist = fileURLToPath(new URL('../../../hack/images/', import.meta.url));
  return existsSync(fromDist) ? fromDist : fileURLToPath(new URL('../../hack/images/', import.meta.url));
}

export function hackFile(rel: string): string {
  return join(hackDir(), rel);
}

// ---------------------------------------------------------------------------
// Root filesystems.

export function run(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => reject(new Error(`${cmd}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.trim().slice(-2000)}`))));
  });
}

export function mkdirs(root: string, dirs: Record<string, number>): void {
  for (const [d, mode] of Object.entries(dirs)) {
    mkdirSync(join(root, d), { recursive: true });
    chmodSync(join(root, d), mode);
  }
}

export function writeFile(root: string, rel: string, content: string | Buffer, mode = 0o644): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  rmSync(join(root, rel), { force: true });
  writeFileSync(join(root, rel), content);
  chmodSync(join(root, rel), mode);
}

export function symlink(root: string, rel: string, target: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  rmSync(join(root, rel), { force: true, recursive: true });
  symlinkSync(target, join(root, rel));
}

/** True if the ELF file has no program interpreter (statically linked). */
export function isStaticELF(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const hdr = Buffer.alloc(64);
    readSync(fd, hdr, 0, 64, 0);
    if (hdr.readUInt32BE(0) !== 0x7f454c46 || hdr[4] !== 2) return false; // ELF, 64-bit
    const phoff = Number(hdr.readBigUInt64LE(0x20));
    const phentsize = hdr.readUInt16LE(0x36);
    const phnum = hdr.readUInt16LE(0x38);
    const ph = Buffer.alloc(phentsize * phnum);
    readSync(fd, ph, 0, ph.length, phoff);
    for (let i = 0; i < phnum; i++) if (ph.readUInt32LE(i * phentsize) === 3) return false; // PT_INTERP
    return true;
  } finally {
    closeSync(fd);
  }
}

export const BASE_PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/bin/false',
  'bin:x:2:2:bin:/bin:/bin/false',
  'sys:x:3:3:sys:/dev:/bin/false',
  'www-data:x:33:33:www-data:/var/www:/bin/false',
  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
];
export const BASE_GROUP = [
  'root:x:0:',
  'daemon:x:1:',
  'bin:x:2:',
  'sys:x:3:',
  'adm:x:4:',
  'tty:x:5:',
  'wheel:x:10:root',
  'www-data:x:33:',
  'users:x:100:',
  'nogroup:x:65534:',
];

export function addUser(root: string, passwd: string, group: string): void {
  writeFileSync(join(root, 'etc/passwd'), `${readFileSync(join(root, 'etc/passwd'), 'utf8')}${passwd}\n`);
  writeFileSync(join(root, 'etc/group'), `${readFileSync(join(root, 'etc/group'), 'utf8')}${group}\n`);
}

/**
 * The busybox the images get: Debian trixie's busybox-static (1.37). Bookworm's 1.35 (busybox and
 * busybox-static alike) is built without FEATURE_WGET_TIMEOUT, and its `wget -T 5` dies of a
 * segfault, where Docker Hub's busybox times out. A static binary runs on any base, so trixie's is
 * taken from Debian's archive with an apt state of its own under the cache (the machine's apt
 * sources are left alone), and checked: `wget -T 1` on a closed port must fail, not crash.
 */
const BUSYBOX_SUITE = 'trixie';
let busyboxFetch: Promise<{ path: string; version: string }> | undefined;

export function busyboxBinary(ctx: BuildContext): Promise<{ path: string; version: string }> {
  busyboxFetch ??= fetchBusybox(ctx);
  busyboxFetch.catch(() => (busyboxFetch = undefined));
  return busyboxFetch;
}

async function fetchBusybox(ctx: BuildContext): Promise<{ path: string; version: string }> {
  const dir = join(ctx.cacheDir, `apt-${BUSYBOX_SUITE}`);
  const sourceList = join(dir, 'sources.list');
  const apt = [
    '-o',
    `Dir::Etc::SourceList=${sourceList}`,
    '-o',
    'Dir::Etc::SourceParts=/dev/null',
    '-o',
    `Dir::State::Lists=${join(dir, 'lists')}`,
    '-o',
    `Dir::Cache=${join(dir, 'cache')}`,
    '-o',
    'APT::Get::List-Cleanup=0',
  ];
  for (const d of ['lists/partial', 'cache/archives/partial', 'debs']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(sourceList, `deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian ${BUSYBOX_SUITE} main\n`);
  // The version trixie's list names (not apt's candidate, which may be this machine's installed bookworm one).
  const candidate = async () =>
    (await run('apt-cache', [...apt, 'madison', 'busybox-static']).catch(() => ''))
      .split('\n')
      .map((l) => l.split('|').map((f) => f.trim()))
      .find((f) => f.length === 3 && f[2].includes(` ${BUSYBOX_SUITE}/`))?.[1];
  let version = await candidate();
  if (!version) {
    ctx.progress(`images: fetching Debian ${BUSYBOX_SUITE}'s package list for busybox-static (wget -T works there)`);
    await run('apt-get', [...apt, 'update', '-qq']);
    version = await candidate();
  }
  if (!version) throw new Error(`images: Debian ${BUSYBOX_SUITE} has no busybox-static`);
  const out = join(dir, 'busybox', version.replace(/[^A-Za-z0-9.+~-]/g, '_'));
  const bin = join(out, 'usr/bin/busybox');
  if (!existsSync(bin)) {
    const debs = join(dir, 'debs');
    for (const f of readdirSync(debs)) rmSync(join(debs, f), { force: true });
    await run('apt-get', [...apt, 'download', '-q', `busybox-static=${version}`], { cwd: debs });
    const deb = readdirSync(debs).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`images: apt-get download busybox-static=${version} fetched nothing`);
    const tmp = `${out}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    await run('dpkg-deb', ['-x', join(debs, deb), tmp]);
    if (!isStaticELF(join(tmp, 'usr/bin/busybox'))) throw new Error(`images: ${BUSYBOX_SUITE}'s busybox-static is not statically linked`);
    await checkWgetTimeout(join(tmp, 'usr/bin/busybox'));
    rmSync(out, { recursive: true, force: true });
    renameSync(tmp, out);
  }
  return { path: bin, version };
}

/** `wget -T 1` against a closed port: exit 1 ("Connection refused"); a build without the option crashes. */
async function checkWgetTimeout(busybox: string): Promise<void> {
  const code = await new Promise<number | string>((resolve) => {
    const child = spawn(busybox, ['wget', '-T', '1', '-q', '-O', '/dev/null', 'http://127.0.0.1:1/'], { stdio: 'ignore', env: { PATH: '/bin' } });
    child.on('close', (c, signal) => resolve(signal ?? c ?? -1));
  });
  if (code !== 1) throw new Error(`images: busybox wget -T fails (${code}); the image's wget would not time out`);
}

/** busybox-static with every applet linked into place, users and name service files. */
export async function busyboxRootfs(root: string, ctx: BuildContext): Promise<void> {
  const busybox = await busyboxBinary(ctx);
  mkdirs(root, {
    bin: 0o755,
    sbin: 0o755,
    'usr/bin': 0o755,
    'usr/sbin': 0o755,
    'usr/local/bin': 0o755,
    etc: 0o755,
    root: 0o700,
    home: 0o755,
    tmp: 0o1777,
    'var/tmp': 0o1777,
    run: 0o755,
    proc: 0o555,
    sys: 0o555,
    dev: 0o755,
  });
  symlink(root, 'var/run', '../run');
  copyFileSync(busybox.path, join(root, 'bin/busybox'));
  ctx.packages.set('busybox-static', busybox.version);
  chmodSync(join(root, 'bin/busybox'), 0o755);
  // What `busybox --install -s` does, without running anything inside the new root.
  const bin = join(root, 'bin/busybox');
  const applets = (await run(bin, ['--list-full'])).split('\n').filter(Boolean);
  for (const a of applets) {
    const p = join(root, a);
    if (a === 'bin/busybox' || existsSync(p)) continue;
    mkdirSync(dirname(p), { recursive: true });
    symlinkSync('/bin/busybox', p);
  }
  writeFile(root, 'etc/passwd', `${BASE_PASSWD.join('\n')}\n`);
  writeFile(root, 'etc/group', `${BASE_GROUP.join('\n')}\n`);
  writeFile(root, 'etc/shadow', `${BASE_PASSWD.map((l) => `${l.split(':')[0]}:*:10933:0:99999:7:::`).join('\n')}\n`, 0o640);
  writeFile(root, 'etc/nsswitch.conf', 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nservices: files\nprotocols: files\n');
  // Targets for the bind mounts the runtime places; present so a read-only rootfs still works.
  for (const f of ['etc/hosts', 'etc/resolv.conf', 'etc/hostname']) writeFile(root, f, '');
}

export async function pauseRootfs(root: string, ctx: BuildContext): Promise<void> {
  const gcc = which('gcc');
  if (!gcc) throw new Error('images: gcc not found: install the Debian packages gcc and libc6-dev (run `make deps`) to build the pause image');
  const out = join(ctx.workDir, 'pause');
  await run(gcc, ['-static', '-O2', '-s', '-Wall', '-o', out, hackFile('pause.c')]).catch((err: Error) => {
    throw new Error(`images: compiling pause.c statically failed (is libc6-dev installed?): ${err.message}`);
  });
  if (!isStaticELF(out)) throw new Error('images: the pause binary came out dynamically linked');
  copyFileSync(out, join(root, 'pause'));
  chmodSync(join(root, 'pause'), 0o755);
  mkdirs(root, { etc: 0o755, proc: 0o555, sys: 0o555, dev: 0o755 });
  writeFile(root, 'etc/passwd', 'root:x:0:0:root:/:/pause\nnobody:x:65534:65534:nobody:/:/pause\n');
  writeFile(root, 'etc/group', 'root:x:0:\nnogroup:x:65534:\n');
}

// ----- Debian packages unpacked onto the busybox base -----

// Packages a running container does not need: maintainer-script and init
// machinery, and optional modules. Their dependencies are not followed.
const NOT_IN_IMAGES = new Set([
  'adduser',
  'cdebconf',
  'debconf',
  'debconf-2.0',
  'debianutils',
  'dpkg',
  'init-system-helpers',
  'install-info',
  'iproute2',
  'libpam-modules',
  'libpam-modules-bin',
  'libpam0g',
  'logrotate',
  'lsb-base',
  'passwd',
  'perl',
  'perl-base',
  'procps',
  'sensible-utils',
  'systemd',
  'systemd-sysv',
  'sysvinit-utils',
  'tar',
  'ucf',
  'usr-is-merged',
  'usrmerge',
]);

export function excluded(pkg: string): boolean {
  return NOT_IN_IMAGES.has(pkg) || pkg.startsWith('libnginx-mod-') || pkg.startsWith('perl:');
}

let aptUpdate: Promise<string> | undefined;

/** apt-get update, at most once per process (shared by builds running side by side). */
export function refreshAptLists(): Promise<string> {
  aptUpdate ??= run('apt-get', ['update', '-qq']);
  return aptUpdate;
}

type DependencyGroup = string[][]; // alternatives; each alternative is [name, ...providers of a virtual name]

/** Parses `apt-cache depends` output into package → dependency groups. */
export function parseAptDepends(out: string): Map<string, DependencyGroup[]> {
  // A package line, then "  Depends: x" / " |Depends: x" (x or the next one) lines,
  // each optionally followed by deeper-indented providers of a virtual x.
  const graph = new Map<string, DependencyGroup[]>();
  let groups: DependencyGroup[] = [];
  let continuing = false;
  for (const line of out.split('\n')) {
    const dep = /^ ( |\|)(?:Pre)?Depends: (\S+)$/.exec(line);
    if (dep) {
      if (!continuing || groups.length === 0) groups.push([]);
      groups[groups.length - 1].push([dep[2]]);
      continuing = dep[1] === '|';
      continue;
    }
    const provider = /^ {4}(\S+)$/.exec(line);
    if (provider) {
      groups[groups.length - 1]?.at(-1)?.push(provider[1]);
      continue;
    }
    const pkg = /^(\S+)$/.exec(line);
    if (pkg) {
      groups = [];
      continuing = false;
      if (!graph.has(pkg[1])) graph.set(pkg[1], groups);
    }
  }
  return graph;
}

/** `nodejs=18.20.4+dfsg-1~deb12u3` → `nodejs`: a root may pin a version, in apt's own syntax. */
function packageName(root: string): string {
  return root.split('=')[0];
}

/**
 * The Depends/Pre-Depends closure of `roots` as apt resolves it now, without the excluded packages.
 * A root pinned to a version (`name=version`) stays pinned in the result, so that version is downloaded.
 */
export async function resolvePackages(roots: string[]): Promise<string[]> {
  // One recursive query (apt-cache loads its cache once, which is the slow part), then our own walk so
  // that excluded packages' dependencies are not followed.
  const out = await run('apt-cache', [
    'depends',
    '--recurse',
    '--no-recommends',
    '--no-suggests',
    '--no-conflicts',
    '--no-breaks',
    '--no-replaces',
    '--no-enhances',
    ...roots,
  ]).catch((err: Error) => {
    // apt-cache fails outright ("No packages found") when it knows none of them.
    throw new Error(`images: apt does not know ${roots.join(', ')}: ${err.message}`);
  });
  const graph = parseAptDepends(out);
  const pinned = new Map(roots.filter((r) => r.includes('=')).map((r) => [packageName(r), r]));
  const have = new Set<string>();
  // A root is taken even when excluded as a dependency (postgres needs libpam0g's library, not PAM's tools).
  const queue = roots.map(packageName);
  for (const r of queue) if (!graph.has(r)) throw new Error(`images: Debian package ${r} is unknown to apt`);
  while (queue.length) {
    const pkg = queue.shift() as string;
    if (have.has(pkg)) continue;
    have.add(pkg);
    for (const group of graph.get(pkg) ?? []) {
      if (group.some((alt) => alt.some(excluded))) continue;
      const pick = group.map((alt) => alt.find((p) => !p.startsWith('<'))).find(Boolean);
      if (!pick) throw new Error(`images: no installable package for ${pkg}'s dependency ${group.flat().join(' | ')}`);
      queue.push(pick);
    }
  }
  return [...have].map((p) => pinned.get(p) ?? p).sort();
}

/**
 * The newest version of a Debian package in this machine's apt sources whose version starts
 * with prefix (`apt-cache madison` lists the newest first). Not the candidate: the host may have
 * a newer build installed from elsewhere (nodesource's nodejs 20), which no mirror serves.
 */
export async function newestDebianVersion(pkg: string, prefix: string): Promise<string | undefined> {
  const out = await run('apt-cache', ['madison', pkg]).catch(() => '');
  return parseAptMadison(out).find((v) => v.startsWith(prefix));
}

/** `apt-cache madison` lines (`name | version | source`) → versions, in its order. */
export function parseAptMadison(out: string): string[] {
  return out
    .split('\n')
    .map((line) => line.split('|').map((f) => f.trim()))
    .filter((f) => f.length === 3 && f[1] !== '')
    .map((f) => f[1]);
}

/** `libc6_2.36-9%2bdeb12u4_amd64.deb` → [libc6, 2.36-9+deb12u4]: apt-get download's names, URL-encoded. */
export function debFileNameParts(file: string): [string, string] {
  const [name, version] = file.replace(/\.deb$/, '').split('_');
  return [name, decodeURIComponent(version ?? '')];
}

/** Downloads (Debian mirror of this machine's apt sources) and unpacks packages into root. */
export async function installDebs(root: string, roots: string[], ctx: BuildContext): Promise<string[]> {
  const debs = join(ctx.workDir, 'debs');
  const fetchDebs = async (): Promise<string[]> => {
    rmSync(debs, { recursive: true, force: true });
    mkdirSync(debs);
    const pkgs = await resolvePackages(roots);
    ctx.progress(`images: downloading ${pkgs.length} Debian packages (${roots.join(', ')} and dependencies)`);
    await run('apt-get', ['download', '-q', ...pkgs], { cwd: debs });
    return pkgs;
  };
  let pkgs: string[];
  try {
    pkgs = await fetchDebs();
  } catch (err) {
    // Empty lists on a fresh machine, or stale ones naming versions the mirror has dropped.
    ctx.progress(`images: ${(err as Error).message.split('\n')[0]}; refreshing apt's package lists`);
    await refreshAptLists();
    pkgs = await fetchDebs();
  }
  const files = readdirSync(debs).filter((f) => f.endsWith('.deb'));
  if (files.length !== pkgs.length) throw new Error(`images: apt-get download fetched ${files.length} of ${pkgs.length} packages (${pkgs.join(' ')})`);
  for (const f of files) {
    await run('dpkg-deb', ['-x', join(debs, f), root]);
    const [name, version] = debFileNameParts(f);
    ctx.packages.set(name, version);
  }
  // ld.so finds libraries in both /lib and /usr/lib without a cache, but a cache is what Debian ships.
  await run('ldconfig', ['-r', root]).catch(() => undefined);
  return pkgs;
}

// What a container never reads: docs, man pages, init scripts; iconv modules (8 MB) and
// debugger/completion extras, which nothing in these images loads.
const TRIMMED = [
  'usr/share/doc',
  'usr/share/man',
  'usr/share/info',
  'usr/share/lintian',
  'usr/share/bug',
  'usr/share/locale',
  'usr/share/gdb',
  'usr/share/gcc',
  'usr/share/bash-completion',
  'usr/share/apport',
  'usr/lib/x86_64-linux-gnu/gconv',
  'etc/init.d',
  'etc/logrotate.d',
  'etc/default',
  'etc/ufw',
  'etc/systemd',
  'lib/systemd',
  'usr/lib/systemd',
  'var/cache/debconf',
];

export function trim(root: string): void {
  for (const d of TRIMMED) rmSync(join(root, d), { recursive: true, force: true });
}
