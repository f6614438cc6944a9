// A ContainerLocator that knows nothing but the runtime: it finds a pod's
// sandboxes and containers by the labels the kubelet puts on them
// (io.kubernetes.pod.name/namespace, io.kubernetes.container.name). The newest
// instance of a container is the current one, the one before it "previous".
import type { CRIClient } from '../../cri/client.js';
import type { ContainerLocator, LocateError, LocatedContainer, LocatedSandbox } from './types.js';

const POD_NAME = 'io.kubernetes.pod.name';
const POD_NAMESPACE = 'io.kubernetes.pod.namespace';
const POD_UID = 'io.kubernetes.pod.uid';
const CONTAINER_NAME = 'io.kubernetes.container.name';

export class CRILabelLocator implements ContainerLocator {
  constructor(private readonly cri: CRIClient) {}

  async find(namespace: string, podName: string, containerName?: string): Promise<LocatedContainer | LocateError> {
    const labelSelector: Record<string, string> = { [POD_NAME]: podName, [POD_NAMESPACE]: namespace };
    const { containers } = await this.cri.runtime.listContainers({ filter: { labelSelector } });
    const names = [...new Set(containers.map((c) => c.labels[CONTAINER_NAME] ?? c.metadata?.name ?? ''))].sort();
    if (!containerName) {
      if (names.length > 1) return { error: `a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`, code: 400 };
      containerName = names[0];
    }
    const mine = containers.filter((c) => (c.labels[CONTAINER_NAME] ?? c.metadata?.name) === containerName).sort((a, b) => b.createdAt - a.createdAt);
    if (!containerName || mine.length === 0) {
      const sandbox = await this.findSandbox(namespace, podName);
      if ('error' in sandbox) return sandbox;
      return { error: `container "${containerName ?? ''}" in pod "${podName}" is waiting to start: ContainerCreating`, code: 400 };
    }
    const [current, previous] = mine;
    const [cur, prev] = await Promise.all([
      this.cri.runtime.containerStatus({ containerId: current.id }),
      previous ? this.cri.runtime.containerStatus({ containerId: previous.id }) : undefined,
    ]);
    return {
      podUID: current.labels[POD_UID] ?? '',
      containerName,
      containerId: current.id,
      logPath: cur.status?.logPath ?? '',
      previousLogPath: prev?.status?.logPath || undefined,
    };
  }

  async findSandbox(namespace: string, podName: string): Promise<LocatedSandbox | LocateError> {
    const { items } = await this.cri.runtime.listPodSandbox({ filter: { labelSelector: { [POD_NAME]: podName, [POD_NAMESPACE]: namespace } } });
    const ready = items.filter((s) => s.state === 'SANDBOX_READY').sort((a, b) => b.createdAt - a.createdAt);
    if (ready.length === 0) {
      if (items.length === 0) return { error: `pod "${podName}" does not exist`, code: 404 };
      return { error: `pod "${podName}" in namespace "${namespace}" has no running sandbox`, code: 400 };
    }
    const s = ready[0];
    const st = await this.cri.runtime.podSandboxStatus({ podSandboxId: s.id });
    return { podUID: s.labels[POD_UID] ?? s.metadata?.uid ?? '', podSandboxId: s.id, podIP: st.status?.network?.ip || undefined };
  }
}
