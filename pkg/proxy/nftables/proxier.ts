// The nftables proxier: Services and EndpointSlices in, one `nft -f`
// transaction per sync out, in kube-proxy's nftables-mode layout (see
// setup.ts and servicerules.ts).
//
// Each service port's chains, elements and affinity sets are kept between
// syncs. A full sync (at start, after a failure, when the table vanished, and
// every fullSyncPeriod) recreates the fixed part, refills every map and rewrites
// every chain, removing chains and sets no service uses any more. A partial sync
// touches only what changed for the services that changed: new or changed chains
// are flushed and rewritten, stale ones deleted, and map elements added or
// deleted one by one, all in one transaction. Since nothing in the table is
// shared between services except the maps, this is upstream's partial sync.
import { performance } from 'node:perf_hooks';
import type { Service } from '../../../api/core/v1/types.js';
import type { EndpointSlice } from '../../../api/discovery/v1/types.js';
import type { Logger } from '../../util/log.js';
import { BoundedFrequencyRunner } from '../boundedfrequencyrunner.js';
import { ServiceChangeTracker, type PortInputs } from '../changetracker.js';
import { cleanStaleEntries, type Conntrack } from '../conntrack.js';
import type { ProxierHealthServer } from '../healthcheck.js';
import { NO_LOCAL_DETECTOR, type LocalTrafficDetector } from '../localdetector.js';
import type { ProxyMetrics } from '../metrics.js';
import type { ServicePortInfo } from '../serviceport.js';
import { isAffinitySetName, isServiceChainName, TABLE } from './names.js';
import type { NFTables } from './nftables.js';
import { buildServicePortRules, elementText, type NftElement, type NftRuleContext, type NftServicePortRules } from './servicerules.js';
import { setupLines } from './setup.js';

export interface NftProxierOptions {
  nftables: NFTables;
  /** UDP conntrack clean-up; left out, stale entries simply time out. */
  conntrack?: Conntrack;
  /** This node's name, as endpoints' nodeName gives it (for Local traffic policies). */
  hostname: string;
  nodeIP?: string;
  /** Addresses NodePorts answer on; none: every local address except 127.0.0.0/8 (nftables mode has no localhost NodePorts). */
  nodePortAddresses?: string[];
  /** The service ranges: traffic to an address in them that no service has is dropped. */
  serviceCIDRs?: string[];
  minSyncPeriodMs?: number;
  /** How often the table's presence is checked and, at most, how long between syncs. */
  syncPeriodMs?: number;
  /** How often a full sync rewrites everything even if nothing asked for it. */
  fullSyncPeriodMs?: number;
  masqueradeAll?: boolean;
  masqueradeBit?: number;
  localDetector?: LocalTrafficDetector;
  metrics?: ProxyMetrics;
  healthz?: ProxierHealthServer;
  log?: Logger;
  now?: () => number;
}

/** What one sync did (for logs, tests and benchmarks). */
export interface NftSyncResult {
  full: boolean;
  durationMs: number;
  /** Commands in the nft transaction. */
  transactionLines: number;
  /** Per-service chains, their rules, and map/set elements after the sync. */
  chains: number;
  rules: number;
  elements: number;
  services: number;
  endpoints: number;
}

interface PortState {
  info: ServicePortInfo;
  rules: NftServicePortRules;
}

/** A service's ports and their share of the table as last written: what the kernel has after a successful sync. */
type ServiceState = Map<string, PortState>;

const elementID = (e: NftElement) => `${e.set} ${e.key}`;

export class NftProxier {
  private readonly nft: NFTables;
  private readonly log: Logger | undefined;
  private readonly now: () => number;
  private readonly runner: BoundedFrequencyRunner;
  private readonly masqueradeMark: string;
  private readonly changes: ServiceChangeTracker;
  private servicesSynced = false;
  private endpointSlicesSynced = false;

