// What the stats provider needs from the container runtime: the ready sandboxes and
// running containers with the kubelet's labels, and the runtime's own container stats
// (ListContainerStats) when it answers them. CRIRuntimeSource reads them over CRI.
import type { CRIClient } from '../../cri/client.js';
import { CONTAINER_NAME_LABEL, POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL } from '../kuberuntime/labels.js';

export interface SandboxInfo {
  id: string;
  podUID: string;
  name: string;
  namespace: string;
  /** Nanoseconds since the epoch. */
  createdAt: number;
}

export interface ContainerInfo {
  id: string;
  sandboxId: string;
  podUID: string;
  name: string;
  image: string;
  /** Nanoseconds since the epoch. */
  createdAt: number;
}

/** The runtime's view of one container's usage; any field may be missing. */
export interface RuntimeContainerStats {
  cpuCoreNanoSeconds?: number;
  workingSetBytes?: number;
  writableLayerBytes?: number;
  writableLayerInodes?: number;
}

export interface RuntimeSource {
  sandboxes(): Promise<SandboxInfo[]>;
  containers(): Promise<ContainerInfo[]>;
  /** By container id; empty when the runtime does not answer. */
  containerStats(): Promise<Map<string, RuntimeContainerStats>>;
}

const READY = 'SANDBOX_READY';
const RUNNING = 'CONTAINER_RUNNING';

function uint(v: { value?: number } | null | undefined): number | undefined {
  return v && typeof v.value === 'number' ? v.value : undefined;
}

export class CRIRuntimeSource implements RuntimeSource {
  constructor(private readonly cri: CRIClient) {}

  async sandboxes(): Promise<SandboxInfo[]> {
    const res = await this.cri.runtime.listPodSandbox({ filter: { state: { state: READY } } });
    return (res.items ?? [])
      .filter((s) => s.labels?.[POD_UID_LABEL])
      .map((s) => ({
        id: s.id,
        podUID: s.labels[POD_UID_LABEL],
        name: s.labels[POD_NAME_LABEL] ?? s.metadata?.name ?? '',
        namespace: s.labels[POD_NAMESPACE_LABEL] ?? s.metadata?.namespace ?? '',
        createdAt: Number(s.createdAt ?? 0),
      }));
  }

  async containers(): Promise<ContainerInfo[]> {
    const res = await this.cri.runtime.listContainers({ filter: { state: { state: RUNNING } } });
    return (res.containers ?? [])
      .filter((c) => c.labels?.[POD_UID_LABEL] && c.labels[CONTAINER_NAME_LABEL])
      .map((c) => ({
        id: c.id,
        sandboxId: c.podSandboxId,
        podUID: c.labels[POD_UID_LABEL],
        name: c.labels[CONTAINER_NAME_LABEL],
        image: c.image?.image ?? c.imageRef ?? '',
        createdAt: Number(c.createdAt ?? 0),
      }));
  }

  async containerStats(): Promise<Map<string, RuntimeContainerStats>> {
    const out = new Map<string, RuntimeContainerStats>();
    let res;
    try {
      res = await this.cri.runtime.listContainerStats({});
    } catch {
      return out; // a runtime without stats: the cgroups alone answer
    }
    for (const s of res.stats ?? []) {
      const id = s.attributes?.id;
      if (!id) continue;
      out.set(id, {
        cpuCoreNanoSeconds: uint(s.cpu?.usageCoreNanoSeconds),
        workingSetBytes: uint(s.memory?.workingSetBytes),
        writableLayerBytes: uint(s.writableLayer?.usedBytes),
        writableLayerInodes: uint(s.writableLayer?.inodesUsed),
      });
    }
    return out;
  }
}
