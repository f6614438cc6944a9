// generateAPIPodStatus (upstream kubelet_pods.go): turns what the runtime reports
// for a pod, plus the kubelet's own knowledge (why a container could not start,
// probe results), into the Pod.status the apiserver shows. Pure: everything comes
// in as arguments, so phases and conditions are unit-tested.
import { isRestartableInitContainer, shouldContainerBeRestarted } from '../kuberuntime/compute_actions.js';
import { getContainerStatus, getPodQOS } from '../../../api/core/v1/pod.js';
import { containerStatusesByName, type PodRuntimeStatus, type RuntimeContainerStatus } from '../kuberuntime/runtime_status.js';
import type { Container, ContainerState, ContainerStateTerminated, ContainerStatus, Pod, PodCondition, PodStatus } from '../../../api/core/v1/types.js';

/** The phases getPhase computes (PodStatus.phase is a plain string on the wire). */
export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

/** metav1.Time's zero value: Go encodes it as null (kubectl shows `lastProbeTime: null`), and so does the kubelet. */
const ZERO_TIME = null;

export const CONTAINER_CREATING = 'ContainerCreating';
export const POD_INITIALIZING = 'PodInitializing';

/** Why a container is not running although it should (upstream's reasonCache entry). */
export interface StartFailure {
  reason: string; // CrashLoopBackOff, ErrImagePull, ImagePullBackOff, CreateContainerConfigError, ...
  message: string;
}

export interface StatusInput {
  pod: Pod;
  runtime: PodRuntimeStatus;
  /** The last start failure of a container of this pod, if any. */
  startFailure(containerName: string): StartFailure | undefined;
  /** Readiness/startup probe verdicts for the container's current instance (undefined: none yet). */
  readiness(containerName: string, containerId: string): 'success' | 'failure' | undefined;
  startup(containerName: string, containerId: string): 'success' | 'failure' | undefined;
  nodeIPs: string[];
  /** The kubelet has stopped every container for good (deleted or finished pod). */
  podIsTerminal: boolean;
  /** RFC 3339 now. */
  now: string;
  /** Runtime name for containerID ('containerd'). */
  runtimeName: string;
}

/** The kubelet owns these condition types; others (PodScheduled, DisruptionTarget, readiness gates) are kept as written. */
export const KUBELET_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady'];

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function toContainerState(s: RuntimeContainerStatus, runtimeName: string): ContainerState {
  switch (s.state) {
    case 'running':
      return { running: { startedAt: rfc3339(s.startedAt || s.createdAt) } };
    case 'exited': {
      const reason = s.reason || (s.exitCode === 0 ? 'Completed' : 'Error');
      const t: ContainerStateTerminated = {
        exitCode: s.exitCode,
        reason,
        startedAt: s.startedAt ? rfc3339(s.startedAt) : ZERO_TIME,
        finishedAt: s.finishedAt ? rfc3339(s.finishedAt) : ZERO_TIME,
        containerID: `${runtimeName}://${s.id}`,
      };
      if (s.message) t.message = s.message;
      return { terminated: t };
    }
    case 'created':
      return { waiting: {} };
    default:
      return {
        terminated: {
          exitCode: 137,
          reason: 'ContainerStatusUnknown',
          message: 'The container could not be located when the pod was terminated',
          containerID: `${runtimeName}://${s.id}`,
        },
      };
  }
}

function containerReady(c: Container, s: RuntimeContainerStatus | undefined, input: StatusInput): { ready: boolean; started: boolean } {
  if (!s || s.state !== 'running') return { ready: false, started: false };
  const started = c.startupProbe ? input.startup(c.name, s.id) === 'success' : true;
  if (!started) return { ready: false, started };
  const ready = c.readinessProbe ? input.readiness(c.name, s.id) === 'success' : true;
  return { ready, started };
}

