// computePodActions (upstream kuberuntime_manager.go): compares a pod's spec with
// what the runtime has for it and decides, without side effects, what SyncPod must
// do: (re)create the sandbox, which init container to run next, which containers
// to start and which to kill. Everything the decision needs is passed in, so it is
// tested without a runtime.
import type { Container, Pod } from '../../../api/core/v1/types.js';
import { hashContainer } from './hash.js';
import { findContainerStatusByName, type PodRuntimeStatus, type RuntimeContainerStatus } from './runtime_status.js';

export type ProbeResult = 'success' | 'failure';

/** The probe results the decision reads (upstream's liveness/startup result managers), by container ID. */
export interface ProbeResults {
  liveness(containerId: string): ProbeResult | undefined;
  startup(containerId: string): ProbeResult | undefined;
}

export const NO_PROBE_RESULTS: ProbeResults = { liveness: () => undefined, startup: () => undefined };

export type KillReason = 'LivenessProbe' | 'StartupProbe' | 'Unknown' | '';

export interface ContainerToKill {
  name: string;
  container?: Container;
  message: string;
  reason: KillReason;
}

export interface PodActions {
  /** Stop every container and sandbox of the pod first. */
  killPod: boolean;
  createSandbox: boolean;
  /** The sandbox to run containers in (when not creating one). */
  sandboxId: string;
  /** The metadata.attempt of the sandbox to create. */
  attempt: number;
  /** Indexes into spec.initContainers to start, in order. */
  initContainersToStart: number[];
  /** Indexes into spec.containers to start. */
  containersToStart: number[];
  /** Keyed by container ID. */
  containersToKill: Map<string, ContainerToKill>;
}

export function isRestartableInitContainer(c: Container): boolean {
  return c.restartPolicy === 'Always';
}

/** Pods with restartPolicy Never never get a second sandbox or a restarted container. */
export function shouldRestartOnFailure(pod: Pod): boolean {
  return (pod.spec.restartPolicy ?? 'Always') !== 'Never';
}

function containerSucceeded(c: Container, status: PodRuntimeStatus): boolean {
  const s = findContainerStatusByName(status, c.name);
  return !!s && s.state === 'exited' && s.exitCode === 0;
}

/** kubecontainer.ShouldContainerBeRestarted: whether a not-running container should run (again). */
export function shouldContainerBeRestarted(container: Container, pod: Pod, status: PodRuntimeStatus): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  const s = findContainerStatusByName(status, container.name);
  if (!s || s.state === 'created') return true;
  if (s.state === 'running') return false;
  if (s.state === 'unknown') return true;
  const policy = pod.spec.restartPolicy ?? 'Always';
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && s.exitCode === 0) return false;
  return true;
}

/**
 * runtimeutil.PodSandboxChanged: a pod needs a new sandbox when it has none, when
 * the newest is not ready (or several are), when hostNetwork changed, or when a
 * pod-network sandbox has no IP.
 */
export function podSandboxChanged(pod: Pod, status: PodRuntimeStatus): { changed: boolean; attempt: number; sandboxId: string } {
  const sandboxes = status.sandboxStatuses;
  if (sandboxes.length === 0) return { changed: true, attempt: 0, sandboxId: '' };
  const latest = sandboxes[0];
  const ready = sandboxes.filter((s) => s.state === 'ready').length;
  const next = latest.attempt + 1;
  if (ready > 1) return { changed: true, attempt: next, sandboxId: latest.id };
  if (latest.state !== 'ready') return { changed: true, attempt: next, sandboxId: latest.id };
  const hostNetwork = !!pod.spec.hostNetwork;
  if ((latest.networkMode === 'NODE') !== hostNetwork) return { changed: true, attempt: next, sandboxId: '' };
  if (!hostNetwork && !latest.ip) return { changed: true, attempt: next, sandboxId: latest.id };
  return { changed: false, attempt: latest.attempt, sandboxId: latest.id };
}

function hasAnyRegularContainerCreated(pod: Pod, status: PodRuntimeStatus): boolean {
  return pod.spec.containers.some((c) => {
    const s = findContainerStatusByName(status, c.name);
    return !!s && s.state !== 'created';
  });
}

/** A sidecar counts as started once running and past its startup probe (if it has one). */
function sidecarStarted(c: Container, s: RuntimeContainerStatus, probes: ProbeResults): boolean {
  if (s.state !== 'running') return false;
  if (!c.startupProbe) return true;
  return probes.startup(s.id) === 'success';
}

/**
 * computeInitContainerActions: decides the next step of initialisation. Returns
 * true once the pod is initialised (every regular init container succeeded and
 * every sidecar started), so app containers may be considered.
 */
