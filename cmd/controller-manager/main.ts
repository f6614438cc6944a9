// kube-controller-manager's counterpart: flags named as it names them.
import { parseArgs } from 'node:util';
import { ControllerManager } from '../../pkg/controller/manager.js';
import { logger } from '../../pkg/util/log.js';
import { parseDuration } from '../../pkg/util/duration.js';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    controllers: { type: 'string', default: '*' },
    'leader-elect': { type: 'string', default: 'true' },
    'leader-elect-lease-duration': { type: 'string', default: '15' },
    'leader-elect-renew-deadline': { type: 'string', default: '10' },
    'leader-elect-retry-period': { type: 'string', default: '2' },
    'concurrent-syncs': { type: 'string', default: '5' },
    'local-path-dir': { type: 'string' },
    'cluster-signing-cert-file': { type: 'string' },
    'cluster-signing-key-file': { type: 'string' },
    'cluster-signing-duration': { type: 'string', default: '8760h0m0s' },
    'root-ca-file': { type: 'string' },
    'service-account-private-key-file': { type: 'string' },
    v: { type: 'string', default: '0' },
  },
  strict: true,
});

const log = logger('controller-manager', Number(values.v));
const manager = new ControllerManager({
  kubeconfig: values.kubeconfig,
  controllers: (values.controllers as string)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  leaderElect: values['leader-elect'] !== 'false',
  leaseDurationMs: Number(values['leader-elect-lease-duration']) * 1000,
  renewDeadlineMs: Number(values['leader-elect-renew-deadline']) * 1000,
  retryPeriodMs: Number(values['leader-elect-retry-period']) * 1000,
  workers: Number(values['concurrent-syncs']),
  localPathDir: values['local-path-dir'],
  clusterSigningCertFile: values['cluster-signing-cert-file'],
  clusterSigningKeyFile: values['cluster-signing-key-file'],
  clusterSigningDurationMs: parseDuration(values['cluster-signing-duration'] as string),
  rootCAFile: values['root-ca-file'],
  serviceAccountPrivateKeyFile: values['service-account-private-key-file'],
  log,
});

manager.start().catch((err: Error) => {
  log(`failed to start: ${err.message}`);
  process.exit(1);
});

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    log(`received ${sig}, shutting down`);
    manager.stop().finally(() => process.exit(0));
  });
}
