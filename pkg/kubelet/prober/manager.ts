// ProbeManager: one worker per container and probe kind (prober_manager.go,
// worker.go). A worker probes every periodSeconds once the container has run for
// initialDelaySeconds, and changes its result only after successThreshold
// successes or failureThreshold failures in a row. Readiness starts as failure,
// liveness as success and startup as unknown; until the startup probe succeeds
// the other two wait. A liveness or startup failure puts the worker on hold
// until the container is replaced (a new container ID).
import { getContainerStatus, isPodTerminal } from '../../../api/core/v1/pod.js';
import type { Container, ContainerStatus, Pod, PodStatus, Probe } from '../../../api/core/v1/types.js';
import { runProbe } from './prober.js';
import type { ExecSync, ProbeKind, ProbeOutcome, ProbeResult } from './types.js';

/** Prober errors are retried this many times before the run is thrown away. */
const MAX_PROBE_RETRIES = 3;

export interface ProbeManagerOptions {
  /** CRI ExecSync in a container; containerID is the CRI ID (without the "containerd://" prefix). */
  execSync: (containerID: string, cmd: string[], timeoutSeconds: number) => ReturnType<ExecSync>;
  /**
   * Called when a worker's result CHANGES, including the initial value when a new
   * container appears. Act on a liveness/startup 'failure' only if containerID is
   * still the running container.
   */
  onResult: (podUID: string, containerName: string, kind: ProbeKind, result: ProbeResult, containerID: string) => void;
  /** Unhealthy / ProbeWarning events, in upstream's words ("Liveness probe failed: ..."). */
  recordEvent?: (pod: Pod, containerName: string, type: 'Normal' | 'Warning', reason: string, message: string) => void;
  /** Milliseconds per probe second (tests shorten it). Default 1000. */
  secondMs?: number;
  /** Every probe run's result (prober_probe_total): success, failure, or an error of the prober (unknown). */
  observeProbe?: (pod: Pod, containerName: string, kind: ProbeKind, result: 'successful' | 'failed' | 'unknown') => void;
}

/** The pod status fields the workers read. */
export type ProbePodStatus = Pick<PodStatus, 'phase' | 'podIP' | 'containerStatuses' | 'initContainerStatuses'>;

interface PodEntry {
  pod: Pod;
  status: ProbePodStatus;
  workers: Map<string, Worker>; // `${kind}/${container}`
}

const KIND_TITLE: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

/** The CRI ID inside "containerd://<id>". */
function criID(containerID: string): string {
  const i = containerID.indexOf('://');
  return i < 0 ? containerID : containerID.slice(i + 3);
}

/** Probe fields with the apiserver's defaults filled in. */
function withDefaults(p: Probe): Required<Pick<Probe, 'initialDelaySeconds' | 'periodSeconds' | 'timeoutSeconds' | 'successThreshold' | 'failureThreshold'>> {
  return {
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
    periodSeconds: p.periodSeconds && p.periodSeconds > 0 ? p.periodSeconds : 10,
    timeoutSeconds: p.timeoutSeconds && p.timeoutSeconds > 0 ? p.timeoutSeconds : 1,
    successThreshold: p.successThreshold && p.successThreshold > 0 ? p.successThreshold : 1,
    failureThreshold: p.failureThreshold && p.failureThreshold > 0 ? p.failureThreshold : 3,
  };
}

function containerStatusOf(status: ProbePodStatus, name: string): ContainerStatus | undefined {
  return getContainerStatus(status.containerStatuses, name) ?? getContainerStatus(status.initContainerStatuses, name);
}

class Worker {
  /** The container the current result belongs to ('' before one is seen). */
  containerID = '';
  /** The result as the kubelet sees it (results manager), for containerID. */
  result: ProbeResult | undefined;
  private lastRun: ProbeResult | undefined;
  private resultRun = 0;
  private onHold = false;
  private stopped = false;
  private running = false;
  private triggered = false;
  /** Past the start-up spread: new containers are probed at once from then on. */
  private begun = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly spec: ReturnType<typeof withDefaults>;
  private readonly initial: ProbeResult;

  constructor(
    private readonly mgr: ProbeManager,
    private readonly entry: PodEntry,
    readonly kind: ProbeKind,
    readonly container: Container,
    private readonly probe: Probe,
  ) {
    this.spec = withDefaults(probe);
    this.initial = kind === 'readiness' ? 'failure' : kind === 'liveness' ? 'success' : 'unknown';
  }

  /** Whether the current container has had a probe verdict yet. */
  get hasRun(): boolean {
    return this.lastRun !== undefined;
  }

