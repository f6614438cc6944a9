// mysql and mariadb: Debian's MariaDB 10.11 server, started as Docker Hub's images start it
// (hack/images/mysql/docker-entrypoint.sh: MYSQL_* / MARIADB_* and /docker-entrypoint-initdb.d).
import { readFileSync } from 'node:fs';
import { PATH_ENV, hackFile, run, writeFile, type ImageSpec } from '../rootfs.js';
import { debianRootfs, systemUser } from './debian.js';

export const mariadbImage: ImageSpec = {
  name: 'mariadb',
  recipe: 'mariadb-1',
  references: {
    'docker.io/library/mysql': ['latest', '8', '8.0', '5.7', '5.6'],
    'docker.io/library/mariadb': ['latest', '10', '10.11', '11'],
  },
  config: {
    Env: [PATH_ENV],
    Entrypoint: ['docker-entrypoint.sh'],
    Cmd: ['mariadbd'],
    ExposedPorts: { '3306/tcp': {} },
    Volumes: { '/var/lib/mysql': {} },
  },
  files: ['mysql/docker-entrypoint.sh', 'mysql/my.cnf'],
  rootfs: async (root, ctx) => {
    await debianRootfs(root, ctx, ['mariadb-server-core', 'mariadb-client-core']);
    writeFile(root, 'etc/mysql/my.cnf', readFileSync(hackFile('mysql/my.cnf')));
    writeFile(root, 'etc/mysql/conf.d/.keep', '');
    writeFile(root, 'usr/local/bin/docker-entrypoint.sh', readFileSync(hackFile('mysql/docker-entrypoint.sh')), 0o755);
    systemUser(root, 'mysql', 999, '/var/lib/mysql', ['var/lib/mysql', 'run/mysqld', 'docker-entrypoint-initdb.d']);
    await run('chroot', [root, '/usr/sbin/mariadbd', '--version']);
  },
};
