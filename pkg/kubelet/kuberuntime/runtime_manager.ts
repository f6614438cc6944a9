// kubeGenericRuntimeManager (upstream kuberuntime_manager.go, _container.go,
// _sandbox.go): reads a pod's runtime state from CRI and carries out SyncPod — the
// actions computePodActions decided — plus killing pods and containers (preStop,
// grace periods) and removing what is left of them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { getPodQOS } from '../../../api/core/v1/pod.js';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  isNotFound,
  type CRIClient,
  type ContainerStatus as CRIContainerStatus,
  type DNSConfig__Input,
  type KeyValue,
  type Mount__Input,
  type PodSandboxConfig__Input,
} from '../../cri/client.js';
import { ConcurrencyLimiter } from '../../util/limiter.js';
import type { Logger } from '../../util/log.js';
import { Backoff } from '../backoff.js';
import { podCgroupParent } from '../cm/pod_cgroups.js';
import { formatPod, goDuration } from '../format.js';
import { HookError, type HandlerRunner } from '../lifecycle/handlers.js';
import { KubeletPaths } from '../paths.js';
import type { StartFailure } from '../status/generate.js';
import { allContainers } from '../../../api/core/v1/pod.js';
import type { Container, LifecycleHandler, Pod } from '../../../api/core/v1/types.js';
import { computePodActions, isRestartableInitContainer, type KillReason, type ProbeResults } from './compute_actions.js';
import { generateContainerConfig } from './container_config.js';
import { hashContainer } from './hash.js';
import type { ImageManager } from './image_manager.js';
import { containerInfoFromAnnotations, containerInfoFromLabels, POD_UID_LABEL } from './labels.js';
import { restartCountFromLogDir, TERMINATION_MESSAGE_BYTES, terminationMessageFromLog } from './logs.js';
import { generatePodSandboxConfig } from './sandbox_config.js';
import {
  sortNewestFirst,
  type PodRuntimeStatus,
  type RuntimeContainerState,
  type RuntimeContainerStatus,
  type RuntimeSandboxStatus,
} from './runtime_status.js';

/** What the kubelet supplies per container (upstream RuntimeHelper.GenerateRunContainerOptions). */
export interface RuntimeHelper {
  /** Env and mounts; throws when a referenced ConfigMap/Secret key is missing (CreateContainerConfigError). */
  runContainerOptions(pod: Pod, container: Container, podIPs: string[]): Promise<{ envs: KeyValue[]; mounts: Mount__Input[] }>;
  dnsConfig(pod: Pod): Promise<DNSConfig__Input | undefined>;
}

/** An Event about the pod, or with container, about that container of it (upstream's container reference). */
export type EventFn = (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, container?: string) => void;

/** Why containers of a pod could not start, by pod UID and container name (upstream ReasonCache). */
export class ReasonCache {
  private readonly m = new Map<string, StartFailure>();
  private key(uid: string, name: string): string {
    return `${uid}/${name}`;
  }
  get(uid: string, name: string): StartFailure | undefined {
    return this.m.get(this.key(uid, name));
  }
  set(uid: string, name: string, f: StartFailure): void {
    this.m.set(this.key(uid, name), f);
  }
  delete(uid: string, name: string): void {
    this.m.delete(this.key(uid, name));
  }
  clearPod(uid: string): void {
    for (const k of this.m.keys()) if (k.startsWith(`${uid}/`)) this.m.delete(k);
  }
}

export interface RuntimeManagerOptions {
  cri: CRIClient;
  paths: KubeletPaths;
  helper: RuntimeHelper;
  images: ImageManager;
  handlers: HandlerRunner;
  event: EventFn;
  probes: ProbeResults;
  reasons: ReasonCache;
  memoryCapacityBytes: number;
  cgroupRoot: string;
  clusterDomain: string;
  /** 'containerd': the scheme of containerIDs in pod status. */
  runtimeName: string;
  log: Logger;
  containerBackoff?: Backoff;
}

export interface SyncResult {
  /** When a back-off that blocked a start ends (ms since epoch): sync again then. */
  retryAt?: number;
  /** The pod's containers changed (something was started or killed). */
  changed: boolean;
}