/** convertToAPIContainerStatuses for one list (init or app containers). */
export function convertContainerStatuses(
  input: StatusInput,
  containers: Container[],
  oldStatuses: ContainerStatus[] | undefined,
  defaultWaitingReason: string,
  isInit: boolean,
): ContainerStatus[] {
  const { pod, runtime } = input;
  return containers.map((c) => {
    const seen = containerStatusesByName(runtime, c.name);
    const current = seen[0];
    const old = getContainerStatus(oldStatuses, c.name);
    let status: ContainerStatus;
    if (!current) {
      // Never ran here, or removed by garbage collection: keep a finished state we reported before.
      if (old?.state?.terminated || old?.lastState?.terminated) {
        status = { ...old, ready: false, started: false };
      } else {
        status = {
          name: c.name,
          state: { waiting: { reason: defaultWaitingReason } },
          lastState: {},
          ready: false,
          restartCount: old?.restartCount ?? 0,
          image: c.image ?? '',
          imageID: '',
          started: false,
        };
      }
    } else {
      const { ready, started } = containerReady(c, current, input);
      status = {
        name: c.name,
        state: toContainerState(current, input.runtimeName),
        lastState: seen[1] ? toContainerState(seen[1], input.runtimeName) : {},
        ready,
        restartCount: current.restartCount,
        image: c.image ?? current.image,
        imageID: current.imageRef,
        containerID: `${input.runtimeName}://${current.id}`,
        started,
      };
      if (current.state === 'created') status.state = { waiting: { reason: defaultWaitingReason } };
    }
    // A container that should run but could not start shows why, waiting; what it last did moves to lastState.
    const failure = input.startFailure(c.name);
    const restartable = isInit && isRestartableInitContainer(c) ? !pod.metadata.deletionTimestamp : shouldContainerBeRestarted(c, pod, runtime);
    if (failure && (!current || current.state !== 'running') && restartable) {
      if (status.state?.terminated) status.lastState = status.state;
      status.state = { waiting: { reason: failure.reason, ...(failure.message ? { message: failure.message } : {}) } };
    }
    return status;
  });
}

/** kubelet getPhase. */
export function getPhase(pod: Pod, initStatuses: ContainerStatus[], statuses: ContainerStatus[], podIsTerminal: boolean): PodPhase {
  const spec = pod.spec;
  let pendingRegularInit = 0;
  let pendingSidecars = 0;
  let failedInitialization = 0;
  for (const c of spec.initContainers ?? []) {
    const s = getContainerStatus(initStatuses, c.name);
    if (isRestartableInitContainer(c)) {
      if (!s?.started) pendingSidecars++;
      continue;
    }
    if (!s) {
      pendingRegularInit++;
      continue;
    }
    if (s.state?.running) pendingRegularInit++;
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInitialization++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInitialization++;
      } else pendingRegularInit++;
    } else pendingRegularInit++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of spec.containers) {
    const s = statuses.find((x) => x.name === c.name);
    if (!s) {
      unknown++;
      continue;
    }
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  const policy = spec.restartPolicy ?? 'Always';
  if (failedInitialization > 0 && policy === 'Never') return 'Failed';
  if (pendingRegularInit > 0 || (pendingSidecars > 0 && running === 0 && stopped === 0)) {
    // Stopped for good before initialisation finished.
    return podIsTerminal ? 'Failed' : 'Pending';
  }
  if (waiting > 0) return podIsTerminal ? 'Failed' : 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return podIsTerminal ? 'Failed' : 'Pending';
}

