// What the runtime knows about one pod (upstream kubecontainer.PodStatus): its
// sandboxes and containers as CRI reports them, newest first, with the facts the
// kubelet stored in labels/annotations decoded. Times are milliseconds since the
// epoch (CRI's nanoseconds / 1e6); 0 means unset.

export type RuntimeContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface RuntimeContainerStatus {
  id: string;
  name: string;
  podSandboxId: string;
  state: RuntimeContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** The runtime's reason for exited containers ('Completed', 'Error', 'OOMKilled'). */
  reason: string;
  /** The runtime's message, or the container's termination message when it wrote one. */
  message: string;
  image: string;
  imageRef: string;
  hash: string;
  restartCount: number;
  logPath: string;
  containerType: string;
}

export type SandboxState = 'ready' | 'notready';

export interface RuntimeSandboxStatus {
  id: string;
  state: SandboxState;
  createdAt: number;
  attempt: number;
  ip: string;
  additionalIps: string[];
  /** The sandbox's network namespace: 'NODE' for hostNetwork pods, 'POD' otherwise. */
  networkMode: string;
}

export interface PodRuntimeStatus {
  uid: string;
  name: string;
  namespace: string;
  /** The pod IPs of the newest ready sandbox ([] when none). */
  ips: string[];
  sandboxStatuses: RuntimeSandboxStatus[];
  containerStatuses: RuntimeContainerStatus[];
  /** When this status was read (ms). */
  timestamp: number;
}

export function emptyPodRuntimeStatus(uid: string, name: string, namespace: string): PodRuntimeStatus {
  return { uid, name, namespace, ips: [], sandboxStatuses: [], containerStatuses: [], timestamp: Date.now() };
}

/** The newest status of the named container (statuses are kept newest first). */
export function findContainerStatusByName(status: PodRuntimeStatus, name: string): RuntimeContainerStatus | undefined {
  return status.containerStatuses.find((c) => c.name === name);
}

/** Every status of the named container, newest first. */
export function containerStatusesByName(status: PodRuntimeStatus, name: string): RuntimeContainerStatus[] {
  return status.containerStatuses.filter((c) => c.name === name);
}

/** Newest first, as kubecontainer sorts them (by creation time). */
export function sortNewestFirst<T extends { createdAt: number }>(items: T[]): T[] {
  return items.sort((a, b) => b.createdAt - a.createdAt);
}
