// memcached: Debian's memcached 1.6, as Docker Hub's image runs it (user memcache, port 11211).
import { readFileSync } from 'node:fs';
import { PATH_ENV, hackFile, run, writeFile, type ImageSpec } from '../rootfs.js';
import { debianRootfs, systemUser } from './debian.js';

export const memcachedImage: ImageSpec = {
  name: 'memcached',
  recipe: 'memcached-1',
  references: { 'docker.io/library/memcached': ['latest', '1', '1.6', 'alpine'] },
  config: { Env: [PATH_ENV], Entrypoint: ['docker-entrypoint.sh'], Cmd: ['memcached'], User: 'memcache', ExposedPorts: { '11211/tcp': {} } },
  files: ['memcached/docker-entrypoint.sh'],
  rootfs: async (root, ctx) => {
    await debianRootfs(root, ctx, ['memcached']);
    writeFile(root, 'usr/local/bin/docker-entrypoint.sh', readFileSync(hackFile('memcached/docker-entrypoint.sh')), 0o755);
    systemUser(root, 'memcache', 11211, '/home/memcache', ['home/memcache']);
    await run('chroot', [root, '/usr/bin/memcached', '--version']);
  },
};
