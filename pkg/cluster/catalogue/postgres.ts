// postgres: Debian's PostgreSQL 15, started as Docker Hub's image starts it
// (hack/images/postgres/docker-entrypoint.sh: POSTGRES_PASSWORD, POSTGRES_USER, POSTGRES_DB, PGDATA).
import { readFileSync } from 'node:fs';
import { hackFile, run, writeFile, type ImageSpec } from '../rootfs.js';
import { debianRootfs, systemUser } from './debian.js';

export const postgresImage: ImageSpec = {
  name: 'postgres',
  recipe: 'postgres-1',
  references: { 'docker.io/library/postgres': ['latest', '15', '15-bookworm', '16', '17', 'alpine'] },
  config: {
    Env: ['PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'PGDATA=/var/lib/postgresql/data', 'LANG=C.UTF-8'],
    Entrypoint: ['docker-entrypoint.sh'],
    Cmd: ['postgres'],
    ExposedPorts: { '5432/tcp': {} },
    Volumes: { '/var/lib/postgresql/data': {} },
    StopSignal: 'SIGINT',
  },
  files: ['postgres/docker-entrypoint.sh'],
  rootfs: async (root, ctx) => {
    await debianRootfs(root, ctx, ['postgresql-15', 'libpam0g']);
    writeFile(root, 'usr/local/bin/docker-entrypoint.sh', readFileSync(hackFile('postgres/docker-entrypoint.sh')), 0o755);
    systemUser(root, 'postgres', 999, '/var/lib/postgresql', ['var/lib/postgresql/data', 'var/run/postgresql', 'docker-entrypoint-initdb.d']);
    await run('chroot', [root, '/usr/lib/postgresql/15/bin/postgres', '--version']);
  },
};