  private get periodMs(): number {
    return this.spec.periodSeconds * this.mgr.secondMs;
  }

  start(): void {
    // A restarted kubelet would probe everything at once: spread the first runs over one period.
    const delay = Date.now() - this.mgr.startedAt < this.periodMs ? Math.random() * this.periodMs : 0;
    this.schedule(delay);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Probe now (a new container, or readiness wanted right away), unless a run is in flight. */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.triggered = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = true;
    this.begun = true;
    let keepGoing = true;
    try {
      keepGoing = await this.doProbe();
    } catch {
      // A worker never dies of an unexpected error; the next tick tries again.
    } finally {
      this.running = false;
    }
    if (!keepGoing) {
      this.stopped = true;
      return;
    }
    if (this.triggered) {
      this.triggered = false;
      this.schedule(0);
    } else {
      this.schedule(this.periodMs);
    }
  }

  private set(result: ProbeResult): void {
    if (this.result === result) return;
    this.result = result;
    this.mgr.opts.onResult(this.entry.pod.metadata.uid ?? '', this.container.name, this.kind, result, this.containerID);
  }

  /** Sees the container's current status: a new container ID resets the result to its initial value. */
  observe(status: ContainerStatus | undefined): void {
    const id = status?.containerID ?? '';
    if (id === '') {
      this.containerID = '';
      return;
    }
    if (id !== this.containerID) {
      this.containerID = id;
      this.result = undefined;
      this.lastRun = undefined;
      this.resultRun = 0;
      this.onHold = false;
      this.set(this.initial);
      // Probe the new container now rather than a period later (not during a restart's spread).
      if (this.begun) this.trigger();
    }
  }

  /** worker.doProbe: false stops the worker. */
  private async doProbe(): Promise<boolean> {
    const { pod, status } = this.entry;
    if (isPodTerminal({ status })) return false;
    const c = containerStatusOf(status, this.container.name);
    this.observe(c);
    if (!c || this.containerID === '') return true; // not created yet, or gone
    if (this.onHold) return true;
    if (!c.state?.running) {
      this.set('failure');
      // Abort if the container will not be restarted.
      return !c.state?.terminated || pod.spec.restartPolicy !== 'Never';
    }
    // Graceful shutdown: liveness and startup go quiet.
    if (pod.metadata.deletionTimestamp && (this.kind === 'liveness' || this.kind === 'startup')) {
      this.set('success');
      return false;
    }
    const startedAt = c.state.running.startedAt ? Date.parse(c.state.running.startedAt) : NaN;
    if (Number.isFinite(startedAt) && Math.trunc((Date.now() - startedAt) / this.mgr.secondMs) < this.spec.initialDelaySeconds) return true;
    const started = this.mgr.started(pod.metadata.uid ?? '', this.container.name);
    if (started) {
      // The startup probe is done once the container started; it stays for the next container.
      if (this.kind === 'startup') return true;
    } else if (this.kind !== 'startup') {
      return true;
    }

    const outcome = await this.runWithRetries(status.podIP ?? pod.status?.podIP ?? '');
    if (this.stopped || this.containerID !== c.containerID) return !this.stopped;
    this.mgr.opts.observeProbe?.(
      pod,
      this.container.name,
      this.kind,
      outcome.error !== undefined ? 'unknown' : outcome.result === 'success' ? 'successful' : 'failed',
    );
    if (outcome.error !== undefined) {
      this.mgr.opts.recordEvent?.(pod, this.container.name, 'Warning', 'Unhealthy', `${KIND_TITLE[this.kind]} probe errored: ${outcome.error}`);
      return true; // prober error: throw the result away
    }
    if (outcome.result === 'failure') {
      this.mgr.opts.recordEvent?.(pod, this.container.name, 'Warning', 'Unhealthy', `${KIND_TITLE[this.kind]} probe failed: ${outcome.output}`);
    } else if (outcome.warning) {
      this.mgr.opts.recordEvent?.(pod, this.container.name, 'Warning', 'ProbeWarning', `${KIND_TITLE[this.kind]} probe warning: ${outcome.output}`);
    }
    const result: ProbeResult = outcome.result;
    if (this.lastRun === result) this.resultRun++;
    else {
      this.lastRun = result;
      this.resultRun = 1;
    }
    if ((result === 'failure' && this.resultRun < this.spec.failureThreshold) || (result === 'success' && this.resultRun < this.spec.successThreshold)) {
      return true; // below the threshold: the result stays
    }
    this.set(result);
    if ((this.kind === 'liveness' || this.kind === 'startup') && result === 'failure') {
      // The container will be restarted; wait for the new one.
      this.onHold = true;
      this.resultRun = 0;
    }
    return true;
  }