const MINIMUM_GRACE_PERIOD_S = 2;
/**
 * Sandboxes started at once. Each RunPodSandbox runs the CNI plugins, which take
 * host-local's lock in turn; a burst of 100 at once only queues them inside
 * containerd, where every waiting call also costs CPU.
 */
const SANDBOX_STARTS = new ConcurrencyLimiter(10);
/** kubelet backOffPeriod: how soon a pod whose sync failed is synced again. */
const SYNC_BACKOFF_PERIOD_MS = 10_000;

function crState(s: string): RuntimeContainerState {
  switch (s) {
    case 'CONTAINER_CREATED':
      return 'created';
    case 'CONTAINER_RUNNING':
      return 'running';
    case 'CONTAINER_EXITED':
      return 'exited';
    default:
      return 'unknown';
  }
}

const ns2ms = (ns: number): number => (ns > 0 ? Math.floor(ns / 1e6) : 0);

/** backOff key of a container: a new spec (hash) starts a fresh back-off (upstream getStableKey). */
function stableKey(pod: Pod, container: Container): string {
  return `${pod.metadata.name}_${pod.metadata.namespace}_${pod.metadata.uid}_${container.name}_${hashContainer(container)}`;
}

export class KubeGenericRuntimeManager {
  readonly containerBackoff: Backoff;

  constructor(private readonly o: RuntimeManagerOptions) {
    this.containerBackoff = o.containerBackoff ?? new Backoff(10_000, 300_000);
  }

  // ---- reading state ----

  async getPodStatus(uid: string, name: string, namespace: string): Promise<PodRuntimeStatus> {
    const { cri } = this.o;
    const timestamp = Date.now();
    const [sbList, ctrList] = await Promise.all([
      cri.runtime.listPodSandbox({ filter: { labelSelector: { [POD_UID_LABEL]: uid } } }),
      cri.runtime.listContainers({ filter: { labelSelector: { [POD_UID_LABEL]: uid } } }),
    ]);
    const sandboxStatuses: RuntimeSandboxStatus[] = [];
    await Promise.all(
      sbList.items.map(async (sb) => {
        let ip = '';
        let additionalIps: string[] = [];
        let networkMode = 'POD';
        try {
          const st = await cri.runtime.podSandboxStatus({ podSandboxId: sb.id });
          ip = st.status?.network?.ip ?? '';
          additionalIps = (st.status?.network?.additionalIps ?? []).map((x) => x.ip);
          networkMode = st.status?.linux?.namespaces?.options?.network ?? 'POD';
        } catch (err) {
          if (!isNotFound(err)) throw err;
          return;
        }
        sandboxStatuses.push({
          id: sb.id,
          state: sb.state === 'SANDBOX_READY' ? 'ready' : 'notready',
          createdAt: ns2ms(sb.createdAt),
          attempt: sb.metadata?.attempt ?? 0,
          ip,
          additionalIps,
          networkMode,
        });
      }),
    );
    sortNewestFirst(sandboxStatuses);
    const containerStatuses: RuntimeContainerStatus[] = [];
    await Promise.all(
      ctrList.containers.map(async (c) => {
        let st: CRIContainerStatus | null;
        try {
          st = (await cri.runtime.containerStatus({ containerId: c.id })).status;
        } catch (err) {
          if (isNotFound(err)) return; // removed meanwhile
          throw err;
        }
        if (!st) return;
        const a = containerInfoFromAnnotations(c.annotations);
        const l = containerInfoFromLabels(c.labels);
        const state = crState(st.state);
        const s: RuntimeContainerStatus = {
          id: c.id,
          name: l.containerName || st.metadata?.name || '',
          podSandboxId: c.podSandboxId,
          state,
          createdAt: ns2ms(st.createdAt),
          startedAt: ns2ms(st.startedAt),
          finishedAt: state === 'running' ? 0 : ns2ms(st.finishedAt),
          exitCode: state === 'running' ? 0 : st.exitCode,
          reason: state === 'running' ? '' : st.reason,
          message: state === 'running' ? '' : st.message,
          image: st.image?.image ?? '',
          imageRef: st.imageRef,
          hash: a.hash,
          restartCount: a.restartCount,
          logPath: st.logPath,
          containerType: a.containerType,
        };
        if (state === 'exited') {
          const msg = this.terminationMessage(st, a.terminationMessagePath, a.terminationMessagePolicy, s.exitCode);
          if (msg) s.message = msg;
        }
        containerStatuses.push(s);
      }),
    );
    sortNewestFirst(containerStatuses);
    const ready = sandboxStatuses.find((s) => s.state === 'ready');
    const ips = ready?.ip ? [ready.ip, ...ready.additionalIps] : [];
    return { uid, name, namespace, ips, sandboxStatuses, containerStatuses, timestamp };
  }

