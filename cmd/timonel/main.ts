#!/usr/bin/env node
// timonel: the launcher. `up` starts a cluster on this machine, `down` stops it.
import { parseArgs } from 'node:util';
import { DEFAULT_DATA_DIR, down, up } from '../../pkg/cluster/up.js';

const USAGE = `usage:
  timonel up   [--data-dir DIR] [--etcd-servers URLS] [--bind-address IP] [--secure-port PORT] [--service-cluster-ip-range CIDR]
  timonel down [--data-dir DIR] [--purge]`;

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
      'etcd-servers': { type: 'string' },
      'bind-address': { type: 'string', default: '127.0.0.1' },
      'secure-port': { type: 'string', default: '6443' },
      'etcd-client-port': { type: 'string', default: '2379' },
      'etcd-peer-port': { type: 'string', default: '2380' },
      'service-cluster-ip-range': { type: 'string', default: '10.96.0.0/12' },
      purge: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const dataDir = values['data-dir'] as string;
  const progress = (msg: string) => process.stdout.write(`${msg}\n`);
  switch (command) {
    case 'up': {
      const { kubeconfig } = await up({
        dataDir,
        etcdServers: values['etcd-servers'],
        bindAddress: values['bind-address'] as string,
        securePort: Number(values['secure-port']),
        etcdClientPort: Number(values['etcd-client-port']),
        etcdPeerPort: Number(values['etcd-peer-port']),
        serviceClusterIPRange: values['service-cluster-ip-range'] as string,
        progress,
      });
      process.stdout.write(`\nTimonel is running. To use it:\n  export KUBECONFIG=${kubeconfig}\n  kubectl get namespaces\n`);
      return;
    }
    case 'down':
      await down(dataDir, values.purge as boolean, progress);
      return;
    default:
      process.stderr.write(`${USAGE}\n`);
      process.exit(command ? 2 : 0);
  }
}

main().catch((err: Error) => {
  process.stderr.write(`timonel: ${err.message}\n`);
  process.exit(1);
});
