// metrics.k8s.io/v1beta1 nodes and pods (NodeMetrics, PodMetrics), as metrics-server
// serves them: read-only REST storage answered from the kubelets' resource metrics
// (scraper.ts), nothing stored. A node or pod is listed once its usage has a window;
// labels are the node's or pod's own, so label selectors work as on the objects.
import type { Pod } from '../../../api/core/v1/types.js';
import { StatusError, newNotFound } from '../../../api/meta/v1/status.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import type { NodeMetrics, PodMetrics } from '../../../api/metrics/v1beta1/types.js';
import type { ResourceInfo } from '../../../api/resourceinfo.js';
import type { WatchFilter } from '../../storage/cacher.js';
import type { ListResult, ResourceStorage } from '../../storage/store.js';
import type { RequestContext, Store } from '../store.js';
import { ReadOnlyREST } from '../readonly.js';
import type { ResourceMetricsScraper, Usage } from './scraper.js';

const GROUP = 'metrics.k8s.io';
const API_VERSION = 'metrics.k8s.io/v1beta1';
const SERVER_CTX: RequestContext = { dryRun: false, fieldValidation: 'Ignore', warnings: [] };

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A duration as Go's time.Duration.String() writes it: "15s", "1.5s", "1m0.25s". */
export function goDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms)) / 1000;
  const fmt = (s: number) => `${Number(s.toFixed(3))}s`;
  if (total < 60) return fmt(total);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  return `${h ? `${h}h` : ''}${m}m${fmt(total % 60)}`;
}

/** CPU in nanocores and memory in Ki, as metrics-server formats them. */
function usageQuantities(u: Usage): Record<string, string> {
  return { cpu: `${u.cpuNanoCores}n`, memory: `${Math.floor(u.memoryBytes / 1024)}Ki` };
}

abstract class MetricsREST extends ReadOnlyREST {
  constructor(
    info: ResourceInfo,
    storage: ResourceStorage,
    protected readonly scraper: ResourceMetricsScraper,
  ) {
    super(info, storage);
  }

  protected abstract items(namespace: string | undefined): Promise<KubeObject[]>;
  protected abstract notFound(ctx: RequestContext, name: string): StatusError;

  override async get(ctx: RequestContext, name: string): Promise<KubeObject> {
    const found = (await this.items(this.info.namespaced ? (ctx.namespace ?? '') : undefined)).find((o) => o.metadata.name === name);
    if (!found) throw this.notFound(ctx, name);
    return found;
  }

  override async getIfExists(ctx: RequestContext, name: string): Promise<KubeObject | undefined> {
    return (await this.items(this.info.namespaced ? (ctx.namespace ?? '') : undefined)).find((o) => o.metadata.name === name);
  }

  override async list(opts: { namespace?: string; filter?: WatchFilter }): Promise<ListResult & { itemsJSON?: string[] }> {
    const items = await this.items(opts.namespace);
    return { items: opts.filter ? items.filter(opts.filter) : items, resourceVersion: '' };
  }
}

export class NodeMetricsREST extends MetricsREST {
  constructor(
    info: ResourceInfo,
    storage: ResourceStorage,
    scraper: ResourceMetricsScraper,
    private readonly nodes: Store,
  ) {
    super(info, storage, scraper);
  }

  protected notFound(_ctx: RequestContext, name: string): StatusError {
    return newNotFound({ group: GROUP, resource: 'nodemetrics', name });
  }

  protected async items(): Promise<KubeObject[]> {
    const [usage, nodes] = await Promise.all([this.scraper.usage(), this.nodes.list({})]);
    const now = rfc3339(Date.now());
    const out: NodeMetrics[] = [];
    for (const node of nodes.items) {
      const u = usage.get(node.metadata.name ?? '')?.node;
      if (!u) continue;
      out.push({
        kind: 'NodeMetrics',
        apiVersion: API_VERSION,
        metadata: { name: node.metadata.name, creationTimestamp: now, ...(node.metadata.labels ? { labels: { ...node.metadata.labels } } : {}) },
        timestamp: rfc3339(u.timestamp),
        window: goDuration(u.windowMs),
        usage: usageQuantities(u),
      });
    }
    return out.sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
  }
}

export class PodMetricsREST extends MetricsREST {
  constructor(
    info: ResourceInfo,
    storage: ResourceStorage,
    scraper: ResourceMetricsScraper,
    private readonly pods: Store,
  ) {
    super(info, storage, scraper);
  }

  protected notFound(ctx: RequestContext, name: string): StatusError {
    return newNotFound({ group: GROUP, resource: 'podmetrics', name: `${ctx.namespace ?? ''}/${name}` });
  }

  protected async items(namespace: string | undefined): Promise<KubeObject[]> {
    const [usage, pods] = await Promise.all([this.scraper.usage(), this.pods.list({ namespace, filter: (p) => (p as Pod).status?.phase === 'Running' })]);
    const now = rfc3339(Date.now());
    const out: PodMetrics[] = [];
    for (const pod of pods.items as Pod[]) {
      const key = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
      const containers = usage.get(pod.spec?.nodeName ?? '')?.pods.get(key);
      if (!containers || containers.size === 0) continue;
      const first = [...containers.values()][0];
      out.push({
        kind: 'PodMetrics',
        apiVersion: API_VERSION,
        metadata: {
          name: pod.metadata.name,
          namespace: pod.metadata.namespace,
          creationTimestamp: now,
          ...(pod.metadata.labels ? { labels: { ...pod.metadata.labels } } : {}),
        },
        timestamp: rfc3339(first.timestamp),
        window: goDuration(first.windowMs),
        containers: [...containers].map(([name, u]) => ({ name, usage: usageQuantities(u) })),
      });
    }
    return out;
  }
}
