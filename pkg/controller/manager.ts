// The controller-manager: the known controllers, started together on one set of
// shared informers while this process holds the leader lease; and its secure port
// (10257) with /metrics (the work queues', leader election's) and /healthz.
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { Gauge, Registry } from 'prom-client';
import { DelegatedAuth } from '../client/delegated/filter.js';
import { PrometheusWorkqueueMetrics, setWorkqueueMetricsProvider } from '../client/workqueue_metrics.js';
import { healthPaths, serveSecureMetrics } from '../metrics/secure.js';
import { randomUUID } from 'node:crypto';
import { Client } from '../client/rest.js';
import { SharedInformerFactory } from '../client/factory.js';
import { EventRecorder } from '../client/events.js';
import { LeaderElector } from '../client/leaderelection.js';
import type { Logger } from '../util/log.js';
import type { Controller, ControllerContext } from './context.js';
import { NamespaceController } from './namespace/namespace_controller.js';
import { NodeLifecycleController } from './nodelifecycle/node_lifecycle_controller.js';
import { ServiceAccountsController } from './serviceaccount/serviceaccounts_controller.js';
import { EndpointSliceController } from './endpointslice/endpointslice_controller.js';
import { EndpointsController } from './endpoint/endpoints_controller.js';
import { DisruptionController } from './disruption/disruption_controller.js';
import { ReplicaSetController } from './replicaset/replica_set.js';
import { GarbageCollector } from './garbagecollector/garbagecollector.js';
import { StatefulSetController } from './statefulset/stateful_set.js';
import { DeploymentController } from './deployment/deployment_controller.js';
import { HorizontalController } from './podautoscaler/horizontal.js';
import { PersistentVolumeBinderController } from './volume/persistentvolume/pv_controller.js';
import { LocalPathProvisioner } from './volume/localpath/provisioner.js';
import { DaemonSetsController } from './daemon/daemon_controller.js';
import { JobController } from './job/job_controller.js';
import { CronJobController } from './cronjob/cronjob_controllerv2.js';
import { ResourceQuotaController } from './resourcequota/resource_quota_controller.js';
import { TTLAfterFinishedController } from './ttlafterfinished/ttlafterfinished_controller.js';
import { ServiceLBController } from './servicelb/servicelb_controller.js';
import { BOOTSTRAP_CONTROLLERS } from './bootstrap/index.js';
import { CSRSigningController } from './certificates/signer/signer.js';
import { CSRApprovingController } from './certificates/approver/sarapprove.js';
import { RootCACertPublisher } from './certificates/rootcacertpublisher/publisher.js';
import { TokensController } from './serviceaccount/tokens_controller.js';
import { ClusterRoleAggregationController } from './clusterroleaggregation/clusterroleaggregation_controller.js';

type ControllerFactory = (ctx: ControllerContext, opts: ManagerOptions) => Controller;

/** Controllers by the names kube-controller-manager's --controllers flag uses. */
export const CONTROLLERS: Record<string, ControllerFactory> = {
  namespace: (ctx) => new NamespaceController(ctx),
  nodelifecycle: (ctx, opts) =>
    new NodeLifecycleController(ctx, {
      nodeMonitorPeriodMs: opts.nodeMonitorPeriodMs,
      nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodMs,
      nodeStartupGracePeriodMs: opts.nodeStartupGracePeriodMs,
    }),
  serviceaccount: (ctx) => new ServiceAccountsController(ctx),
  endpointslice: (ctx) => new EndpointSliceController(ctx),
  endpoint: (ctx) => new EndpointsController(ctx),
  disruption: (ctx) => new DisruptionController(ctx),
  replicaset: (ctx) => new ReplicaSetController(ctx),
  garbagecollector: (ctx) => new GarbageCollector(ctx),
  statefulset: (ctx) => new StatefulSetController(ctx),
  deployment: (ctx) => new DeploymentController(ctx),
  horizontalpodautoscaling: (ctx) => new HorizontalController(ctx),
  'persistentvolume-binder': (ctx) => new PersistentVolumeBinderController(ctx),
  daemonset: (ctx) => new DaemonSetsController(ctx),
  job: (ctx) => new JobController(ctx),
  cronjob: (ctx) => new CronJobController(ctx),
  csrsigning: (ctx, opts) => new CSRSigningController(ctx, opts),
  csrapproving: (ctx) => new CSRApprovingController(ctx),
  'ttl-after-finished': (ctx) => new TTLAfterFinishedController(ctx),
  // k3s's ServiceLB: type LoadBalancer served on the nodes' addresses.
  servicelb: (ctx) => new ServiceLBController(ctx),
  resourcequota: (ctx) => new ResourceQuotaController(ctx),
  'clusterrole-aggregation': (ctx) => new ClusterRoleAggregationController(ctx),
  'local-path-provisioner': (ctx, opts) => new LocalPathProvisioner(ctx, { localPathDir: opts.localPathDir }),
  'root-ca-cert-publisher': (ctx, opts) => new RootCACertPublisher(ctx, { rootCAFile: opts.rootCAFile }),
  'serviceaccount-token': (ctx, opts) =>
    new TokensController(ctx, { serviceAccountPrivateKeyFile: opts.serviceAccountPrivateKeyFile, rootCAFile: opts.rootCAFile }),
  ...BOOTSTRAP_CONTROLLERS,
};

