// client-go's leaderelection on a coordination.k8s.io/v1 Lease. Every write carries
// the resourceVersion last read, so two candidates racing for an expired lease
// cannot both win: the loser gets 409 Conflict. Expiry is judged on the local
// clock from when this candidate last saw the lease change (as client-go does),
// so clock skew between machines does not matter.
import { StatusError } from '../../api/meta/v1/status.js';
import type { Lease } from '../../api/coordination/v1/types.js';
import { isStatus, type Client, type ResourceClient } from './rest.js';

export interface LeaderCallbacks {
  /** Called on becoming leader; the signal aborts when leadership is lost or the elector stops. */
  onStartedLeading(signal: AbortSignal): void;
  onStoppedLeading(): void;
  /** Called when the observed leader changes (including to ourselves). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  client: Client;
  namespace: string;
  name: string;
  identity: string;
  /** How long non-leaders wait after the last observed change before taking over (default 15 s). */
  leaseDurationMs?: number;
  /** How long the leader keeps retrying to renew before giving up leadership (default 10 s). */
  renewDeadlineMs?: number;
  /** Pause between attempts (default 2 s). */
  retryPeriodMs?: number;
  /** On stop(), hand the lease back so a successor need not wait for expiry. */
  releaseOnCancel?: boolean;
  callbacks: LeaderCallbacks;
  log?: (msg: string) => void;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(d = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private readonly leases: ResourceClient<Lease>;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private observed?: Lease;
  private observedAt = 0;
  private renewedAt = 0;
  private leading = false;
  private stopped = false;
  private leaderAbort?: AbortController;
  private wake?: () => void;
  private loop?: Promise<void>;
  private reportedLeader = '';

  constructor(private readonly cfg: LeaderElectionConfig) {
    this.leases = cfg.client.resource<Lease>('coordination.k8s.io/v1', 'leases').namespace(cfg.namespace);
    this.leaseDurationMs = cfg.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = cfg.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = cfg.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= this.retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod');
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder of the lease as last observed. */
  getLeader(): string {
    return this.observed?.spec?.holderIdentity ?? '';
  }

  /** Starts campaigning; resolves when stop() is called. */
  run(): Promise<void> {
    if (!this.loop) this.loop = this.campaign();
    return this.loop;
  }

  /** Stops campaigning/renewing; with release (or releaseOnCancel) the lease is handed back. */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    const wasLeading = this.leading;
    this.setLeading(false);
    if (wasLeading && (opts.release ?? this.cfg.releaseOnCancel)) await this.release();
  }

  private async campaign(): Promise<void> {
    while (!this.stopped) {
      // Acquire: retry until we hold the lease.
      if (!this.leading) {
        if (await this.tryAcquireOrRenew()) this.setLeading(true);
        else await this.sleep(this.retryPeriodMs);
        continue;
      }
      // Renew: keep trying every retry period; give up once renewDeadline has passed without success.
      await this.sleep(this.retryPeriodMs);
      if (this.stopped) break;
      const deadline = this.renewedAt + this.renewDeadlineMs;
      let renewed = false;
      while (!this.stopped && Date.now() < deadline) {
        const r = await this.tryAcquireOrRenew();
        if (r) {
          renewed = true;
          break;
        }
        if (this.getLeader() !== this.cfg.identity) break; // someone else holds it now
        await this.sleep(Math.min(this.retryPeriodMs, Math.max(0, deadline - Date.now())));
      }
      if (!renewed && !this.stopped) {
        this.log(`failed to renew lease ${this.cfg.namespace}/${this.cfg.name}; stopping leading`);
        this.setLeading(false);
      }
    }
  }

  private setLeading(v: boolean): void {
    if (v === this.leading) return;
    this.leading = v;
    if (v) {
      this.log(`successfully acquired lease ${this.cfg.namespace}/${this.cfg.name}`);
      this.leaderAbort = new AbortController();
      this.cfg.callbacks.onStartedLeading(this.leaderAbort.signal);
    } else {
      this.leaderAbort?.abort();
      this.cfg.callbacks.onStoppedLeading();
    }
  }

  private observe(lease: Lease): void {
    const prev = this.observed?.spec;
    const next = lease.spec ?? {};
    // Only a change of the record restarts the expiry clock (a stale holder's lease stops changing).
    if (!prev || prev.holderIdentity !== next.holderIdentity || prev.renewTime !== next.renewTime || prev.leaseTransitions !== next.leaseTransitions) {
      this.observedAt = Date.now();
    }
    this.observed = lease;
    const holder = next.holderIdentity ?? '';
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.cfg.callbacks.onNewLeader?.(holder);
    }
  }

  /** One attempt to take or keep the lease; true when we hold it afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = microTime();
    const durationSeconds = Math.max(1, Math.ceil(this.leaseDurationMs / 1000));
    let current: Lease;
    try {
      current = await this.leases.get(this.cfg.name);
    } catch (err) {
      if (!isStatus(err, 404)) {
        this.log(`error retrieving lease ${this.cfg.namespace}/${this.cfg.name}: ${(err as Error).message}`);
        return false;
      }
      try {
        const created = await this.leases.create({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.cfg.name, namespace: this.cfg.namespace },
          spec: { holderIdentity: this.cfg.identity, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
        });
        this.observe(created);
        this.renewedAt = Date.now();
        return true;
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 409)) this.log(`error creating lease: ${(e as Error).message}`);
        return false;
      }
    }
    this.observe(current);
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const mine = holder === this.cfg.identity;
    // Someone else holds it and it has not expired on our clock: wait.
    if (holder && !mine && Date.now() < this.observedAt + (spec.leaseDurationSeconds ?? durationSeconds) * 1000) return false;
    const next: Lease = {
      ...current,
      spec: {
        ...spec,
        holderIdentity: this.cfg.identity,
        leaseDurationSeconds: durationSeconds,
        renewTime: now,
        acquireTime: mine ? (spec.acquireTime ?? now) : now,
        leaseTransitions: mine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + (holder ? 1 : 0),
      },
    };
    try {
      const updated = await this.leases.update(next); // carries metadata.resourceVersion: optimistic concurrency
      this.observe(updated);
      this.renewedAt = Date.now();
      return true;
    } catch (err) {
      if (!isStatus(err, 409)) this.log(`error updating lease: ${(err as Error).message}`);
      return false;
    }
  }

  private async release(): Promise<void> {
    const lease = this.observed;
    if (!lease || lease.spec?.holderIdentity !== this.cfg.identity) return;
    const now = microTime();
    try {
      const updated = await this.leases.update({
        ...lease,
        spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now },
      });
      this.observe(updated);
    } catch (err) {
      this.log(`failed to release lease: ${(err as Error).message}`);
    }
  }

  private log(msg: string): void {
    this.cfg.log?.(`leaderelection ${this.cfg.identity}: ${msg}`);
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }
}