  /** The message a terminated container leaves: its termination-log file, or its log's tail with FallbackToLogsOnError. */
  private terminationMessage(st: CRIContainerStatus, path: string, policy: string, exitCode: number): string {
    let msg = '';
    if (path) {
      const m = st.mounts.find((x) => x.containerPath === path);
      if (m) {
        try {
          msg = readFileSync(m.hostPath).subarray(0, TERMINATION_MESSAGE_BYTES).toString('utf8');
        } catch (err) {
          msg = `Error on reading termination message from logs: ${(err as Error).message}`;
        }
      }
    }
    if (!msg && policy === 'FallbackToLogsOnError' && exitCode !== 0 && st.logPath) msg = terminationMessageFromLog(st.logPath);
    return msg;
  }

  // ---- SyncPod ----

  async syncPod(pod: Pod, status: PodRuntimeStatus): Promise<SyncResult> {
    const { event, log } = this.o;
    const changes = computePodActions(pod, status, this.o.probes);
    const result: SyncResult = { changed: false };
    log.v(4)('computed pod actions', {
      pod: `${pod.metadata.namespace}/${pod.metadata.name}`,
      killPod: changes.killPod,
      createSandbox: changes.createSandbox,
      init: changes.initContainersToStart,
      start: changes.containersToStart,
      kill: [...changes.containersToKill.values()].map((k) => k.name),
    });

    if (changes.createSandbox && changes.sandboxId) event(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');

    if (changes.killPod) {
      if (status.sandboxStatuses.length || status.containerStatuses.some((c) => c.state === 'running' || c.state === 'unknown')) {
        await this.killPod(pod, status);
        result.changed = true;
      }
      // A new sandbox starts initialisation from scratch.
      if (changes.createSandbox) await this.purgeInitContainers(pod, status);
    } else {
      await Promise.all(
        [...changes.containersToKill].map(async ([id, k]) => {
          await this.killContainer(pod, id, k.name, k.container, k.message, k.reason);
          result.changed = true;
        }),
      );
    }
    if (!changes.createSandbox) await this.pruneInitContainersBeforeStart(pod, status);

    let sandboxId = changes.sandboxId;
    let podIPs = status.ips;
    let cfg: PodSandboxConfig__Input | undefined;
    if (changes.createSandbox) {
      // Nothing will run: the pod is finished (killPod above stopped what was left).
      if (changes.initContainersToStart.length === 0 && changes.containersToStart.length === 0) return result;
      cfg = await this.sandboxConfig(pod, changes.attempt);
      mkdirSync(cfg.logDirectory as string, { recursive: true, mode: 0o755 });
      try {
        const config = cfg;
        sandboxId = (await SANDBOX_STARTS.run(() => this.o.cri.runtime.runPodSandbox({ config, runtimeHandler: '' }))).podSandboxId;
      } catch (err) {
        event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(err as Error).message}`);
        throw err;
      }
      result.changed = true;
      const st = await this.o.cri.runtime.podSandboxStatus({ podSandboxId: sandboxId });
      const ip = st.status?.network?.ip ?? '';
      podIPs = ip ? [ip, ...(st.status?.network?.additionalIps ?? []).map((x) => x.ip)] : [];
      log.v(2)('created pod sandbox', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, sandbox: sandboxId, ip });
    }
    if (!sandboxId) return result;
    const sandboxConfig = cfg ?? (await this.sandboxConfig(pod, changes.attempt));

    const inits = pod.spec.initContainers ?? [];
    for (const idx of changes.initContainersToStart) {
      const c = inits[idx];
      const r = await this.startContainer(pod, c, sandboxId, sandboxConfig, status, podIPs);
      result.changed ||= r.started;
      if (r.retryAt) result.retryAt = Math.min(result.retryAt ?? Infinity, r.retryAt);
      // A regular init container must finish before anything else starts.
      if (!isRestartableInitContainer(c) || !r.started) return result;
    }
    for (const idx of changes.containersToStart) {
      const r = await this.startContainer(pod, pod.spec.containers[idx], sandboxId, sandboxConfig, status, podIPs);
      result.changed ||= r.started;
      if (r.retryAt) result.retryAt = Math.min(result.retryAt ?? Infinity, r.retryAt);
    }
    return result;
  }

  async sandboxConfig(pod: Pod, attempt: number): Promise<PodSandboxConfig__Input> {
    const uid = pod.metadata.uid ?? '';
    return generatePodSandboxConfig({
      pod,
      attempt,
      logDirectory: this.o.paths.podLogsDir(pod.metadata.namespace ?? '', pod.metadata.name ?? '', uid),
      cgroupParent: podCgroupParent(this.o.cgroupRoot, getPodQOS(pod), uid),
      clusterDomain: this.o.clusterDomain,
      dnsConfig: await this.o.helper.dnsConfig(pod),
    });
  }

  /** Back-off check for a container that exited before (upstream doBackOff). */
  private doBackOff(pod: Pod, container: Container, status: PodRuntimeStatus): { inBackOff: false } | { inBackOff: true; message: string; until: number } {
    const exited = status.containerStatuses.find((c) => c.name === container.name && c.state === 'exited');
    if (!exited) return { inBackOff: false };
    const key = stableKey(pod, container);
    const ts = exited.finishedAt;
    if (this.containerBackoff.isInBackOffSince(key, ts)) {
      this.o.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${container.name} in pod ${formatPod(pod)}`, container.name);
      const message = `back-off ${goDuration(this.containerBackoff.get(key))} restarting failed container=${container.name} pod=${formatPod(pod)}`;
      return { inBackOff: true, message, until: this.containerBackoff.backOffUntil(key, ts) };
    }
    this.containerBackoff.next(key, ts);
    return { inBackOff: false };
  }