export interface ManagerOptions {
  kubeconfig?: string;
  /** '*' for all, or names; '-name' disables one, as in kube-controller-manager. */
  controllers: string[];
  leaderElect: boolean;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  workers: number;
  /** Where the local-path provisioner keeps volumes (default /var/lib/timonel/local-path). */
  localPathDir?: string;
  /** The CA that signs certificate requests (--cluster-signing-cert-file, --cluster-signing-key-file); csrsigning is skipped without it. */
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
  /** The longest certificate csrsigning issues (--cluster-signing-duration, default a year). */
  clusterSigningDurationMs?: number;
  /** --root-ca-file: the cluster CA root-ca-cert-publisher publishes and token Secrets carry. */
  rootCAFile?: string;
  /** --service-account-private-key-file: the key serviceaccount-token signs legacy tokens with. */
  serviceAccountPrivateKeyFile?: string;
  /** --node-monitor-period, --node-monitor-grace-period, --node-startup-grace-period (nodelifecycle). */
  nodeMonitorPeriodMs?: number;
  nodeMonitorGracePeriodMs?: number;
  nodeStartupGracePeriodMs?: number;
  /** The secure port (--bind-address, --secure-port, --tls-*, --cert-dir, --client-ca-file); not served without it. */
  secureServing?: SecureServingFlags;
  log: Logger;
}

export interface SecureServingFlags {
  /** host:port; port 0 picks a free one. */
  bindAddress: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  certDir?: string;
  clientCAFile?: string;
  /** --authorization-always-allow-paths (default /healthz, /readyz, /livez). */
  alwaysAllowPaths?: string[];
}

export function enabledControllers(flags: string[]): string[] {
  const all = Object.keys(CONTROLLERS);
  const disabled = new Set(flags.filter((f) => f.startsWith('-')).map((f) => f.slice(1)));
  const wanted = flags.includes('*') ? all : flags.filter((f) => !f.startsWith('-'));
  for (const name of wanted) if (!CONTROLLERS[name]) throw new Error(`unknown controller "${name}"; known: ${all.join(', ')}`);
  return wanted.filter((n) => !disabled.has(n));
}

export class ControllerManager {
  private readonly client: Client;
  private elector?: LeaderElector;
  private stopLeading?: AbortController;
  private running: Promise<unknown> = Promise.resolve();
  readonly identity = `${hostname()}_${randomUUID()}`;
  /** What the secure port's /metrics exposes. */
  readonly metrics = new Registry();
  private readonly leading: Gauge<'name'>;
  private server?: Server;

  constructor(private readonly opts: ManagerOptions) {
    this.client = Client.fromFile(opts.kubeconfig, { userAgent: 'timonel-controller-manager' });
    this.leading = new Gauge({
      name: 'leader_election_master_status',
      help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease. Please make sure to group by name.",
      labelNames: ['name'],
      registers: [this.metrics],
    });
    // Before any controller makes its queue.
    if (opts.secureServing) setWorkqueueMetricsProvider(new PrometheusWorkqueueMetrics(this.metrics));
  }

  /** Where the secure port listens, once started (undefined without one). */
  get securePort(): number | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  async start(): Promise<void> {
    const serving = this.opts.secureServing;
    if (serving) {
      const auth = new DelegatedAuth({ client: this.client, clientCA: !!serving.clientCAFile, alwaysAllowPaths: serving.alwaysAllowPaths, log: this.opts.log });
      this.server = await serveSecureMetrics(
        { ...serving, name: 'kube-controller-manager', authorize: (req, path) => auth.check(req, path), handle: healthPaths(), log: this.opts.log },
        this.metrics,
      );
    }
    const names = enabledControllers(this.opts.controllers);
    if (!this.opts.leaderElect) {
      this.lead(names, new AbortController().signal);
      return;
    }
    this.elector = new LeaderElector({
      client: this.client,
      namespace: 'kube-system',
      name: 'kube-controller-manager',
      identity: this.identity,
      leaseDurationMs: this.opts.leaseDurationMs,
      renewDeadlineMs: this.opts.renewDeadlineMs,
      retryPeriodMs: this.opts.retryPeriodMs,
      releaseOnCancel: true,
      log: this.opts.log,
      callbacks: {
        onStartedLeading: (signal) => {
          this.leading.set({ name: 'kube-controller-manager' }, 1);
          this.lead(names, signal);
        },
        onStoppedLeading: () => {
          this.leading.set({ name: 'kube-controller-manager' }, 0);
          this.opts.log('lost the leader lease; controllers stopped');
        },
        onNewLeader: (id) => id !== this.identity && this.opts.log(`leader is ${id}`),
      },
    });
    this.leading.set({ name: 'kube-controller-manager' }, 0);
    void this.elector.run();
  }

  /** Runs the controllers until the signal aborts (leadership lost or shutdown). */
  private lead(names: string[], signal: AbortSignal): void {
    const log = this.opts.log;
    log(`became leader as ${this.identity}; starting controllers: ${names.join(', ')}`);
    const informers = new SharedInformerFactory(this.client, { log });
    const recorder = new EventRecorder(this.client, { component: 'controller-manager' });
    const ctx: ControllerContext = { client: this.client, informers, recorder, log };
    const stop = new AbortController();
    this.stopLeading = stop;
    signal.addEventListener('abort', () => stop.abort(), { once: true });
    const controllers = names.map((n) => ({ name: n, controller: CONTROLLERS[n](ctx, this.opts) }));
    informers.start();
    this.running = Promise.all(
      controllers.map(({ name, controller }) =>
        controller.run(this.opts.workers, stop.signal).catch((err: Error) => log(`controller ${name} stopped: ${err.message}`)),
      ),
    ).finally(() => informers.shutdown());
  }

  async stop(): Promise<void> {
    this.stopLeading?.abort();
    await this.running;
    await this.elector?.stop({ release: true });
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
    await closed;
    this.client.close();
  }
}