export function computeInitContainerActions(pod: Pod, status: PodRuntimeStatus, changes: PodActions, probes: ProbeResults): boolean {
  const inits = pod.spec.initContainers ?? [];
  if (inits.length === 0) return true;
  // Once any app container exists, initialisation happened in this sandbox;
  // only sidecars still need watching.
  const previouslyInitialized = hasAnyRegularContainerCreated(pod, status);
  const start = (i: number) => {
    if (!changes.initContainersToStart.includes(i)) changes.initContainersToStart.push(i);
  };
  const kill = (s: RuntimeContainerStatus, c: Container, message: string, reason: KillReason) => {
    changes.containersToKill.set(s.id, { name: c.name, container: c, message, reason });
  };

  if (previouslyInitialized) {
    for (let i = 0; i < inits.length; i++) {
      const c = inits[i];
      if (!isRestartableInitContainer(c)) continue;
      const s = findContainerStatusByName(status, c.name);
      if (!s || s.state === 'exited' || s.state === 'created') start(i);
      else if (s.state === 'unknown') {
        kill(s, c, `Init container is in "${s.state}" state, try killing it before restart`, 'Unknown');
        start(i);
      } else if (probes.liveness(s.id) === 'failure') {
        kill(s, c, `Init container ${c.name} failed liveness probe`, 'LivenessProbe');
        start(i);
      }
    }
    return true;
  }

  // Walk back from the last init container to the newest one that has a status: that is where initialisation stands.
  for (let i = inits.length - 1; i >= 0; i--) {
    const c = inits[i];
    const s = findContainerStatusByName(status, c.name);
    if (!s) continue;
    const last = i === inits.length - 1;
    switch (s.state) {
      case 'created':
        // Created but never started (the runtime failed between the two calls): start a fresh one.
        start(i);
        return false;
      case 'running':
        if (!isRestartableInitContainer(c)) return false; // wait for it to finish
        if (probes.liveness(s.id) === 'failure') {
          kill(s, c, `Init container ${c.name} failed liveness probe`, 'LivenessProbe');
          start(i);
          return false;
        }
        if (!sidecarStarted(c, s, probes)) return false;
        if (last) return true;
        start(i + 1);
        return false;
      case 'exited':
        if (isRestartableInitContainer(c)) {
          start(i);
          return false;
        }
        if (s.exitCode === 0) {
          if (last) return true;
          start(i + 1);
          return false;
        }
        if (!shouldRestartOnFailure(pod)) {
          changes.killPod = true;
          return false;
        }
        start(i);
        return false;
      default:
        kill(s, c, `Init container is in "${s.state}" state, try killing it before restart`, 'Unknown');
        start(i);
        return false;
    }
  }
  // No init container has run yet in this sandbox.
  start(0);
  return false;
}

export function computePodActions(pod: Pod, status: PodRuntimeStatus, probes: ProbeResults = NO_PROBE_RESULTS): PodActions {
  const sb = podSandboxChanged(pod, status);
  const changes: PodActions = {
    killPod: sb.changed,
    createSandbox: sb.changed,
    sandboxId: sb.sandboxId,
    attempt: sb.attempt,
    initContainersToStart: [],
    containersToStart: [],
    containersToKill: new Map(),
  };

  if (sb.changed) {
    // A Never pod whose sandbox died after its containers ran stays dead.
    if (!shouldRestartOnFailure(pod) && sb.attempt !== 0 && status.containerStatuses.length !== 0) {
      changes.createSandbox = false;
      return changes;
    }
    const toStart: number[] = [];
    pod.spec.containers.forEach((c, i) => {
      if (pod.spec.restartPolicy === 'OnFailure' && containerSucceeded(c, status)) return;
      if (pod.spec.restartPolicy === 'Never' && findContainerStatusByName(status, c.name)) return;
      toStart.push(i);
    });
    // Everything finished and initialisation happened: nothing to do in a new sandbox.
    if (toStart.length === 0 && hasAnyRegularContainerCreated(pod, status)) {
      changes.createSandbox = false;
      return changes;
    }
    if ((pod.spec.initContainers ?? []).length > 0) {
      changes.initContainersToStart = [0];
      return changes;
    }
    changes.containersToStart = toStart;
    return changes;
  }

  const initialized = computeInitContainerActions(pod, status, changes, probes);
  if (changes.killPod || !initialized) return changes;

  let keepCount = 0;
  pod.spec.containers.forEach((container, idx) => {
    const s = findContainerStatusByName(status, container.name);
    if (!s || s.state !== 'running') {
      if (shouldContainerBeRestarted(container, pod, status)) {
        changes.containersToStart.push(idx);
        if (s && s.state === 'unknown') {
          changes.containersToKill.set(s.id, {
            name: s.name,
            container,
            message: `Container is in "${s.state}" state, try killing it before restart`,
            reason: 'Unknown',
          });
        }
      }
      return;
    }
    let message: string;
    let reason: KillReason = '';
    let restart = shouldRestartOnFailure(pod);
    if (s.hash && s.hash !== hashContainer(container)) {
      message = `Container ${container.name} definition changed`;
      restart = true; // a changed spec restarts whatever the policy
    } else if (probes.liveness(s.id) === 'failure') {
      message = `Container ${container.name} failed liveness probe`;
      reason = 'LivenessProbe';
    } else if (probes.startup(s.id) === 'failure') {
      message = `Container ${container.name} failed startup probe`;
      reason = 'StartupProbe';
    } else {
      keepCount++;
      return;
    }
    if (restart) {
      message = `${message}, will be restarted`;
      changes.containersToStart.push(idx);
    }
    changes.containersToKill.set(s.id, { name: s.name, container, message, reason });
  });

  // Nothing runs and nothing will: stop the sandbox too.
  if (keepCount === 0 && changes.containersToStart.length === 0) {
    changes.killPod = true;
    // Sidecars alone must not keep a finished pod alive.
    changes.initContainersToStart = [];
  }
  return changes;
}