  private fail(pod: Pod, container: Container, reason: string, message: string): void {
    this.o.reasons.set(pod.metadata.uid ?? '', container.name, { reason, message });
  }

  /** startContainer: back-off, image, config, create, start, postStart. */
  private async startContainer(
    pod: Pod,
    container: Container,
    sandboxId: string,
    sandboxConfig: PodSandboxConfig__Input,
    status: PodRuntimeStatus,
    podIPs: string[],
  ): Promise<{ started: boolean; retryAt?: number }> {
    const { event, cri, paths } = this.o;
    const uid = pod.metadata.uid ?? '';
    const bo = this.doBackOff(pod, container, status);
    if (bo.inBackOff) {
      this.fail(pod, container, 'CrashLoopBackOff', bo.message);
      return { started: false, retryAt: bo.until };
    }
    const img = await this.o.images.ensureImageExists(pod, container, sandboxConfig);
    if (!img.ok) {
      this.fail(pod, container, img.reason, img.message);
      // Upstream requeues a failed sync after its backOffPeriod (10 s), not when the pull back-off ends:
      // so the pod shows ImagePullBackOff between attempts, then tries again once the back-off is over.
      const until = this.o.images.backoff.backOffUntilSinceUpdate(`${uid}_${container.image ?? ''}`);
      return { started: false, retryAt: Math.min(until || Infinity, Date.now() + SYNC_BACKOFF_PERIOD_MS) };
    }

    const previous = status.containerStatuses.find((c) => c.name === container.name);
    const logDir = join(paths.podLogsDir(pod.metadata.namespace ?? '', pod.metadata.name ?? '', uid), container.name);
    const restartCount = previous ? previous.restartCount + 1 : restartCountFromLogDir(logDir);
    mkdirSync(logDir, { recursive: true, mode: 0o755 });

    let config;
    try {
      const opts = await this.o.helper.runContainerOptions(pod, container, podIPs);
      const mounts = [...opts.mounts];
      const tm = this.terminationLogMount(pod, container);
      if (tm) mounts.push(tm);
      config = generateContainerConfig({
        pod,
        container,
        restartCount,
        imageRef: img.imageRef,
        hash: hashContainer(container),
        envs: opts.envs,
        mounts,
        memoryCapacityBytes: this.o.memoryCapacityBytes,
      });
    } catch (err) {
      const msg = (err as Error).message;
      event(pod, 'Warning', 'Failed', `Error: ${msg}`, container.name);
      this.fail(pod, container, 'CreateContainerConfigError', msg);
      return { started: false, retryAt: Date.now() + SYNC_BACKOFF_PERIOD_MS };
    }
    let containerId: string;
    try {
      containerId = (await cri.runtime.createContainer({ podSandboxId: sandboxId, config, sandboxConfig })).containerId;
    } catch (err) {
      const msg = (err as Error).message;
      event(pod, 'Warning', 'Failed', `Error: ${msg}`, container.name);
      this.fail(pod, container, 'CreateContainerError', msg);
      return { started: false, retryAt: Date.now() + SYNC_BACKOFF_PERIOD_MS };
    }
    event(pod, 'Normal', 'Created', `Created container ${container.name}`, container.name);
    try {
      await cri.runtime.startContainer({ containerId });
    } catch (err) {
      const msg = (err as Error).message;
      event(pod, 'Warning', 'Failed', `Error: ${msg}`, container.name);
      this.fail(pod, container, 'RunContainerError', msg);
      return { started: true, retryAt: Date.now() + SYNC_BACKOFF_PERIOD_MS };
    }
    event(pod, 'Normal', 'Started', `Started container ${container.name}`, container.name);
    this.o.reasons.delete(uid, container.name);

    if (container.lifecycle?.postStart) {
      try {
        await this.o.handlers.run(containerId, pod, container, container.lifecycle.postStart, podIPs[0] ?? '', 0);
      } catch (err) {
        const eventMsg = err instanceof HookError ? err.eventMessage : (err as Error).message;
        event(pod, 'Warning', 'FailedPostStartHook', eventMsg, container.name);
        await this.killContainer(pod, containerId, container.name, container, 'FailedPostStartHook', '');
        this.fail(pod, container, 'PostStartHookError', (err as Error).message);
      }
    }
    return { started: true };
  }

