// Controller churn: many Deployments created at once, the deployment and
// replicaset controllers (a controller-manager child process) fan them out into
// ReplicaSets and pods. There is no scheduler or kubelet, so this bench plays
// the kubelet's part: every new pod gets a Running status with a podIP and a
// Ready=True condition. The figure is the time from the first create until every
// Deployment reports all its replicas updated and available.
import type { ClientRequest, IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Deployment } from '../../api/apps/v1/types.js';
import { isPodReady } from '../../api/core/v1/pod.js';
import type { Pod } from '../../api/core/v1/types.js';
import type { KubeObject, WatchEvent } from '../../api/meta/v1/types.js';
import { kubeconfigYAML } from '../../pkg/cluster/kubeconfig.js';
import type { BenchContext } from './context.js';
import { startControllerManagerProcess, type ControllerManagerProcess } from './controller-manager-process.js';
import { HTTPSClient } from './https-client.js';
import { ensureNamespace } from './pods.js';
import { CPUMeter, rssBytes } from './procstat.js';
import { round } from './stats.js';

export interface ChurnBenchSizes {
  deployments: number;
  replicas: number;
  /** Concurrent Deployment creators. */
  creators: number;
  /** Pod status writes in flight at once (the simulated kubelets). */
  readyConcurrency: number;
  /** Give up when nothing has progressed for this long. */
  stallSeconds: number;
  timeoutSeconds: number;
}

export interface ChurnTarget {
  url: string;
  caCert: string;
  pid: number;
  /** A token the apiserver accepts, if it was started with --token-auth-file. */
  token?: string;
}

const NS = 'bench-churn';

export function deploymentBody(name: string, replicas: number): string {
  const labels = { app: name };
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas,
      minReadySeconds: 0,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
      },
    },
  });
}

/** The status a kubelet would write once the pod's only container is up and its readiness probe passed. */
export function readyStatus(pod: Pod, podIP: string, now: string): Pod {
  const cond = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
  return {
    ...pod,
    status: {
      ...pod.status,
      phase: 'Running',
      podIP,
      podIPs: [{ ip: podIP }],
      hostIP: '10.0.0.1',
      startTime: now,
      conditions: [cond('PodScheduled'), cond('Initialized'), cond('ContainersReady'), cond('Ready')],
    },
  };
}

/**
 * A watch that survives the server ending the stream: it resumes from the last
 * resourceVersion seen, and relists (feeding the items as ADDED) after a 410.
 */
class ResumingWatch<T extends KubeObject> {
  private req?: ClientRequest;
  private rv = '';
  private closed = false;
  problems = 0;
  lastProblem = '';

  constructor(
    private readonly client: HTTPSClient,
    private readonly agent: Agent,
    private readonly path: string,
    private readonly headers: Record<string, string>,
    private readonly onEvent: (ev: WatchEvent<T>) => void,
  ) {}

