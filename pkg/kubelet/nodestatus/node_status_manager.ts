// Node registration and status reporting (upstream kubelet_node_status.go): the
// kubelet creates its Node (or adopts the one a previous run left), then measures
// every nodeStatusUpdateFrequency (10 s) and writes the status only when something
// other than heartbeat times changed, or every nodeStatusReportFrequency (5 min) —
// the Lease, renewed every 10 s, is what tells the control plane the node lives.
import { hostname as osHostname } from 'node:os';
import { isStatus, type Client, type ResourceClient } from '../../client/rest.js';
import type { Logger } from '../../util/log.js';
import type { ContainerImage, Node, NodeStatus } from '../../../api/core/v1/types.js';
import { memoryAvailableBytes, pidStats, readMachineInfo, type MachineInfo } from './machine.js';
import { nodeConditionEvents } from './events.js';
import { initialNode, nodeLabels, nodeStatus, statusFingerprint, type NodeConfig, type RuntimeState } from './setters.js';

export interface NodeStatusManagerOptions {
  client: Client;
  config: NodeConfig;
  rootDir: string;
  runtimeState(): Promise<RuntimeState>;
  images(): Promise<ContainerImage[]>;
  log: Logger;
  updateFrequencyMs?: number;
  reportFrequencyMs?: number;
  /** Records a Normal Event about the Node (NodeHasSufficientMemory, NodeReady, ...). */
  recordEvent?: (reason: string) => void;
}

function rfc3339(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class NodeStatusManager {
  private readonly nodes: ResourceClient<Node>;
  private current?: Node;
  private machine: MachineInfo;
  private lastReport = 0;
  private lastFingerprint = '';
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(private readonly opts: NodeStatusManagerOptions) {
    this.nodes = opts.client.resource<Node>('v1', 'nodes');
    this.machine = readMachineInfo(opts.rootDir);
  }

  get machineInfo(): MachineInfo {
    return this.machine;
  }

  /** The Node as last written or read (undefined before registration). */
  node(): Node | undefined {
    return this.current;
  }

  /** Creates the Node, or reconciles the existing one (labels, pod CIDR); retries until the apiserver answers. */
  async register(): Promise<Node> {
    const cfg = this.opts.config;
    let delay = 200;
    for (;;) {
      try {
        const wanted = initialNode(cfg, this.machine);
        let created = false;
        try {
          this.current = await this.nodes.create(wanted);
          created = true;
          this.opts.log(`registered node ${cfg.nodeName}`);
        } catch (err) {
          if (!isStatus(err, 409)) throw err;
          const existing = await this.nodes.get(cfg.nodeName);
          const patch: Record<string, unknown> = { metadata: { labels: nodeLabels(cfg, this.machine.architecture) } };
          if (cfg.podCIDR && !existing.spec?.podCIDR) patch.spec = { podCIDR: cfg.podCIDR, podCIDRs: [cfg.podCIDR] };
          this.current = await this.nodes.patch(cfg.nodeName, 'merge', patch);
          this.opts.log(`node ${cfg.nodeName} already registered; reusing it`);
        }
        await this.syncNodeStatus(true, created ? 'created' : 'reused');
        return this.current as Node;
      } catch (err) {
        if (this.stopped) throw err;
        this.opts.log(`unable to register node ${cfg.nodeName}, will retry: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 7000);
      }
    }
  }

  start(): void {
    const every = this.opts.updateFrequencyMs ?? 10_000;
    this.timer = setInterval(() => void this.trigger(), every);
  }

  /** Measures now and reports if anything changed (e.g. the runtime became ready). */
  trigger(): Promise<void> {
    this.running ??= this.syncNodeStatus(false)
      .catch(async (err: unknown) => {
        // Someone deleted the Node: register it again, as a restarted kubelet would.
        if (isStatus(err, 404) && !this.stopped) await this.register();
        else this.opts.log(`node status update failed: ${(err as Error).message}`);
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Measures and reports. At registration upstream's kubelet first fills a fresh Node's
   * status (recording the pressure conditions' events every start) with Ready not yet
   * true, then compares with the Node stored: a created Node goes NotReady -> Ready.
   */
  private async syncNodeStatus(force: boolean, registering?: 'created' | 'reused'): Promise<void> {
    const cfg = this.opts.config;
    this.machine = readMachineInfo(this.opts.rootDir);
    const [runtime, images] = await Promise.all([this.opts.runtimeState(), this.opts.images().catch(() => this.current?.status?.images ?? [])]);
    const status: NodeStatus = nodeStatus(
      cfg,
      this.machine,
      runtime,
      { memoryAvailableBytes: memoryAvailableBytes(), fsAvailableBytes: this.machine.fsAvailableBytes, pids: pidStats() },
      images,
      rfc3339(),
      this.current?.status,
    );
    const fp = statusFingerprint(status);
    const reportEvery = this.opts.reportFrequencyMs ?? 300_000;
    if (!force && fp === this.lastFingerprint && Date.now() - this.lastReport < reportEvery) return;
    // Merge patch: conditions, addresses and images are replaced whole.
    const next = status.conditions ?? [];
    let reasons: string[];
    if (registering === 'created') reasons = nodeConditionEvents([{ type: 'Ready', status: 'False' }], next);
    else if (registering === 'reused')
      reasons = [...new Set([...nodeConditionEvents(undefined, next), ...nodeConditionEvents(this.current?.status?.conditions, next)])];
    else reasons = nodeConditionEvents(this.current?.status?.conditions, next);
    this.current = await this.nodes.patch(cfg.nodeName, 'merge', { status }, { subresource: 'status' });
    for (const reason of reasons) this.opts.recordEvent?.(reason);
    this.lastFingerprint = fp;
    this.lastReport = Date.now();
    this.opts.log.v(3)('node status reported', { node: cfg.nodeName, ready: status.conditions?.find((c) => c.type === 'Ready')?.status });
  }
}

export function defaultNodeName(): string {
  return osHostname().toLowerCase();
}
