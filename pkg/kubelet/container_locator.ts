// Answers the kubelet server's "where is container C of pod P" (logs, exec,
// attach, port-forward) from the kubelet's pods and the runtime, with the
// kubelet's wording for pods and containers that are not there (yet).
import type { KubeGenericRuntimeManager } from './kuberuntime/runtime_manager.js';
import type { ContainerLocator, LocatedContainer, LocatedSandbox, LocateError } from './server/types.js';
import { findContainer, getContainerStatus } from '../../api/core/v1/pod.js';
import type { Pod, PodStatus } from '../../api/core/v1/types.js';

export interface LocatorHost {
  podByName(namespace: string, name: string): Pod | undefined;
  /** The newest status the kubelet computed for the pod. */
  podStatus(uid: string): PodStatus | undefined;
  runtime: KubeGenericRuntimeManager;
}

export class KubeletContainerLocator implements ContainerLocator {
  constructor(private readonly host: LocatorHost) {}

  async find(namespace: string, podName: string, containerName?: string): Promise<LocatedContainer | LocateError> {
    const pod = this.host.podByName(namespace, podName);
    if (!pod) return { code: 404, error: `pod "${podName}" does not exist` };
    const uid = pod.metadata.uid ?? '';
    let name = containerName;
    if (!name) {
      if (pod.spec.containers.length !== 1) {
        return {
          code: 400,
          error: `a container name must be specified for pod ${podName}, choose one of: [${pod.spec.containers.map((c) => c.name).join(' ')}]`,
        };
      }
      name = pod.spec.containers[0].name;
    }
    if (!findContainer(pod.spec, name)) return { code: 404, error: `container ${name} is not valid for pod ${podName}` };
    const status = await this.host.runtime.getPodStatus(uid, podName, namespace);
    const instances = status.containerStatuses.filter((c) => c.name === name);
    if (instances.length === 0) {
      const st = this.host.podStatus(uid);
      const cs = getContainerStatus(st?.containerStatuses, name) ?? getContainerStatus(st?.initContainerStatuses, name);
      const reason = cs?.state?.waiting?.reason ?? 'ContainerCreating';
      return { code: 400, error: `container "${name}" in pod "${podName}" is waiting to start: ${reason}` };
    }
    const [current, previous] = instances;
    const out: LocatedContainer = { podUID: uid, containerName: name, containerId: current.id, logPath: current.logPath };
    if (previous) out.previousLogPath = previous.logPath;
    return out;
  }

  async findSandbox(namespace: string, podName: string): Promise<LocatedSandbox | LocateError> {
    const pod = this.host.podByName(namespace, podName);
    if (!pod) return { code: 404, error: `pod "${podName}" does not exist` };
    const uid = pod.metadata.uid ?? '';
    const status = await this.host.runtime.getPodStatus(uid, podName, namespace);
    const sb = status.sandboxStatuses.find((s) => s.state === 'ready');
    if (!sb) return { code: 400, error: `pod "${podName}" has no running sandbox` };
    return { podUID: uid, podSandboxId: sb.id, ...(sb.ip ? { podIP: sb.ip } : {}) };
  }
}