  private async runWithRetries(podIP: string): Promise<ProbeOutcome> {
    const id = criID(this.containerID);
    let outcome: ProbeOutcome = { result: 'failure', output: '' };
    for (let i = 0; i < MAX_PROBE_RETRIES; i++) {
      outcome = await runProbe(this.probe, {
        podIP,
        container: this.container,
        execSync: (cmd, timeoutS) => this.mgr.opts.execSync(id, cmd, timeoutS),
      });
      if (outcome.error === undefined) break;
    }
    return outcome;
  }
}

export class ProbeManager {
  readonly secondMs: number;
  readonly startedAt = Date.now();
  private readonly pods = new Map<string, PodEntry>();

  constructor(readonly opts: ProbeManagerOptions) {
    this.secondMs = opts.secondMs ?? 1000;
  }

  /**
   * AddPod: starts the workers of the pod's containers (and sidecar init
   * containers) that have probes. Calling it again for a known pod only updates
   * the pod (e.g. its deletionTimestamp) and, when given, the container statuses.
   */
  add(pod: Pod, containerStatuses?: ContainerStatus[]): void {
    const uid = pod.metadata.uid ?? '';
    let entry = this.pods.get(uid);
    if (entry) {
      entry.pod = pod;
    } else {
      entry = {
        pod,
        status: {
          phase: pod.status?.phase,
          podIP: pod.status?.podIP,
          containerStatuses: pod.status?.containerStatuses,
          initContainerStatuses: pod.status?.initContainerStatuses,
        },
        workers: new Map(),
      };
      this.pods.set(uid, entry);
      const containers = [...(pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...(pod.spec.containers ?? [])];
      for (const c of containers) {
        for (const [kind, probe] of [
          ['startup', c.startupProbe],
          ['readiness', c.readinessProbe],
          ['liveness', c.livenessProbe],
        ] as const) {
          if (!probe) continue;
          entry.workers.set(`${kind}/${c.name}`, new Worker(this, entry, kind, c, probe));
        }
      }
      for (const w of entry.workers.values()) w.start();
    }
    if (containerStatuses) this.updateStatus(uid, { containerStatuses });
  }

  /** The kubelet's latest view of the pod: container IDs, states, pod IP, phase. */
  updateStatus(podUID: string, status: ProbePodStatus): void {
    const entry = this.pods.get(podUID);
    if (!entry) return;
    for (const k of ['phase', 'podIP', 'containerStatuses', 'initContainerStatuses'] as const) {
      if (status[k] !== undefined) (entry.status as Record<string, unknown>)[k] = status[k];
    }
    for (const w of entry.workers.values()) w.observe(containerStatusOf(entry.status, w.container.name));
  }

  /** RemovePod: stops the pod's workers. */
  remove(podUID: string): void {
    const entry = this.pods.get(podUID);
    if (!entry) return;
    for (const w of entry.workers.values()) w.stop();
    this.pods.delete(podUID);
  }

  /** Stops every worker (kubelet shutdown). */
  stop(): void {
    for (const uid of [...this.pods.keys()]) this.remove(uid);
  }

  private worker(podUID: string, name: string, kind: ProbeKind): Worker | undefined {
    return this.pods.get(podUID)?.workers.get(`${kind}/${name}`);
  }

  private running(podUID: string, name: string): ContainerStatus | undefined {
    const entry = this.pods.get(podUID);
    const c = entry && containerStatusOf(entry.status, name);
    return c?.state?.running && c.containerID ? c : undefined;
  }

  /** The current result of one probe of a container, if that probe exists. */
  result(podUID: string, name: string, kind: ProbeKind): ProbeResult | undefined {
    const w = this.worker(podUID, name, kind);
    const c = this.running(podUID, name);
    return w && c && w.containerID === c.containerID ? w.result : undefined;
  }

  /** containerStatus.started: running, and its startup probe (if any) has succeeded. */
  started(podUID: string, name: string): boolean {
    if (!this.running(podUID, name)) return false;
    if (!this.worker(podUID, name, 'startup')) return true;
    return this.result(podUID, name, 'startup') === 'success';
  }

  /** containerStatus.ready: started, and its readiness probe (if any) has succeeded. */
  readiness(podUID: string, name: string): boolean {
    if (!this.started(podUID, name)) return false;
    const w = this.worker(podUID, name, 'readiness');
    if (!w) return true; // no readiness probe: ready once started
    if (this.result(podUID, name, 'readiness') === 'success') return true;
    // Not probed yet since the container started: probe now rather than a period later.
    if (!w.hasRun) w.trigger();
    return false;
  }
}
