// GenericPLEG (upstream pleg/generic.go): the pod lifecycle event generator. Every
// relist period it lists all sandboxes and containers from CRI, compares their
// states with the previous list and emits an event per change, naming the pod's
// UID, so that pod's worker syncs. Changes the kubelet itself makes are seen on
// the next relist; relist() may also be called right after them.
import type { CRIClient } from '../../cri/client.js';
import type { Logger } from '../../util/log.js';
import { POD_UID_LABEL } from '../kuberuntime/labels.js';

export type PodLifecycleEventType = 'ContainerStarted' | 'ContainerDied' | 'ContainerRemoved' | 'ContainerChanged';

export interface PodLifecycleEvent {
  podUID: string;
  type: PodLifecycleEventType;
  /** Container or sandbox ID. */
  id: string;
}

type State = 'running' | 'exited' | 'unknown' | 'created' | 'non-existent';

interface ContainerRecord {
  podUID: string;
  state: State;
  sandbox?: boolean;
}

/** The event for a state transition of one container (upstream generateEvents). */
export function eventFor(podUID: string, id: string, oldState: State, newState: State): PodLifecycleEvent | undefined {
  if (oldState === newState) return undefined;
  switch (newState) {
    case 'running':
      return { podUID, type: 'ContainerStarted', id };
    case 'exited':
      return { podUID, type: 'ContainerDied', id };
    case 'non-existent':
      return { podUID, type: oldState === 'exited' ? 'ContainerRemoved' : 'ContainerDied', id };
    default:
      return { podUID, type: 'ContainerChanged', id };
  }
}

export interface GenericPLEGOptions {
  cri: CRIClient;
  relistPeriodMs?: number;
  onEvent(e: PodLifecycleEvent): void;
  log: Logger;
  /** Each relist's duration, seconds (kubelet_pleg_relist_duration_seconds). */
  observeRelist?: (seconds: number) => void;
}

/** What one relist saw: every kubelet-made sandbox and container by pod UID. */
export interface RelistSnapshot {
  podUIDs: Set<string>;
  timestamp: number;
}

export class GenericPLEG {
  private records = new Map<string, ContainerRecord>();
  private timer?: NodeJS.Timeout;
  private relisting?: Promise<RelistSnapshot>;
  private lastRelist = 0;
  private snapshot: RelistSnapshot = { podUIDs: new Set(), timestamp: 0 };

  constructor(private readonly opts: GenericPLEGOptions) {}

  start(): void {
    const every = this.opts.relistPeriodMs ?? 1000;
    const tick = () => {
      void this.relist().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, every);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Healthy while relisting keeps succeeding (upstream: within 3 minutes). */
  healthy(): boolean {
    return this.lastRelist > 0 && Date.now() - this.lastRelist < 3 * 60_000;
  }

  /** Pod UIDs that have sandboxes or containers in the runtime, as of the last relist. */
  lastSnapshot(): RelistSnapshot {
    return this.snapshot;
  }

  /** As of the last relist: pods with a running sandbox, and containers by state. */
  runningCounts(): { pods: number; containers: Map<string, number> } {
    const pods = new Set<string>();
    const containers = new Map<string, number>();
    for (const r of this.records.values()) {
      if (r.sandbox) {
        if (r.state === 'running') pods.add(r.podUID);
      } else containers.set(r.state, (containers.get(r.state) ?? 0) + 1);
    }
    return { pods: pods.size, containers };
  }

  /** One relist; concurrent callers share it. */
  relist(): Promise<RelistSnapshot> {
    this.relisting ??= this.doRelist().finally(() => (this.relisting = undefined));
    return this.relisting;
  }

  private async doRelist(): Promise<RelistSnapshot> {
    const { cri } = this.opts;
    const start = performance.now();
    let sandboxes;
    let containers;
    try {
      [sandboxes, containers] = await Promise.all([cri.runtime.listPodSandbox({}), cri.runtime.listContainers({})]);
    } catch (err) {
      this.opts.log(`PLEG relist failed: ${(err as Error).message}`);
      return this.snapshot;
    }
    const next = new Map<string, ContainerRecord>();
    for (const sb of sandboxes.items) {
      const uid = sb.labels[POD_UID_LABEL];
      if (!uid) continue;
      next.set(sb.id, { podUID: uid, state: sb.state === 'SANDBOX_READY' ? 'running' : 'exited', sandbox: true });
    }
    for (const c of containers.containers) {
      const uid = c.labels[POD_UID_LABEL];
      if (!uid) continue;
      const state: State =
        c.state === 'CONTAINER_RUNNING' ? 'running' : c.state === 'CONTAINER_EXITED' ? 'exited' : c.state === 'CONTAINER_CREATED' ? 'created' : 'unknown';
      next.set(c.id, { podUID: uid, state });
    }
    const events: PodLifecycleEvent[] = [];
    for (const [id, r] of next) {
      const old = this.records.get(id);
      const e = eventFor(r.podUID, id, old?.state ?? 'non-existent', r.state);
      if (e) events.push(e);
    }
    for (const [id, r] of this.records) {
      if (next.has(id)) continue;
      const e = eventFor(r.podUID, id, r.state, 'non-existent');
      if (e) events.push(e);
    }
    this.records = next;
    this.lastRelist = Date.now();
    this.opts.observeRelist?.((performance.now() - start) / 1000);
    this.snapshot = { podUIDs: new Set([...next.values()].map((r) => r.podUID)), timestamp: this.lastRelist };
    for (const e of events) {
      try {
        this.opts.onEvent(e);
      } catch (err) {
        this.opts.log(`PLEG event handler failed: ${(err as Error).message}`);
      }
    }
    return this.snapshot;
  }
}
