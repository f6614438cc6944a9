// The kubelet's status manager: pod workers hand it the status they computed;
// it writes to the apiserver only what changed, coalescing bursts per pod (the
// newest status wins while a write is queued), a few writes at a time, retrying
// failures. Writes are JSON merge patches of pods/<name>/status carrying the whole
// status, so lists (conditions, containerStatuses) are replaced as a unit and
// fields that disappeared are removed with null. It also performs the final
// delete of a terminated pod (grace period 0), as upstream's does.
import { isStatus, type Client, type ResourceClient } from '../../client/rest.js';
import type { Logger } from '../../util/log.js';
import type { Pod, PodStatus } from '../../../api/core/v1/types.js';

export interface StatusManagerOptions {
  client: Client;
  log: Logger;
  /** Parallel status writes (default 5). */
  concurrency?: number;
  /** Delay before retrying a failed write (default 1 s). */
  retryMs?: number;
  /**
   * The UID the apiserver's pod of that name has, as far as the kubelet knows
   * (undefined: unknown). A status is never written over a newer pod that reuses the name.
   */
  currentUID?(namespace: string, name: string): string | undefined;
}

interface Entry {
  namespace: string;
  name: string;
  uid: string;
  status: PodStatus;
  json: string;
  /** What the apiserver has (last written or as first seen). */
  sent?: PodStatus;
  sentJson?: string;
}

/** Stable JSON for comparisons (key order of generated objects is fixed, so plain stringify is enough). */
function statusJSON(s: PodStatus): string {
  return JSON.stringify(s);
}

export class StatusManager {
  private readonly pods: ResourceClient<Pod>;
  private readonly entries = new Map<string, Entry>();
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  /** Pods with a write in flight, and those that changed meanwhile. */
  private readonly writing = new Set<string>();
  private readonly rewrite = new Set<string>();
  private active = 0;
  private readonly concurrency: number;
  private readonly retryMs: number;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: StatusManagerOptions) {
    this.pods = opts.client.resource<Pod>('v1', 'pods');
    this.concurrency = opts.concurrency ?? 5;
    this.retryMs = opts.retryMs ?? 1000;
  }

  /** The newest status computed for the pod (what the apiserver will soon have). */
  getPodStatus(uid: string): PodStatus | undefined {
    return this.entries.get(uid)?.status;
  }

  /**
   * Records the pod's status; writes it unless it equals what was last recorded.
   * apiPod is the object in the apiserver when that is not pod itself (a static
   * pod's mirror pod, which has its own UID).
   */
  setPodStatus(pod: Pod, status: PodStatus, apiPod: Pod = pod): void {
    const uid = pod.metadata.uid ?? '';
    const json = statusJSON(status);
    let e = this.entries.get(uid);
    if (e && e.uid !== apiPod.metadata.uid) {
      // The mirror pod was recreated: start over against the new object.
      this.entries.delete(uid);
      e = undefined;
    }
    if (!e) {
      const sent = apiPod.status;
      e = {
        namespace: apiPod.metadata.namespace ?? 'default',
        name: apiPod.metadata.name ?? '',
        uid: apiPod.metadata.uid ?? '',
        status,
        json,
        sent,
        sentJson: sent ? statusJSON(sent) : undefined,
      };
      this.entries.set(uid, e);
    } else {
      if (e.json === json) return;
      e.status = status;
      e.json = json;
    }
    if (e.sentJson === json) return;
    this.enqueue(uid);
  }

  /** Forgets a pod (it is gone from the apiserver). */
  removePod(uid: string): void {
    this.entries.delete(uid);
  }

  /** Resolves when no write is queued or running (tests, final delete). */
  async flush(): Promise<void> {
    if (this.queue.length === 0 && this.active === 0) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  /**
   * The final step of a deleted pod: write its last status, then delete it with
   * grace period 0 and a UID precondition (a new pod with the same name is untouched).
   */
  async deletePod(pod: Pod): Promise<void> {
    await this.flush();
    const uid = pod.metadata.uid ?? '';
    try {
      await this.pods.namespace(pod.metadata.namespace).delete(pod.metadata.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid } });
      this.opts.log.v(2)('pod deleted from the apiserver', { pod: `${pod.metadata.namespace}/${pod.metadata.name}` });
    } catch (err) {
      if (!isStatus(err, 404) && !isStatus(err, 409)) throw err;
    }
    this.entries.delete(uid);
  }

  stop(): void {
    this.stopped = true;
  }

  private enqueue(uid: string): void {
    if (this.queued.has(uid)) return;
    this.queued.add(uid);
    this.queue.push(uid);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.active < this.concurrency && this.queue.length > 0) {
      const uid = this.queue.shift() as string;
      this.queued.delete(uid);
      // One write per pod at a time: two in flight could land out of order and leave the older status.
      if (this.writing.has(uid)) {
        this.rewrite.add(uid);
        continue;
      }
      this.writing.add(uid);
      this.active++;
      void this.write(uid).finally(() => {
        this.active--;
        this.writing.delete(uid);
        if (this.rewrite.delete(uid)) this.enqueue(uid);
        this.pump();
        if (this.queue.length === 0 && this.active === 0) {
          const w = this.idleWaiters;
          this.idleWaiters = [];
          for (const f of w) f();
        }
      });
    }
  }

  private async write(uid: string): Promise<void> {
    const e = this.entries.get(uid);
    if (!e || e.sentJson === e.json) return;
    const current = this.opts.currentUID?.(e.namespace, e.name);
    if (current !== undefined && current !== e.uid) return;
    const status = e.status;
    const json = e.json;
    const patch: Record<string, unknown> = { ...status };
    for (const k of Object.keys(e.sent ?? {})) if (!(k in status)) patch[k] = null;
    try {
      await this.pods.namespace(e.namespace).patch(e.name, 'merge', { metadata: { uid: e.uid }, status: patch }, { subresource: 'status' });
      e.sent = status;
      e.sentJson = json;
      this.opts.log.v(4)('pod status written', {
        pod: `${e.namespace}/${e.name}`,
        phase: status.phase,
        waiting: status.containerStatuses?.map((c) => c.state?.waiting?.reason ?? ''),
      });
    } catch (err) {
      if (isStatus(err, 404)) {
        // Gone (or recreated under another UID): nothing to write to.
        this.entries.delete(uid);
        return;
      }
      this.opts.log(`status update of ${e.namespace}/${e.name} failed, retrying: ${(err as Error).message}`);
      setTimeout(() => this.enqueue(uid), this.retryMs).unref();
    }
  }
}
