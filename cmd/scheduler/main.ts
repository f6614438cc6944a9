// kube-scheduler's counterpart: flags named as it names them.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { Client } from '../../pkg/client/rest.js';
import { LeaderElector } from '../../pkg/client/leaderelection.js';
import { SchedulerMetrics, serveSecureSchedulerMetrics } from '../../pkg/scheduler/metrics.js';
import { clientPreemptionWriter, defaultProfile } from '../../pkg/scheduler/plugins/registry.js';
import { DEFAULT_SCHEDULER_NAME } from '../../pkg/scheduler/profile.js';
import { Scheduler } from '../../pkg/scheduler/scheduler.js';
import { logger } from '../../pkg/util/log.js';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    'scheduler-name': { type: 'string', default: DEFAULT_SCHEDULER_NAME },
    'leader-elect': { type: 'string', default: 'true' },
    'leader-elect-lease-duration': { type: 'string', default: '15' },
    'leader-elect-renew-deadline': { type: 'string', default: '10' },
    'leader-elect-retry-period': { type: 'string', default: '2' },
    'leader-elect-resource-namespace': { type: 'string', default: 'kube-system' },
    'leader-elect-resource-name': { type: 'string', default: 'kube-scheduler' },
    // The secure port: /metrics (authorised through the apiserver) and /healthz; 0 turns it off.
    'bind-address': { type: 'string', default: '0.0.0.0' },
    'secure-port': { type: 'string', default: '10259' },
    'tls-cert-file': { type: 'string' },
    'tls-private-key-file': { type: 'string' },
    'cert-dir': { type: 'string' },
    'client-ca-file': { type: 'string' },
    'authorization-always-allow-paths': { type: 'string', default: '/healthz,/readyz,/livez' },
    'percentage-of-nodes-to-score': { type: 'string', default: '0' },
    'pod-initial-backoff-seconds': { type: 'string', default: '1' },
    'pod-max-backoff-seconds': { type: 'string', default: '10' },
    v: { type: 'string', short: 'v', default: '0' },
  },
  strict: true,
});

const verbosity = Number(values.v);
const log = logger('scheduler', verbosity);
const schedulerName = values['scheduler-name'] as string;

async function main(): Promise<void> {
  const client = Client.fromFile(values.kubeconfig, { userAgent: 'timonel-scheduler' });
  const preemptionWriter = clientPreemptionWriter(client);
  const metrics = new SchedulerMetrics({ defaultMetrics: true });
  let scheduler: Scheduler | undefined;
  const securePort = Number(values['secure-port']);
  if (!Number.isInteger(securePort) || securePort < 0 || securePort > 65535)
    throw new Error(`invalid --secure-port ${JSON.stringify(values['secure-port'])}: want 0 to 65535`);
  const bindHost = values['bind-address'] as string;
  const server =
    securePort === 0
      ? undefined
      : await serveSecureSchedulerMetrics(
          {
            bindAddress: `${bindHost.includes(':') ? `[${bindHost}]` : bindHost}:${securePort}`,
            tlsCertFile: values['tls-cert-file'],
            tlsKeyFile: values['tls-private-key-file'],
            certDir: values['cert-dir'],
            clientCAFile: values['client-ca-file'],
            alwaysAllowPaths: (values['authorization-always-allow-paths'] as string).split(',').filter(Boolean),
            log,
          },
          client,
          metrics.registry,
        );

  const newScheduler = () =>
    new Scheduler({
      client,
      profile: (lister) => defaultProfile(lister, schedulerName, { preemptionWriter }),
      metrics,
      percentageOfNodesToScore: Number(values['percentage-of-nodes-to-score']),
      podInitialBackoffMs: Number(values['pod-initial-backoff-seconds']) * 1000,
      podMaxBackoffMs: Number(values['pod-max-backoff-seconds']) * 1000,
      log,
      logV: log.v(4),
    });

  let elector: LeaderElector | undefined;
  let shuttingDown = false;
  const shutdown = async (sig: string) => {
    shuttingDown = true;
    log(`received ${sig}, shutting down`);
    await scheduler?.stop();
    await elector?.stop({ release: true });
    server?.close();
    server?.closeAllConnections();
    client.close();
    process.exit(0);
  };
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => void shutdown(sig));

  if (values['leader-elect'] === 'false') {
    scheduler = newScheduler();
    await scheduler.start();
    return;
  }
  const identity = `${hostname()}_${randomUUID()}`;
  elector = new LeaderElector({
    client,
    namespace: values['leader-elect-resource-namespace'] as string,
    name: values['leader-elect-resource-name'] as string,
    identity,
    leaseDurationMs: Number(values['leader-elect-lease-duration']) * 1000,
    renewDeadlineMs: Number(values['leader-elect-renew-deadline']) * 1000,
    retryPeriodMs: Number(values['leader-elect-retry-period']) * 1000,
    releaseOnCancel: true,
    log,
    callbacks: {
      onStartedLeading: () => {
        log(`became leader as ${identity}`);
        scheduler = newScheduler();
        scheduler.start().catch((err: Error) => {
          log(`failed to start: ${err.message}`);
          process.exit(1);
        });
      },
      onStoppedLeading: () => {
        // As kube-scheduler: losing the lease ends the process, so a fresh one stands by again.
        if (shuttingDown) return;
        log('leaderelection lost');
        process.exit(1);
      },
      onNewLeader: (id) => {
        if (id !== identity) log(`leader is ${id}`);
      },
    },
  });
  await elector.run();
}

main().catch((err: Error) => {
  log(`failed to start: ${err.stack ?? err.message}`);
  process.exit(1);
});