  /** A fresh empty file mounted at terminationMessagePath, one per container instance. */
  private terminationLogMount(pod: Pod, container: Container): Mount__Input | undefined {
    const path = container.terminationMessagePath ?? '/dev/termination-log';
    if (!path) return undefined;
    const dir = this.o.paths.podContainerDir(pod.metadata.uid ?? '', container.name);
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    const file = join(dir, randomBytes(4).toString('hex'));
    writeFileSync(file, '', { mode: 0o666 });
    return { hostPath: file, containerPath: path };
  }

  // ---- killing ----

  /** Grace period for stopping a container (upstream setTerminationGracePeriod). */
  private gracePeriod(
    pod: Pod | undefined,
    container: Container | undefined,
    reason: KillReason,
    annotated?: { deletion?: number; termination?: number },
  ): number {
    if (pod?.metadata.deletionGracePeriodSeconds !== undefined) return pod.metadata.deletionGracePeriodSeconds;
    const probe = reason === 'LivenessProbe' ? container?.livenessProbe : reason === 'StartupProbe' ? container?.startupProbe : undefined;
    if (probe?.terminationGracePeriodSeconds !== undefined) return probe.terminationGracePeriodSeconds;
    if (pod?.spec?.terminationGracePeriodSeconds !== undefined) return pod.spec.terminationGracePeriodSeconds;
    if (annotated?.deletion !== undefined) return annotated.deletion;
    if (annotated?.termination !== undefined) return annotated.termination;
    return MINIMUM_GRACE_PERIOD_S;
  }

