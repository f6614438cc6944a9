// Garbage collection (upstream kuberuntime_gc.go and images/image_gc_manager.go),
// with the kubelet's default policy: per pod and container name keep the running
// instance and the newest dead one (MaxPerPodContainer=1: kubectl logs --previous
// and lastState need it), remove older dead ones; remove a pod's old not-ready
// sandboxes that no container uses; when the image filesystem passes the high
// threshold (85 %), remove images no container uses, oldest-listed first, until it
// is under the low threshold (80 %). Pods the kubelet no longer knows are handed
// back to it (it kills and removes them with their volumes).
import { statfsSync } from 'node:fs';
import { isNotFound, type CRIClient } from '../cri/client.js';
import type { Logger } from '../util/log.js';
import { CONTAINER_NAME_LABEL, POD_UID_LABEL } from './kuberuntime/labels.js';

export interface GCPolicy {
  maxPerPodContainer: number;
  imageGCHighThresholdPercent: number;
  imageGCLowThresholdPercent: number;
}

export const DEFAULT_GC_POLICY: GCPolicy = { maxPerPodContainer: 1, imageGCHighThresholdPercent: 85, imageGCLowThresholdPercent: 80 };

export interface GCItem {
  id: string;
  podUID: string;
  name: string;
  state: string;
  createdAt: number;
  podSandboxId?: string;
}

/** Dead container instances to remove: all but the newest maxPerPodContainer per (pod, name). */
export function evictableContainers(containers: GCItem[], maxPerPodContainer: number): string[] {
  const groups = new Map<string, GCItem[]>();
  for (const c of containers) {
    if (c.state === 'CONTAINER_RUNNING' || c.state === 'CONTAINER_UNKNOWN') continue;
    const k = `${c.podUID}/${c.name}`;
    const g = groups.get(k) ?? [];
    g.push(c);
    groups.set(k, g);
  }
  const out: string[] = [];
  for (const g of groups.values()) {
    g.sort((a, b) => b.createdAt - a.createdAt);
    for (const c of g.slice(Math.max(0, maxPerPodContainer))) out.push(c.id);
  }
  return out;
}

/** Not-ready sandboxes with no containers left, except each pod's newest sandbox. */
export function evictableSandboxes(sandboxes: GCItem[], containers: GCItem[]): string[] {
  const used = new Set(containers.map((c) => c.podSandboxId));
  const newest = new Map<string, GCItem>();
  for (const s of sandboxes) {
    const n = newest.get(s.podUID);
    if (!n || s.createdAt > n.createdAt) newest.set(s.podUID, s);
  }
  return sandboxes.filter((s) => s.state !== 'SANDBOX_READY' && !used.has(s.id) && newest.get(s.podUID) !== s).map((s) => s.id);
}

export interface ContainerGCOptions {
  cri: CRIClient;
  /** True for pods the kubelet runs (or is terminating). */
  isKnownPod(uid: string): boolean;
  /** Called for runtime pods the kubelet does not know. */
  onOrphan(uid: string): void;
  /** The sandbox image is never collected. */
  sandboxImage?: string;
  policy?: GCPolicy;
  log: Logger;
}

export class ContainerGC {
  private readonly policy: GCPolicy;

  constructor(private readonly o: ContainerGCOptions) {
    this.policy = o.policy ?? DEFAULT_GC_POLICY;
  }

  async garbageCollect(): Promise<{ containers: number; sandboxes: number; images: number }> {
    const { cri, log } = this.o;
    const [sbList, ctrList] = await Promise.all([cri.runtime.listPodSandbox({}), cri.runtime.listContainers({})]);
    const containers: GCItem[] = ctrList.containers
      .filter((c) => c.labels[POD_UID_LABEL])
      .map((c) => ({
        id: c.id,
        podUID: c.labels[POD_UID_LABEL],
        name: c.labels[CONTAINER_NAME_LABEL] ?? c.metadata?.name ?? '',
        state: c.state,
        createdAt: c.createdAt,
        podSandboxId: c.podSandboxId,
      }));
    const sandboxes: GCItem[] = sbList.items
      .filter((s) => s.labels[POD_UID_LABEL])
      .map((s) => ({ id: s.id, podUID: s.labels[POD_UID_LABEL], name: s.metadata?.name ?? '', state: s.state, createdAt: s.createdAt }));

    const orphans = new Set<string>();
    for (const x of [...containers, ...sandboxes]) if (!this.o.isKnownPod(x.podUID)) orphans.add(x.podUID);
    for (const uid of orphans) this.o.onOrphan(uid);

    const known = containers.filter((c) => !orphans.has(c.podUID));
    const deadIds = evictableContainers(known, this.policy.maxPerPodContainer);
    let removedContainers = 0;
    for (const id of deadIds) {
      try {
        await cri.runtime.removeContainer({ containerId: id });
        removedContainers++;
      } catch (err) {
        if (!isNotFound(err)) log(`GC: removing container ${id} failed: ${(err as Error).message}`);
      }
    }
    const remaining = known.filter((c) => !deadIds.includes(c.id));
    const sbIds = evictableSandboxes(
      sandboxes.filter((s) => !orphans.has(s.podUID)),
      remaining,
    );
    let removedSandboxes = 0;
    for (const id of sbIds) {
      try {
        await cri.runtime.removePodSandbox({ podSandboxId: id });
        removedSandboxes++;
      } catch (err) {
        if (!isNotFound(err)) log(`GC: removing sandbox ${id} failed: ${(err as Error).message}`);
      }
    }
    const images = await this.imageGC(ctrList.containers.map((c) => [c.imageRef, c.image?.image ?? '', c.imageId]).flat()).catch((err: unknown) => {
      log(`image GC failed: ${(err as Error).message}`);
      return 0;
    });
    if (removedContainers || removedSandboxes || images) log.v(2)('garbage collected', { containers: removedContainers, sandboxes: removedSandboxes, images });
    return { containers: removedContainers, sandboxes: removedSandboxes, images };
  }

  private async imageGC(inUse: string[]): Promise<number> {
    const { cri } = this.o;
    const fsInfo = await cri.image.imageFsInfo({});
    const mount = fsInfo.imageFilesystems[0]?.fsId?.mountpoint;
    if (!mount) return 0;
    const st = statfsSync(mount);
    const capacity = st.blocks * st.bsize;
    const available = st.bavail * st.bsize;
    if (capacity <= 0) return 0;
    const usagePercent = ((capacity - available) * 100) / capacity;
    if (usagePercent < this.policy.imageGCHighThresholdPercent) return 0;
    const toFree = capacity - available - (capacity * this.policy.imageGCLowThresholdPercent) / 100;
    const used = new Set(inUse.filter(Boolean));
    const { images } = await cri.image.listImages({});
    let freed = 0;
    let removed = 0;
    for (const img of images) {
      if (freed >= toFree) break;
      const names = [img.id, ...img.repoTags, ...img.repoDigests];
      if (img.pinned || names.some((n) => used.has(n)) || (this.o.sandboxImage && names.includes(this.o.sandboxImage))) continue;
      try {
        await cri.image.removeImage({ image: { image: img.id } });
        freed += img.size;
        removed++;
      } catch (err) {
        this.o.log(`image GC: removing ${img.repoTags[0] ?? img.id} failed: ${(err as Error).message}`);
      }
    }
    this.o.log(
      `image filesystem at ${usagePercent.toFixed(0)}% (threshold ${this.policy.imageGCHighThresholdPercent}%): removed ${removed} unused images, ${freed} bytes`,
    );
    return removed;
  }
}
