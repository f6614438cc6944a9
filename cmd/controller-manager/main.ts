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
    'node-monitor-period': { type: 'string', default: '5s' },
    'node-monitor-grace-period': { type: 'string', default: '50s' },
    'node-startup-grace-period': { type: 'string', default: '1m0s' },
    // The secure port: /metrics (authorised through the apiserver) and /healthz; 0 turns it off.
    'bind-address': { type: 'string', default: '0.0.0.0' },
    'secure-port': { type: 'string', default: '10257' },
    'tls-cert-file': { type: 'string' },
    'tls-private-key-file': { type: 'string' },
    'cert-dir': { type: 'string' },
    'client-ca-file': { type: 'string' },
    'authorization-always-allow-paths': { type: 'string', default: '/healthz,/readyz,/livez' },
    v: { type: 'string', default: '0' },
  },
  strict: true,
});

const log = logger('controller-manager', Number(values.v));
const securePort = Number(values['secure-port']);
if (!Number.isInteger(securePort) || securePort < 0 || securePort > 65535) {
  log(`invalid --secure-port ${JSON.stringify(values['secure-port'])}: want 0 to 65535`);
  process.exit(2);
}
const bindHost = values['bind-address'] as string;
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
  nodeMonitorPeriodMs: parseDuration(values['node-monitor-period'] as string),
  nodeMonitorGracePeriodMs: parseDuration(values['node-monitor-grace-period'] as string),
  nodeStartupGracePeriodMs: parseDuration(values['node-startup-grace-period'] as string),
  secureServing:
    securePort === 0
      ? undefined
      : {
          bindAddress: `${bindHost.includes(':') ? `[${bindHost}]` : bindHost}:${securePort}`,
          tlsCertFile: values['tls-cert-file'],
          tlsKeyFile: values['tls-private-key-file'],
          certDir: values['cert-dir'],
          clientCAFile: values['client-ca-file'],
          alwaysAllowPaths: (values['authorization-always-allow-paths'] as string).split(',').filter(Boolean),
        },
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