  /**
   * Stops one container: event, preStop hook (within the grace period), then
   * StopContainer with what is left of it (at least 2 s). Without the pod's spec
   * (deleted while the kubelet was down) the hook and grace come from annotations.
   */
  async killContainer(
    pod: Pod | undefined,
    containerId: string,
    name: string,
    container: Container | undefined,
    message: string,
    reason: KillReason,
    gracePeriodOverride?: number,
  ): Promise<void> {
    const { cri, event, log } = this.o;
    let preStop: LifecycleHandler | undefined = container?.lifecycle?.preStop;
    let annotated: { deletion?: number; termination?: number } | undefined;
    if (!container || !pod) {
      try {
        const st = (await cri.runtime.containerStatus({ containerId })).status;
        const a = containerInfoFromAnnotations(st?.annotations);
        preStop ??= a.preStopHandler;
        annotated = { deletion: a.podDeletionGracePeriod, termination: a.podTerminationGracePeriod };
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    }
    let grace = gracePeriodOverride ?? this.gracePeriod(pod, container, reason, annotated);
    if (pod) event(pod, 'Normal', 'Killing', message || `Stopping container ${name}`, name);
    if (preStop && grace > 0 && pod) {
      const started = Date.now();
      const spec: Container = container ?? { name };
      await Promise.race([
        this.o.handlers.run(containerId, pod, spec, preStop, pod.status?.podIP ?? '', grace).catch((err: unknown) => {
          event(pod, 'Warning', 'FailedPreStopHook', err instanceof HookError ? err.eventMessage : (err as Error).message, name);
        }),
        new Promise((r) => setTimeout(r, grace * 1000)),
      ]);
      grace -= Math.floor((Date.now() - started) / 1000);
    }
    if (grace < MINIMUM_GRACE_PERIOD_S) grace = MINIMUM_GRACE_PERIOD_S;
    try {
      await cri.runtime.stopContainer({ containerId, timeout: grace }, { timeoutMs: (grace + 120) * 1000 });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    log.v(3)('container stopped', { container: name, id: containerId, grace });
  }

  /** Stops every running container (in parallel), then every sandbox of the pod. */
  async killPod(pod: Pod | undefined, status: PodRuntimeStatus, gracePeriodOverride?: number): Promise<void> {
    const running = status.containerStatuses.filter((c) => c.state === 'running' || c.state === 'unknown' || c.state === 'created');
    const specs = new Map<string, Container>();
    for (const c of allContainers(pod?.spec)) specs.set(c.name, c);
    await Promise.all(running.map((c) => this.killContainer(pod, c.id, c.name, specs.get(c.name), '', '', gracePeriodOverride)));
    for (const sb of status.sandboxStatuses) {
      if (sb.state !== 'ready') continue;
      try {
        await this.o.cri.runtime.stopPodSandbox({ podSandboxId: sb.id });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  /** Removes every container and sandbox of a pod (after it was killed). */
  async removePodResources(status: PodRuntimeStatus): Promise<void> {
    const { cri } = this.o;
    await Promise.all(
      status.containerStatuses.map((c) =>
        cri.runtime.removeContainer({ containerId: c.id }).catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        }),
      ),
    );
    for (const sb of status.sandboxStatuses) {
      await cri.runtime.stopPodSandbox({ podSandboxId: sb.id }).catch(() => undefined);
      await cri.runtime.removePodSandbox({ podSandboxId: sb.id }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
  }

  async removeContainer(id: string): Promise<void> {
    await this.o.cri.runtime.removeContainer({ containerId: id }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }

  /** When a new sandbox is made, every old init container instance goes: initialisation restarts. */
  private async purgeInitContainers(pod: Pod, status: PodRuntimeStatus): Promise<void> {
    const names = new Set((pod.spec.initContainers ?? []).map((c) => c.name));
    for (const c of status.containerStatuses) {
      if (names.has(c.name) && c.state !== 'running') await this.removeContainer(c.id);
    }
  }

  /** Keeps only the newest exited instance of each init container. */
  private async pruneInitContainersBeforeStart(pod: Pod, status: PodRuntimeStatus): Promise<void> {
    for (const ic of pod.spec.initContainers ?? []) {
      let kept = false;
      for (const c of status.containerStatuses) {
        if (c.name !== ic.name || c.state !== 'exited') continue;
        if (!kept) {
          kept = true;
          continue;
        }
        await this.removeContainer(c.id);
      }
    }
  }
}