  private state = new Map<string, ServiceState>();
  /** Every map/set element the services want, by "set key", with the services that want it (the first one's wins). */
  private elementOwners = new Map<string, Map<string, NftElement>>();
  /** The elements in the kernel, by "set key". */
  private kernelElements = new Map<string, NftElement>();
  private needFullSync = true;
  private lastFullSync = 0;
  private syncChain: Promise<unknown> = Promise.resolve();
  private monitorTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly opts: NftProxierOptions) {
    this.nft = opts.nftables;
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    const bit = opts.masqueradeBit ?? 14;
    if (!Number.isInteger(bit) || bit < 0 || bit > 31) throw new Error(`--iptables-masquerade-bit must be in [0, 31], got ${bit}`);
    // "0x4000" for the default bit 14 (nft prints it back as 0x00004000).
    this.masqueradeMark = '0x' + (2 ** bit).toString(16);
    this.changes = new ServiceChangeTracker({
      hostname: opts.hostname,
      metrics: opts.metrics,
      now: this.now,
      onChange: () => {
        if (this.isInitialized()) this.sync();
      },
    });
    this.runner = new BoundedFrequencyRunner(
      () => this.syncProxyRules().then(() => undefined),
      opts.minSyncPeriodMs ?? 1000,
      opts.syncPeriodMs ?? 30_000,
      2,
      this.now,
    );
  }

  // --- informer events (handlers only record; the work happens in syncProxyRules) ---

  onServiceAdd(svc: Service): void {
    this.changes.onServiceUpdate(undefined, svc);
  }
  onServiceUpdate(old: Service | undefined, svc: Service): void {
    this.changes.onServiceUpdate(old, svc);
  }
  onServiceDelete(svc: Service): void {
    this.changes.onServiceDelete(svc);
  }
  onEndpointSliceAdd(slice: EndpointSlice): void {
    this.changes.onEndpointSliceUpdate(undefined, slice);
  }
  onEndpointSliceUpdate(old: EndpointSlice | undefined, slice: EndpointSlice): void {
    this.changes.onEndpointSliceUpdate(old, slice);
  }
  onEndpointSliceDelete(slice: EndpointSlice): void {
    this.changes.onEndpointSliceDelete(slice);
  }

  /** Once both informers have synced, the first (full) sync runs; its result is returned for whoever wants to wait. */
  onServicesSynced(): Promise<NftSyncResult | undefined> {
    this.servicesSynced = true;
    return this.isInitialized() ? this.syncProxyRules() : Promise.resolve(undefined);
  }
  onEndpointSlicesSynced(): Promise<NftSyncResult | undefined> {
    this.endpointSlicesSynced = true;
    return this.isInitialized() ? this.syncProxyRules() : Promise.resolve(undefined);
  }

  isInitialized(): boolean {
    return this.servicesSynced && this.endpointSlicesSynced;
  }

  // --- running ---

  /** Asks for a sync as soon as the rate limit (minSyncPeriod, burst 2) allows. */
  sync(): void {
    this.opts.healthz?.queuedUpdate();
    this.opts.metrics?.syncProxyRulesLastQueuedTimestamp.set(this.now() / 1000);
    this.runner.run();
  }

  /** Starts periodic syncs and the table check; the first sync comes when both informers have synced. */
  async syncLoop(): Promise<void> {
    this.opts.healthz?.updated();
    this.runner.loop();
    this.monitorTimer = setInterval(() => void this.checkTable(), this.opts.syncPeriodMs ?? 30_000);
    this.monitorTimer.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.monitorTimer) clearInterval(this.monitorTimer);
    await this.runner.stop();
    await this.syncChain.catch(() => undefined);
  }

  /** The next sync rewrites everything (as after a restart, or when someone deleted the table). */
  forceFullSync(): void {
    this.needFullSync = true;
    this.sync();
  }

  /** The counterpart of iptables mode's canary chains: a table that vanished (nft flush ruleset) is rebuilt. */
  private async checkTable(): Promise<void> {
    if (this.stopped || !this.isInitialized()) return;
    if (!(await this.nft.tableExists().catch(() => true))) {
      this.log?.(`table ${TABLE} is gone; resyncing everything`);
      this.forceFullSync();
    }
  }

  /** Writes the rules now (one at a time); resolves with what was done, or undefined before both informers synced. */
  syncProxyRules(): Promise<NftSyncResult | undefined> {
    const next = this.syncChain.then(() => this.doSync());
    this.syncChain = next.catch(() => undefined);
    return next;
  }

  // --- the sync ---

  private ruleContext(): NftRuleContext {
    return { masqueradeAll: this.opts.masqueradeAll ?? false, localDetector: this.opts.localDetector ?? NO_LOCAL_DETECTOR, nodeIP: this.opts.nodeIP };
  }

  private async doSync(): Promise<NftSyncResult | undefined> {
    if (!this.isInitialized() || this.stopped) return undefined;
    const start = performance.now();
    const { dirty, triggers } = this.changes.take();
    const full = this.needFullSync || this.now() - this.lastFullSync >= (this.opts.fullSyncPeriodMs ?? 3_600_000);

    const inputs = new Map<string, PortInputs[]>();
    for (const key of full ? new Set([...this.changes.serviceKeys(), ...this.state.keys()]) : dirty) inputs.set(key, this.changes.serviceInputs(key));
    const ctx = this.ruleContext();
    const next = new Map<string, ServiceState>();
    for (const [key, ports] of inputs)
      next.set(key, new Map(ports.map((p) => [p.info.name, { info: p.info, rules: buildServicePortRules(p.info, p.endpoints, ctx) }])));
    const merged = new Map(this.state);
    for (const [key, st] of next) {
      if (st.size) merged.set(key, st);
      else merged.delete(key);
    }

    let tx: string[];
    let owners: Map<string, Map<string, NftElement>>;
    let kernel: Map<string, NftElement>;
    try {
      ({ tx, owners, kernel } = full ? await this.fullTransaction(merged) : this.partialTransaction(next));
    } catch (err) {
      this.needFullSync = true;
      this.log?.(`sync failed: ${(err as Error).message}`);
      this.runner.retryAfter(this.opts.syncPeriodMs ?? 30_000);
      return undefined;
    }
    const old = this.state;
    try {
      if (tx.length) await this.nft.run(tx.join('\n') + '\n');
    } catch (err) {
      this.opts.metrics?.iptablesRestoreFailuresTotal.inc();
      if (!full) this.opts.metrics?.iptablesPartialRestoreFailuresTotal.inc();
      this.log?.(`nftables sync failed: ${(err as Error).message}`);
      // The changes are consumed; only a full sync can bring the kernel back in line.
      this.needFullSync = true;
      this.state = merged;
      this.runner.retryAfter(full ? (this.opts.syncPeriodMs ?? 30_000) : (this.opts.minSyncPeriodMs ?? 1000));
      this.observeDuration(start, full);
      return undefined;
    }
    this.state = merged;
    this.elementOwners = owners;
    this.kernelElements = kernel;
    this.needFullSync = false;
    if (full) this.lastFullSync = this.now();
    const durationMs = performance.now() - start;
    this.observeDuration(start, full);

    let chains = 0;
    let rules = 0;
    let endpoints = 0;
    let noLocalInternal = 0;
    let noLocalExternal = 0;
    for (const st of merged.values()) {
      for (const p of st.values()) {
        chains += p.rules.chains.size;
        for (const r of p.rules.chains.values()) rules += r.length;
        endpoints += p.rules.endpointCount;
        if (p.rules.noLocalInternal) noLocalInternal++;
        if (p.rules.noLocalExternal) noLocalExternal++;
      }
    }
    const m = this.opts.metrics;
    if (m) {
      m.syncProxyRulesNoLocalEndpointsTotal.labels('internal').set(noLocalInternal);
      m.syncProxyRulesNoLocalEndpointsTotal.labels('external').set(noLocalExternal);
      m.syncProxyRulesLastTimestamp.set(this.now() / 1000);
      const now = this.now();
      for (const times of triggers.values()) for (const t of times) m.networkProgrammingLatency.observe(Math.max(0, now - t) / 1000);
    }
    this.opts.healthz?.updated();
    this.log?.v(2)('syncProxyRules complete', { full, elapsedMs: Math.round(durationMs), services: merged.size, endpoints, transactionLines: tx.length });
    if (this.opts.conntrack) await cleanStaleEntries(this.opts.conntrack, old, next, this.log);
    return { full, durationMs, transactionLines: tx.length, chains, rules, elements: kernel.size, services: merged.size, endpoints };
  }

  private observeDuration(start: number, full: boolean): void {
    const s = (performance.now() - start) / 1000;
    const m = this.opts.metrics;
    if (!m) return;
    m.syncProxyRulesLatency.observe(s);
    (full ? m.syncFullProxyRulesLatency : m.syncPartialProxyRulesLatency).observe(s);
  }

  private async fullTransaction(merged: Map<string, ServiceState>) {
    const [existingChains, existingSets] = await Promise.all([
      this.nft.listChains().catch((err: Error) => {
        this.log?.(`failed to list the nftables chains: stale chains will not be deleted: ${err.message}`);
        return [] as string[];
      }),
      this.nft.listSets().catch((err: Error) => {
        this.log?.(`failed to list the nftables sets: stale affinity sets will not be deleted: ${err.message}`);
        return [] as string[];
      }),
    ]);
    const tx = setupLines({
      masqueradeMark: this.masqueradeMark,
      nodePortAddresses: this.opts.nodePortAddresses ?? [],
      serviceCIDRs: this.opts.serviceCIDRs ?? [],
    });

    const chains = new Map<string, string[]>();
    const sets = new Map<string, number>();
    const owners = new Map<string, Map<string, NftElement>>();
    for (const [key, st] of merged) {
      for (const p of st.values()) {
        for (const [c, rules] of p.rules.chains) chains.set(c, rules);
        for (const [s, timeout] of p.rules.affinitySets) sets.set(s, timeout);
        for (const e of p.rules.elements) addOwner(owners, key, e);
      }
    }
    // A chain the kernel does not have yet needs no flush (a third of a cold start's commands at 10,000 services).
    const existing = new Set(existingChains);
    for (const c of chains.keys()) {
      tx.push(`add chain ${TABLE} ${c}`);
      if (existing.has(c)) tx.push(`flush chain ${TABLE} ${c}`);
    }
    // Every service chain is flushed and the maps are empty by now, so nothing refers to a stale chain or set.
    const staleChains = existingChains.filter((c) => isServiceChainName(c) && !chains.has(c));
    for (const c of staleChains) tx.push(`flush chain ${TABLE} ${c}`);
    for (const c of staleChains) tx.push(`delete chain ${TABLE} ${c}`);
    const known = this.affinityTimeouts(this.state);
    for (const s of existingSets) {
      // A set whose timeout changed is recreated: nft cannot change it in place.
      if (isAffinitySetName(s) && (!sets.has(s) || (known.has(s) && known.get(s) !== sets.get(s)))) tx.push(`delete set ${TABLE} ${s}`);
    }
    for (const [s, timeout] of sets) tx.push(affinitySetLine(s, timeout));
    for (const [c, rules] of chains) for (const r of rules) tx.push(`add rule ${TABLE} ${c} ${r}`);
    const kernel = new Map<string, NftElement>();
    for (const [id, byService] of owners) {
      const e = byService.values().next().value as NftElement;
      kernel.set(id, e);
      tx.push(`add element ${TABLE} ${e.set} { ${elementText(e)} }`);
    }
    return { tx, owners, kernel };
  }

  /** Only what changed for the services in next (the changed ones, with their new state; empty for a deleted one). */
  private partialTransaction(next: Map<string, ServiceState>) {
    const owners = this.elementOwners;
    const kernel = this.kernelElements;
    const addChains: string[] = [];
    const flushChains: string[] = [];
    const deleteChains: string[] = [];
    const deleteSets: string[] = [];
    const addSets: string[] = [];
    const rules: string[] = [];
    const touched = new Set<string>();

    for (const [key, st] of next) {
      const before = this.state.get(key) ?? new Map<string, PortState>();
      const beforeChains = new Map<string, string[]>();
      const beforeSets = new Map<string, number>();
      for (const p of before.values()) {
        for (const [c, r] of p.rules.chains) beforeChains.set(c, r);
        for (const [s, t] of p.rules.affinitySets) beforeSets.set(s, t);
        for (const e of p.rules.elements) {
          owners.get(elementID(e))?.delete(key);
          touched.add(elementID(e));
        }
      }
      const afterChains = new Map<string, string[]>();
      const afterSets = new Map<string, number>();
      for (const p of st.values()) {
        for (const [c, r] of p.rules.chains) afterChains.set(c, r);
        for (const [s, t] of p.rules.affinitySets) afterSets.set(s, t);
        for (const e of p.rules.elements) {
          addOwner(owners, key, e);
          touched.add(elementID(e));
        }
      }
      // A set whose timeout changed is recreated, so every chain that names it is rewritten too.
      let recreated = false;
      for (const [s, t] of beforeSets) {
        if (afterSets.get(s) === t) continue;
        deleteSets.push(s);
        if (afterSets.has(s)) recreated = true;
      }
      for (const [s, t] of afterSets) if (beforeSets.get(s) !== t) addSets.push(affinitySetLine(s, t));
      for (const [c, r] of afterChains) {
        const old = beforeChains.get(c);
        if (old && !recreated && sameRules(old, r)) continue;
        if (old) flushChains.push(c);
        else addChains.push(c);
        for (const line of r) rules.push(`add rule ${TABLE} ${c} ${line}`);
      }
      for (const c of beforeChains.keys()) {
        if (afterChains.has(c)) continue;
        flushChains.push(c);
        deleteChains.push(c);
      }
    }

    const deleteElements: string[] = [];
    const addElements: string[] = [];
    for (const id of touched) {
      const byService = owners.get(id);
      if (byService && byService.size === 0) owners.delete(id);
      const want = byService?.size ? (byService.values().next().value as NftElement) : undefined;
      const have = kernel.get(id);
      if (want && have && elementText(want) === elementText(have)) continue;
      if (have) {
        deleteElements.push(`delete element ${TABLE} ${have.set} { ${have.key} }`);
        kernel.delete(id);
      }
      if (want) {
        addElements.push(`add element ${TABLE} ${want.set} { ${elementText(want)} }`);
        kernel.set(id, want);
      }
    }

    // Chains first (a flush drops the references the old rules held), then elements out, then what
    // nothing refers to any more, then the new sets, rules and elements.
    const tx = [
      ...addChains.map((c) => `add chain ${TABLE} ${c}`),
      ...flushChains.map((c) => `flush chain ${TABLE} ${c}`),
      ...deleteElements,
      ...deleteChains.map((c) => `delete chain ${TABLE} ${c}`),
      ...deleteSets.map((s) => `delete set ${TABLE} ${s}`),
      ...addSets,
      ...rules,
      ...addElements,
    ];
    return { tx, owners, kernel };
  }

  private affinityTimeouts(state: Map<string, ServiceState>): Map<string, number> {
    const out = new Map<string, number>();
    for (const st of state.values()) for (const p of st.values()) for (const [s, t] of p.rules.affinitySets) out.set(s, t);
    return out;
  }
}

function addOwner(owners: Map<string, Map<string, NftElement>>, service: string, e: NftElement): void {
  const id = elementID(e);
  let m = owners.get(id);
  if (!m) owners.set(id, (m = new Map()));
  m.set(service, e);
}

function affinitySetLine(name: string, timeoutSeconds: number): string {
  // "dynamic": the kernel adds it to sets updated from the packet path; asking for it up front keeps a later "add" identical.
  return `add set ${TABLE} ${name} { type ipv4_addr ; flags dynamic,timeout ; timeout ${timeoutSeconds}s ; }`;
}

function sameRules(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((l, i) => l === b[i]);
}
