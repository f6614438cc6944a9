// prometheus, prometheus-node-exporter and vmagent: Debian's builds with the layout and
// flags of their upstream images (prom/prometheus, prom/node-exporter, victoriametrics/vmagent).
import { readFileSync } from 'node:fs';
import { PATH_ENV, hackFile, mkdirs, run, symlink, writeFile, type ImageSpec } from '../rootfs.js';
import { debianRootfs, systemUser } from './debian.js';

export const prometheusImage: ImageSpec = {
  name: 'prometheus',
  recipe: 'prometheus-1',
  references: {
    'docker.io/prom/prometheus': ['latest', 'v2.42.0', 'v2'],
    'quay.io/prometheus/prometheus': ['latest', 'v2.42.0', 'v2'],
  },
  config: {
    Env: [PATH_ENV],
    Entrypoint: ['/bin/prometheus'],
    Cmd: [
      '--config.file=/etc/prometheus/prometheus.yml',
      '--storage.tsdb.path=/prometheus',
      '--web.console.libraries=/usr/share/prometheus/console_libraries',
      '--web.console.templates=/usr/share/prometheus/consoles',
    ],
    User: 'nobody',
    WorkingDir: '/prometheus',
    ExposedPorts: { '9090/tcp': {} },
    Volumes: { '/prometheus': {} },
  },
  files: ['prometheus/prometheus.yml'],
  rootfs: async (root, ctx) => {
    await debianRootfs(root, ctx, ['prometheus']);
    symlink(root, 'bin/prometheus', '/usr/bin/prometheus');
    symlink(root, 'bin/promtool', '/usr/bin/promtool');
    writeFile(root, 'etc/prometheus/prometheus.yml', readFileSync(hackFile('prometheus/prometheus.yml')));
    mkdirs(root, { prometheus: 0o777, 'usr/share/prometheus/consoles': 0o755, 'usr/share/prometheus/console_libraries': 0o755 });
    await run('chroot', [root, '/usr/bin/prometheus', '--version']);
  },
};

export const nodeExporterImage: ImageSpec = {
  name: 'node-exporter',
  recipe: 'node-exporter-1',
  references: {
    'docker.io/prom/node-exporter': ['latest', 'v1.5.0', 'v1'],
    'quay.io/prometheus/node-exporter': ['latest', 'v1.5.0', 'v1'],
  },
  config: { Env: [PATH_ENV], Entrypoint: ['/bin/node_exporter'], User: 'nobody', ExposedPorts: { '9100/tcp': {} } },
  files: [],
  rootfs: async (root, ctx) => {
    await debianRootfs(root, ctx, ['prometheus-node-exporter']);
    symlink(root, 'bin/node_exporter', '/usr/bin/prometheus-node-exporter');
    await run('chroot', [root, '/usr/bin/prometheus-node-exporter', '--version']);
  },
};

export const vmagentImage: ImageSpec = {
  name: 'vmagent',
  recipe: 'vmagent-1',
  references: { 'docker.io/victoriametrics/vmagent': ['latest', 'v1.79.5', 'stable'] },
  config: { Env: [PATH_ENV], Entrypoint: ['/vmagent-prod'], ExposedPorts: { '8429/tcp': {} } },
  files: [],
  rootfs: async (root, ctx) => {
    await debianRootfs(root, ctx, ['victoria-metrics']);
    // Only vmagent is this image; the other tools of the package go.
    for (const tool of ['victoria-metrics', 'vmalert', 'vmauth', 'vmbackup', 'vmctl', 'vmrestore']) await run('rm', ['-f', `${root}/usr/bin/${tool}`]);
    symlink(root, 'vmagent-prod', '/usr/bin/vmagent');
    systemUser(root, 'vmagent', 65532, '/nonexistent');
    await run('chroot', [root, '/usr/bin/vmagent', '-version']);
  },
};
