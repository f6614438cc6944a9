// haproxy: Debian's HAProxy 2.6 with Docker Hub's layout (/usr/local/etc/haproxy/haproxy.cfg).
import { readFileSync } from 'node:fs';
import { PATH_ENV, hackFile, run, symlink, writeFile, type ImageSpec } from '../rootfs.js';
import { debianRootfs, systemUser } from './debian.js';

export const haproxyImage: ImageSpec = {
  name: 'haproxy',
  recipe: 'haproxy-1',
  references: { 'docker.io/library/haproxy': ['latest', '2', '2.6', 'lts', 'alpine'] },
  config: {
    Env: [PATH_ENV],
    Entrypoint: ['docker-entrypoint.sh'],
    Cmd: ['haproxy', '-f', '/usr/local/etc/haproxy/haproxy.cfg'],
    // Graceful stop in master-worker mode, as on Docker Hub.
    StopSignal: 'SIGUSR1',
  },
  files: ['haproxy/docker-entrypoint.sh', 'haproxy/haproxy.cfg'],
  rootfs: async (root, ctx) => {
    await debianRootfs(root, ctx, ['haproxy']);
    writeFile(root, 'usr/local/etc/haproxy/haproxy.cfg', readFileSync(hackFile('haproxy/haproxy.cfg')));
    symlink(root, 'usr/local/sbin/haproxy', '/usr/sbin/haproxy');
    writeFile(root, 'usr/local/bin/docker-entrypoint.sh', readFileSync(hackFile('haproxy/docker-entrypoint.sh')), 0o755);
    systemUser(root, 'haproxy', 99, '/var/lib/haproxy', ['var/lib/haproxy']);
    await run('chroot', [root, '/usr/sbin/haproxy', '-c', '-f', '/usr/local/etc/haproxy/haproxy.cfg']);
  },
};