function condition(type: string, ok: boolean, now: string, old: PodCondition[] | undefined, reason?: string, message?: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = old?.find((c) => c.type === type);
  const c: PodCondition = {
    type,
    status,
    lastProbeTime: ZERO_TIME,
    lastTransitionTime: prev && prev.status === status ? (prev.lastTransitionTime ?? now) : now,
  };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

/** The kubelet-owned conditions, in the order kubectl describe shows them upstream. */
export function podConditions(
  pod: Pod,
  phase: PodPhase,
  runtime: PodRuntimeStatus,
  initStatuses: ContainerStatus[],
  statuses: ContainerStatus[],
  now: string,
): PodCondition[] {
  const old = pod.status?.conditions;
  const out: PodCondition[] = [];
  const sandbox = runtime.sandboxStatuses[0];
  const sandboxReady = !!sandbox && sandbox.state === 'ready' && (!!pod.spec.hostNetwork || !!sandbox.ip);
  out.push(condition('PodReadyToStartContainers', sandboxReady, now, old));

  const terminal = phase === 'Succeeded' || phase === 'Failed';
  // Initialized
  const incompleteInit = (pod.spec.initContainers ?? [])
    .filter((c) => {
      const s = getContainerStatus(initStatuses, c.name);
      if (isRestartableInitContainer(c)) return !s?.started;
      return !(s?.state?.terminated && s.state.terminated.exitCode === 0);
    })
    .map((c) => c.name);
  const appStarted = statuses.some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated);
  if (terminal && incompleteInit.length === 0) out.push(condition('Initialized', true, now, old, 'PodCompleted'));
  else if (incompleteInit.length === 0 || appStarted) out.push(condition('Initialized', true, now, old));
  else out.push(condition('Initialized', false, now, old, 'ContainersNotInitialized', `containers with incomplete status: [${incompleteInit.join(' ')}]`));

  // ContainersReady / Ready
  const unready = pod.spec.containers.filter((c) => !getContainerStatus(statuses, c.name)?.ready).map((c) => c.name);
  const gates = (pod.spec.readinessGates ?? []).map((g) => g.conditionType);
  const failedGates = gates.filter((g) => old?.find((c) => c.type === g)?.status !== 'True');
  let containersReady: PodCondition;
  let ready: PodCondition;
  if (terminal) {
    containersReady = condition('ContainersReady', false, now, old, 'PodCompleted');
    ready = condition('Ready', false, now, old, 'PodCompleted');
  } else if (incompleteInit.length > 0 && !appStarted) {
    const msg = `containers with incomplete status: [${incompleteInit.join(' ')}]`;
    containersReady = condition('ContainersReady', false, now, old, 'ContainersNotInitialized', msg);
    ready = condition('Ready', false, now, old, 'ContainersNotInitialized', msg);
  } else if (unready.length > 0) {
    const msg = `containers with unready status: [${unready.join(' ')}]`;
    containersReady = condition('ContainersReady', false, now, old, 'ContainersNotReady', msg);
    ready = condition('Ready', false, now, old, 'ContainersNotReady', msg);
  } else if (failedGates.length > 0) {
    containersReady = condition('ContainersReady', true, now, old);
    ready = condition('Ready', false, now, old, 'ReadinessGatesNotReady', `corresponding condition of pod readiness gate "${failedGates[0]}" does not exist.`);
  } else {
    containersReady = condition('ContainersReady', true, now, old);
    ready = condition('Ready', true, now, old);
  }
  out.push(ready, containersReady);
  return out;
}

/** The whole status as the kubelet would write it. */
export function generateAPIPodStatus(input: StatusInput): PodStatus {
  const { pod, runtime } = input;
  const old = pod.status ?? {};
  const hasInit = (pod.spec.initContainers ?? []).length > 0;
  const defaultReason = hasInit ? POD_INITIALIZING : CONTAINER_CREATING;
  const initStatuses = convertContainerStatuses(input, pod.spec.initContainers ?? [], old.initContainerStatuses, defaultReason, true);
  const statuses = convertContainerStatuses(input, pod.spec.containers, old.containerStatuses, defaultReason, false);
  let phase = getPhase(pod, initStatuses, statuses, input.podIsTerminal);
  // A pod never leaves a terminal phase (upstream status manager enforces this too).
  if ((old.phase === 'Succeeded' || old.phase === 'Failed') && phase !== old.phase) phase = old.phase;

  const out: PodStatus = {
    phase,
    conditions: [],
    hostIP: input.nodeIPs[0],
    hostIPs: input.nodeIPs.map((ip) => ({ ip })),
    startTime: old.startTime ?? input.now,
    qosClass: getPodQOS(pod),
    containerStatuses: statuses,
  };
  if (hasInit) out.initContainerStatuses = initStatuses;
  const ips = pod.spec.hostNetwork ? input.nodeIPs : runtime.ips;
  if (ips.length) {
    out.podIP = ips[0];
    out.podIPs = ips.map((ip) => ({ ip }));
  } else if (old.podIP) {
    // The sandbox is gone (finished pod): keep the address it had.
    out.podIP = old.podIP;
    out.podIPs = old.podIPs;
  }
  const kubeletConditions = podConditions(pod, phase, runtime, initStatuses, statuses, input.now);
  // Conditions others own stay as they are (PodScheduled first, as upstream lists it last; order is cosmetic).
  const foreign = (old.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.includes(c.type));
  out.conditions = [...kubeletConditions, ...foreign];
  if (old.nominatedNodeName) out.nominatedNodeName = old.nominatedNodeName;
  return out;
}
