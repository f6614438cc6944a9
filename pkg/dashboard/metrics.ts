// Pod CPU and memory from metrics.k8s.io. The metrics API serves no watch (as
// upstream's metrics-server), so the server reads it on an interval and pushes
// only the cards whose usage moved; the page itself never polls.
import type { PodMetrics } from '../../api/metrics/v1beta1/types.js';
import type { KubeList } from '../../api/meta/v1/types.js';
import type { APIClient } from './apiclient.js';
import { podKey, usageOf, type Usage } from './viewmodel.js';

export function usageByPod(list: KubeList<PodMetrics>): Map<string, Usage> {
  const out = new Map<string, Usage>();
  for (const m of list.items ?? []) {
    const u = usageOf(m);
    if (u) out.set(podKey(m), u);
  }
  return out;
}

/** Reads pod metrics every intervalMs and hands them to onUsage; returns a stop function. */
export function pollPodMetrics(api: APIClient, intervalMs: number, onUsage: (u: Map<string, Usage>) => void, log: (msg: string) => void): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let failing = false;
  const tick = async () => {
    try {
      onUsage(usageByPod(await api.get<KubeList<PodMetrics>>('/apis/metrics.k8s.io/v1beta1/pods')));
      if (failing) log('metrics: reading pod metrics again');
      failing = false;
    } catch (err) {
      if (!failing) log(`metrics: ${(err as Error).message}; cards show no usage until it answers`);
      failing = true;
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
