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
import { parseDuration } from '../../pkg/util/duration.js';
import { loadKubeSchedulerConfiguration } from '../../pkg/scheduler/apis/config/load.js';
import type { KubeSchedulerConfiguration } from '../../pkg/scheduler/apis/config/types.js';
import { profilesFromConfig } from '../../pkg/scheduler/plugins/config_profile.js';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    // A KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1): profiles, plugins, scoring.
    config: { type: 'string' },
    'scheduler-name': { type: 'string', default: DEFAULT_SCHEDULER_NAME },
    // Leader election: explicitly given flags win over the configuration file, as upstream.
    'leader-elect': { type: 'string' },
    'leader-elect-lease-duration': { type: 'string' },
    'leader-elect-renew-deadline': { type: 'string' },
    'leader-elect-retry-period': { type: 'string' },
    'leader-elect-resource-namespace': { type: 'string' },
    'leader-elect-resource-name': { type: 'string' },
    // The secure port: /metrics (authorised through the apiserver) and /healthz; 0 turns it off.
    'bind-address': { type: 'string', default: '0.0.0.0' },
    'secure-port': { type: 'string', default: '10259' },
    'tls-cert-file': { type: 'string' },
    'tls-private-key-file': { type: 'string' },
    'cert-dir': { type: 'string' },
    'client-ca-file': { type: 'string' },
    'authorization-always-allow-paths': { type: 'string', default: '/healthz,/readyz,/livez' },
    'percentage-of-nodes-to-score': { type: 'string' },
    'pod-initial-backoff-seconds': { type: 'string' },
    'pod-max-backoff-seconds': { type: 'string' },
    v: { type: 'string', short: 'v', default: '0' },
  },
  strict: true,
});

const verbosity = Number(values.v);
const log = logger('scheduler', verbosity);
const schedulerName = values['scheduler-name'] as string;

/** --config, read, defaulted and validated before anything starts; a bad file ends the process with its errors. */
let config: KubeSchedulerConfiguration | undefined;
if (values.config) {
  try {
    config = loadKubeSchedulerConfiguration(values.config);
  } catch (err) {
    log(`Error: ${(err as Error).message}`);
    process.exit(1);
  }
}

/** Seconds from a flag (as a number of seconds) or from the configuration (as a Go duration), else the default. */
function seconds(flag: string | undefined, fromConfig: string | undefined, dflt: number): number {
  if (flag !== undefined) return Number(flag) * 1000;
  if (fromConfig !== undefined) return parseDuration(fromConfig);
  return dflt * 1000;
}
if (config) {
  // Profile errors (an unknown plugin, arguments it does not take) stop the start too, before leader election.
  try {
    profilesFromConfig({ nodes: () => [], nodeInfo: () => undefined, get: () => undefined, list: () => [] }, config);
  } catch (err) {
    log(`Error: ${(err as Error).message}`);
    process.exit(1);
  }
}
const le = config?.leaderElection ?? {};
const leaderElect = values['leader-elect'] !== undefined ? values['leader-elect'] !== 'false' : (le.leaderElect ?? true);
const kubeconfig = values.kubeconfig ?? (config?.clientConnection?.kubeconfig || undefined);
const numberFlag = (flag: string | undefined, fromConfig: number | undefined, dflt: number) => (flag !== undefined ? Number(flag) : (fromConfig ?? dflt));
const percentageOfNodesToScore = numberFlag(values['percentage-of-nodes-to-score'], config?.percentageOfNodesToScore, 0);
const podInitialBackoffSeconds = numberFlag(values['pod-initial-backoff-seconds'], config?.podInitialBackoffSeconds, 1);
const podMaxBackoffSeconds = numberFlag(values['pod-max-backoff-seconds'], config?.podMaxBackoffSeconds, 10);

async function main(): Promise<void> {
  const client = Client.fromFile(kubeconfig, { userAgent: 'timonel-scheduler' });
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
      profile: (lister) => (config ? profilesFromConfig(lister, config, { preemptionWriter }) : defaultProfile(lister, schedulerName, { preemptionWriter })),
      metrics,
      percentageOfNodesToScore,
      podInitialBackoffMs: podInitialBackoffSeconds * 1000,
      podMaxBackoffMs: podMaxBackoffSeconds * 1000,
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

  if (!leaderElect) {
    scheduler = newScheduler();
    await scheduler.start();
    return;
  }
  const identity = `${hostname()}_${randomUUID()}`;
  elector = new LeaderElector({
    client,
    namespace: values['leader-elect-resource-namespace'] ?? le.resourceNamespace ?? 'kube-system',
    name: values['leader-elect-resource-name'] ?? le.resourceName ?? 'kube-scheduler',
    identity,
    leaseDurationMs: seconds(values['leader-elect-lease-duration'], le.leaseDuration, 15),
    renewDeadlineMs: seconds(values['leader-elect-renew-deadline'], le.renewDeadline, 10),
    retryPeriodMs: seconds(values['leader-elect-retry-period'], le.retryPeriod, 2),
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