  /** Lists (feeding every item as ADDED), then watches from the list's resourceVersion. */
  async start(): Promise<void> {
    const res = await this.client.send('GET', this.path, undefined, this.headers);
    if (res.status !== 200) throw new Error(`GET ${this.path}: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    const list = JSON.parse(res.body) as { metadata: { resourceVersion: string }; items: T[] };
    for (const item of list.items) this.onEvent({ type: 'ADDED', object: item });
    this.rv = list.metadata.resourceVersion;
    await this.open();
  }

  private open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const url = `${this.client.baseURL}${this.path}?watch=1&allowWatchBookmarks=true&resourceVersion=${this.rv}`;
      const req = request(url, { agent: this.agent, headers: { accept: 'application/json', ...this.headers } }, (res: IncomingMessage) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`watch ${this.path}: HTTP ${res.statusCode}`));
          return;
        }
        resolve();
        res.setEncoding('utf8');
        let rest = '';
        res.on('data', (chunk: string) => {
          const lines = (rest + chunk).split('\n');
          rest = lines.pop() ?? '';
          for (const line of lines) if (line) this.line(line);
        });
        res.on('end', () => this.reopen());
        res.on('error', () => undefined);
      });
      req.on('error', (err) => {
        if (this.closed) return;
        this.note(`watch ${this.path}: ${err.message}`);
        reject(err);
      });
      req.end();
      this.req = req;
    });
  }

  private line(line: string): void {
    const ev = JSON.parse(line) as WatchEvent<T & { code?: number; message?: string }>;
    if (ev.type === 'ERROR') {
      this.note(`watch ${this.path}: ${line.slice(0, 300)}`);
      if (ev.object.code === 410) this.rv = ''; // too old: the next open relists
      return;
    }
    if (ev.object.metadata?.resourceVersion) this.rv = ev.object.metadata.resourceVersion;
    if (ev.type !== 'BOOKMARK') this.onEvent(ev);
  }

  private note(msg: string): void {
    this.problems++;
    this.lastProblem = msg;
  }

  private reopen(): void {
    if (this.closed) return;
    const again = this.rv === '' ? this.start() : this.open();
    again.catch((err: Error) => {
      this.note(err.message);
      if (!this.closed) setTimeout(() => this.reopen(), 500);
    });
  }

  close(): void {
    this.closed = true;
    this.req?.destroy();
  }
}

export async function benchChurn(ctx: BenchContext, target: ChurnTarget, sizes: ChurnBenchSizes, dir: string): Promise<void> {
  const auth: Record<string, string> = target.token ? { authorization: `Bearer ${target.token}` } : {};
  const api = new HTTPSClient(target.url, target.caCert, sizes.creators + sizes.readyConcurrency + 4);
  const watchAgent = new Agent({ keepAlive: true, maxSockets: 4, ca: target.caCert });
  const kubeconfig = join(dir, 'controller-manager.kubeconfig');
  // Without --token-auth-file the apiserver does not authenticate and ignores the token.
  writeFileSync(kubeconfig, kubeconfigYAML(target.url, target.caCert, target.token ?? 'unused'), { mode: 0o600 });
  const logFile = join(dir, 'controller-manager.log');
  let cm: ControllerManagerProcess | undefined;
  const watches: ResumingWatch<KubeObject>[] = [];
  const expect = async (status: number[], method: string, path: string, body?: string) => {
    const res = await api.send(method, path, body, auth);
    if (!status.includes(res.status)) throw new Error(`${method} ${path}: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    return res;
  };
  try {
    await ensureNamespaceWithAuth(api, auth);
    cm = await startControllerManagerProcess({
      kubeconfig,
      logFile,
      controllers: ['deployment', 'replicaset'],
      concurrentSyncs: 5,
      readyLine: 'starting replicaset controller',
    });
    ctx.progress(`controller-manager pid ${cm.pid} (log ${logFile}); churn: ${sizes.deployments} deployments x ${sizes.replicas} replicas`);

    // The simulated kubelets: every pod that is not Ready yet gets a Ready status, a bounded number at a time.
    const total = sizes.deployments * sizes.replicas;
    const podsSeen = new Set<string>();
    const handled = new Set<string>();
    const queue: Pod[] = [];
    let inFlight = 0;
    let marked = 0;
    let statusConflicts = 0;
    let statusErrors = 0;
    let firstStatusError = '';
    let nextIP = 0;
    const markReady = async (pod: Pod): Promise<void> => {
      const path = `/api/v1/namespaces/${NS}/pods/${pod.metadata.name}/status`;
      const ip = `10.244.${(nextIP >> 8) & 255}.${nextIP & 255}`;
      nextIP++;
      let cur = pod;
      for (let attempt = 0; attempt < 5; attempt++) {
        const res = await api.send('PUT', path, JSON.stringify(readyStatus(cur, ip, new Date().toISOString())), auth);
        if (res.status === 200) {
          marked++;
          return;
        }
        if (res.status === 404) return; // deleted meanwhile (scaled down)
        if (res.status !== 409) {
          statusErrors++;
          firstStatusError ||= `PUT ${path}: HTTP ${res.status}: ${res.body.slice(0, 300)}`;
          return;
        }
        statusConflicts++;
        const got = await api.send('GET', `/api/v1/namespaces/${NS}/pods/${pod.metadata.name}`, undefined, auth);
        if (got.status !== 200) return;
        cur = JSON.parse(got.body) as Pod;
        if (isPodReady(cur)) return;
      }
      statusErrors++;
      firstStatusError ||= `PUT ${path}: still conflicting after 5 attempts`;
    };
    const pump = () => {
      while (inFlight < sizes.readyConcurrency && queue.length) {
        const pod = queue.shift() as Pod;
        inFlight++;
        markReady(pod)
          .catch((err: Error) => {
            statusErrors++;
            firstStatusError ||= err.message;
          })
          .finally(() => {
            inFlight--;
            pump();
          });
      }
    };
    const podWatch = new ResumingWatch<Pod>(api, watchAgent, `/api/v1/namespaces/${NS}/pods`, auth, (ev) => {
      const pod = ev.object;
      const uid = pod.metadata.uid ?? pod.metadata.name ?? '';
      if (ev.type === 'ADDED') podsSeen.add(uid);
      if (ev.type === 'DELETED' || pod.metadata.deletionTimestamp || handled.has(uid) || isPodReady(pod)) return;
      handled.add(uid);
      queue.push(pod);
      pump();
    });
    watches.push(podWatch as ResumingWatch<KubeObject>);

    // Completion: every Deployment with all replicas updated and available.
    const done = new Set<string>();
    const last = new Map<string, Deployment['status']>();
    let allDone: () => void = () => undefined;
    const finished = new Promise<void>((r) => (allDone = r));
    const deployWatch = new ResumingWatch<Deployment>(api, watchAgent, `/apis/apps/v1/namespaces/${NS}/deployments`, auth, (ev) => {
      const d = ev.object;
      const name = d.metadata.name ?? '';
      last.set(name, d.status);
      const complete = ev.type !== 'DELETED' && d.status?.availableReplicas === sizes.replicas && d.status?.updatedReplicas === sizes.replicas;
      if (complete) done.add(name);
      else done.delete(name);
      if (done.size === sizes.deployments) allDone();
    });
    watches.push(deployWatch as ResumingWatch<KubeObject>);
    await podWatch.start();
    await deployWatch.start();

    const meter = ctx.meter();
    const cmMeter = new CPUMeter({ controller_manager: cm.pid });
    const rssMax = { apiserver: 0, controller_manager: 0 };
    const sampleRSS = () => {
      rssMax.apiserver = Math.max(rssMax.apiserver, rssBytes(target.pid) || 0);
      rssMax.controller_manager = Math.max(rssMax.controller_manager, rssBytes(cm?.pid ?? 0) || 0);
    };
    const t0 = performance.now();
    let next = 0;
    const creator = async () => {
      for (let i = next++; i < sizes.deployments; i = next++) {
        await expect([201], 'POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deploymentBody(`churn-${String(i).padStart(4, '0')}`, sizes.replicas));
      }
    };
    const created = Promise.all(Array.from({ length: sizes.creators }, creator)).then(() =>
      ctx.progress(`created ${sizes.deployments} deployments in ${round((performance.now() - t0) / 1000, 2)}s`),
    );

    // Progress, and a stall detector so a broken controller fails in a minute, not at the timeout.
    let lastProgress = performance.now();
    let lastKey = '';
    const status = () =>
      `deployments complete ${done.size}/${sizes.deployments}; pods seen ${podsSeen.size}/${total}, marked ready ${marked}, queued ${queue.length}, in flight ${inFlight}; status conflicts ${statusConflicts}, errors ${statusErrors}`;
    let tick: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      let n = 0;
      tick = setInterval(() => {
        sampleRSS();
        const key = `${done.size}/${podsSeen.size}/${marked}`;
        if (key !== lastKey) {
          lastKey = key;
          lastProgress = performance.now();
        }
        if (++n % 5 === 0) ctx.progress(status());
        const elapsed = (performance.now() - t0) / 1000;
        const gone = cm?.exitStatus();
        if (gone) reject(new Error(`churn did not complete: the controller-manager exited (${gone}); ${status()}`));
        else if ((performance.now() - lastProgress) / 1000 > sizes.stallSeconds || elapsed > sizes.timeoutSeconds) {
          reject(
            new Error(
              `churn did not complete: ${elapsed > sizes.timeoutSeconds ? `timeout after ${sizes.timeoutSeconds}s` : `no progress for ${sizes.stallSeconds}s`}; ${status()}`,
            ),
          );
        }
      }, 1000);
    });
    try {
      await Promise.race([Promise.all([created, finished]), stalled]);
    } catch (err) {
      const incomplete = [...last.entries()].filter(([name]) => !done.has(name)).slice(0, 5);
      ctx.progress(
        `incomplete deployments (first 5): ${incomplete.map(([n, s]) => `${n} replicas=${s?.replicas ?? 0} updated=${s?.updatedReplicas ?? 0} ready=${s?.readyReplicas ?? 0} available=${s?.availableReplicas ?? 0}`).join('; ') || 'none seen'}`,
      );
      if (firstStatusError) ctx.progress(`first pod status error: ${firstStatusError}`);
      for (const w of watches) if (w.problems) ctx.progress(`watch problems: ${w.problems}, last: ${w.lastProblem}`);
      throw err;
    } finally {
      clearInterval(tick);
    }
    const seconds = (performance.now() - t0) / 1000;
    sampleRSS();
    const cpu = meter.read();
    const cmCpu = cmMeter.read();
    ctx.emit({
      bench: 'controller_churn',
      deployments: sizes.deployments,
      replicas: sizes.replicas,
      pods: total,
      seconds: round(seconds, 2),
      pods_per_sec: round(total / seconds, 1),
      controller_manager_cpu_pct: cmCpu.controller_manager_cpu_pct,
      controller_manager_rss_mb: round(rssMax.controller_manager / 1024 / 1024, 1),
      apiserver_cpu_pct: cpu.apiserver_cpu_pct,
      apiserver_rss_mb: round(rssMax.apiserver / 1024 / 1024, 1),
      ...(cpu.etcd_cpu_pct !== undefined ? { etcd_cpu_pct: cpu.etcd_cpu_pct } : {}),
      bench_cpu_pct: cpu.bench_cpu_pct,
      pod_status_conflicts: statusConflicts,
    });

    // Tidy up; nothing collects the ReplicaSets and pods (no garbage collector here), which is fine.
    for (const w of watches) w.close();
    next = 0;
    const deleter = async () => {
      for (let i = next++; i < sizes.deployments; i = next++) {
        const name = `churn-${String(i).padStart(4, '0')}`;
        await expect(
          [200, 202, 404],
          'DELETE',
          `/apis/apps/v1/namespaces/${NS}/deployments/${name}`,
          JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' }),
        );
      }
    };
    await Promise.all(Array.from({ length: sizes.creators }, deleter));
  } catch (err) {
    if (cm) ctx.progress(`controller-manager log tail (${logFile}):\n${cm.logTail(40)}`);
    throw err;
  } finally {
    for (const w of watches) w.close();
    await cm?.stop();
    api.close();
    watchAgent.destroy();
  }
}

async function ensureNamespaceWithAuth(api: HTTPSClient, auth: Record<string, string>): Promise<void> {
  if (!auth.authorization) return ensureNamespace(api, NS);
  const res = await api.send('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }), auth);
  if (res.status !== 201 && res.status !== 409) throw new Error(`creating namespace ${NS}: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
}
