// The resource metrics pipeline of metrics-server, inside the apiserver: every node's
// kubelet is scraped at /metrics/resource (through the apiserver's verified kubelet
// client), and CPU usage is the rate between the last two points of each series, over
// the time between them (the window). Scrapes happen when the API is read, at most once
// per resolution; when a series has no earlier point yet (the first read, a new pod),
// the scrape is repeated after a short pause so there is a window to average over.
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { parseExposition } from '../../util/promtext.js';

/** A cumulative CPU reading and a working set at one time. */
export interface Point {
  /** Milliseconds since the epoch. */
  timestamp: number;
  cpuSeconds: number;
  memoryBytes: number;
  /** Start time of the container (seconds), so a restart does not read as negative use. */
  startTime?: number;
}

export interface NodeBatch {
  node?: Point;
  /** namespace/pod → container → point. */
  containers: Map<string, Map<string, Point>>;
}

/** Usage over a window: nanocores and bytes. */
export interface Usage {
  timestamp: number;
  windowMs: number;
  cpuNanoCores: number;
  memoryBytes: number;
}

export interface NodeUsage {
  node?: Usage;
  /** namespace/pod → container → usage. */
  pods: Map<string, Map<string, Usage>>;
}

/** Reads one kubelet's /metrics/resource text. */
export type KubeletResourceMetrics = (node: KubeObject) => Promise<string>;

/** The points of one /metrics/resource scrape (decodeBatch upstream). */
export function decodeBatch(text: string, now: number): NodeBatch {
  const m = parseExposition(text);
  const batch: NodeBatch = { containers: new Map() };
  const nodeCPU = m.find('node_cpu_usage_seconds_total')[0];
  const nodeMem = m.find('node_memory_working_set_bytes')[0];
  if (nodeCPU && nodeMem) {
    batch.node = { timestamp: nodeCPU.timestampMs ?? now, cpuSeconds: nodeCPU.value, memoryBytes: nodeMem.value };
  }
  const key = (labels: Map<string, string>) => `${labels.get('namespace') ?? ''}/${labels.get('pod') ?? ''}`;
  const containerPoint = (pod: string, name: string): Point => {
    let byName = batch.containers.get(pod);
    if (!byName) {
      byName = new Map();
      batch.containers.set(pod, byName);
    }
    let p = byName.get(name);
    if (!p) {
      p = { timestamp: now, cpuSeconds: NaN, memoryBytes: NaN };
      byName.set(name, p);
    }
    return p;
  };
  for (const s of m.find('container_cpu_usage_seconds_total')) {
    const p = containerPoint(key(s.labels), s.labels.get('container') ?? '');
    p.cpuSeconds = s.value;
    p.timestamp = s.timestampMs ?? now;
  }
  for (const s of m.find('container_memory_working_set_bytes')) containerPoint(key(s.labels), s.labels.get('container') ?? '').memoryBytes = s.value;
  for (const s of m.find('container_start_time_seconds')) containerPoint(key(s.labels), s.labels.get('container') ?? '').startTime = s.value;
  // A container with only one of the two figures is left out, as metrics-server does.
  for (const [pod, byName] of batch.containers) {
    for (const [name, p] of byName) if (Number.isNaN(p.cpuSeconds) || Number.isNaN(p.memoryBytes)) byName.delete(name);
    if (byName.size === 0) batch.containers.delete(pod);
  }
  return batch;
}

/** Usage between two points of one series; undefined when there is no window (same time, a restart). */
export function usageBetween(prev: Point | undefined, cur: Point): Usage | undefined {
  if (!prev || cur.timestamp <= prev.timestamp || cur.cpuSeconds < prev.cpuSeconds) return undefined;
  if (prev.startTime !== undefined && cur.startTime !== undefined && prev.startTime !== cur.startTime) return undefined;
  const windowMs = cur.timestamp - prev.timestamp;
  return {
    timestamp: cur.timestamp,
    windowMs,
    cpuNanoCores: Math.round(((cur.cpuSeconds - prev.cpuSeconds) / (windowMs / 1000)) * 1e9),
    memoryBytes: cur.memoryBytes,
  };
}

export interface ScraperOptions {
  nodes: () => Promise<KubeObject[]>;
  scrape: KubeletResourceMetrics;
  /** How old the last scrape may be before a read scrapes again (metrics-server's resolution, 15 s). */
  resolutionMs?: number;
  /** The pause before a second scrape when a series has no earlier point. */
  settleMs?: number;
  log?: (msg: string) => void;
  now?: () => number;
}

interface NodeState {
  prev?: NodeBatch;
  cur?: NodeBatch;
  scrapedAt: number;
}

export class ResourceMetricsScraper {
  private readonly state = new Map<string, NodeState>();
  private inFlight?: Promise<Map<string, NodeUsage>>;
  private readonly now: () => number;

  constructor(private readonly o: ScraperOptions) {
    this.now = o.now ?? Date.now;
  }

  /** The usage of every node that answers (by node name); scrapes when the last points are older than the resolution. */
  usage(): Promise<Map<string, NodeUsage>> {
    this.inFlight ??= this.collect().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async scrapeNode(node: KubeObject): Promise<void> {
    const name = node.metadata.name ?? '';
    try {
      const batch = decodeBatch(await this.o.scrape(node), this.now());
      const st = this.state.get(name) ?? { scrapedAt: 0 };
      st.prev = st.cur;
      st.cur = batch;
      st.scrapedAt = this.now();
      this.state.set(name, st);
    } catch (err) {
      this.o.log?.(`unable to fetch metrics from node ${name}: ${(err as Error).message}`);
    }
  }

  private usageOf(st: NodeState): { usage: NodeUsage; complete: boolean } {
    const usage: NodeUsage = { pods: new Map() };
    let complete = true;
    if (st.cur?.node) {
      usage.node = usageBetween(st.prev?.node, st.cur.node);
      if (!usage.node) complete = false;
    }
    for (const [pod, containers] of st.cur?.containers ?? []) {
      const out = new Map<string, Usage>();
      for (const [name, p] of containers) {
        const u = usageBetween(st.prev?.containers.get(pod)?.get(name), p);
        if (u) out.set(name, u);
        else complete = false;
      }
      // A pod is reported only when every container of it is (metrics-server leaves partial pods out).
      if (out.size === containers.size) usage.pods.set(pod, out);
    }
    return { usage, complete };
  }

  private async collect(): Promise<Map<string, NodeUsage>> {
    const resolution = this.o.resolutionMs ?? 15_000;
    const nodes = await this.o.nodes();
    const names = new Set(nodes.map((n) => n.metadata.name ?? ''));
    for (const name of this.state.keys()) if (!names.has(name)) this.state.delete(name);
    const stale = nodes.filter((n) => this.now() - (this.state.get(n.metadata.name ?? '')?.scrapedAt ?? 0) >= resolution);
    await Promise.all(stale.map((n) => this.scrapeNode(n)));
    // Series without an earlier point get one more scrape, after a pause.
    const incomplete = nodes.filter((n) => {
      const st = this.state.get(n.metadata.name ?? '');
      return st && stale.includes(n) && !this.usageOf(st).complete;
    });
    if (incomplete.length) {
      await new Promise((r) => setTimeout(r, this.o.settleMs ?? 1000));
      await Promise.all(incomplete.map((n) => this.scrapeNode(n)));
    }
    const out = new Map<string, NodeUsage>();
    for (const [name, st] of this.state) out.set(name, this.usageOf(st).usage);
    return out;
  }
}
