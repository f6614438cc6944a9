// What the kubelet server needs from the rest of the kubelet: where a pod's
// containers are in the runtime. The kubelet core answers from its pod and
// runtime state; CRILabelLocator (crilocator.ts) answers from CRI labels alone.

export interface LocatedContainer {
  podUID: string;
  containerName: string;
  /** The runtime's id of the current (or last) instance of the container. */
  containerId: string;
  /** Its CRI log file. */
  logPath: string;
  /** The log of the instance before it (kubectl logs --previous), when there is one. */
  previousLogPath?: string;
}

export interface LocatedSandbox {
  podUID: string;
  podSandboxId: string;
  /** The pod's IP, when it has one. */
  podIP?: string;
}

/** An answer the server passes on as it is: 404 for unknown pods/containers, 400 for containers not running (yet). */
export interface LocateError {
  error: string;
  code: 400 | 404;
}

export interface ContainerLocator {
  /**
   * The container of a pod on this node. Without containerName, the pod's only
   * (or first) container. Errors use the kubelet's wording, e.g.
   * `container "x" in pod "y" is waiting to start: ContainerCreating` (400).
   */
  find(namespace: string, podName: string, containerName?: string): Promise<LocatedContainer | LocateError>;
  /** The pod's sandbox (for port-forward). */
  findSandbox(namespace: string, podName: string): Promise<LocatedSandbox | LocateError>;
}

export function isLocateError<T extends object>(v: T | LocateError): v is LocateError {
  return 'error' in v;
}
