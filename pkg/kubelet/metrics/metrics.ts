// The kubelet's own metrics (upstream pkg/kubelet/metrics), served at /metrics, and the
// prober's at /metrics/probes, each on a prom-client registry of its own (two kubelets in
// one process, as tests run them, do not mix). Counts of running pods and containers are
// read at scrape time from the PLEG's last relist.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Upstream's pod start buckets, 0.5 s to an hour. */
const POD_START_BUCKETS = [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];
/** prometheus.DefBuckets. */
const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** ExponentialBuckets(.005, 2.5, 14). */
const RUNTIME_BUCKETS = Array.from({ length: 14 }, (_, i) => Number((0.005 * 2.5 ** i).toPrecision(6)));
/** ExponentialBuckets(0.005, 2, 10). */
const RELIST_BUCKETS = Array.from({ length: 10 }, (_, i) => 0.005 * 2 ** i);

export interface RunningCounts {
  /** Pods with a ready sandbox. */
  pods: number;
  /** Containers by state: running, exited, created, unknown. */
  containers: Map<string, number>;
}

export type ProbeType = 'Liveness' | 'Readiness' | 'Startup';
export type ProbeResultLabel = 'successful' | 'failed' | 'unknown';

export class KubeletMetrics {
  readonly registry = new Registry();
  readonly probesRegistry = new Registry();
  readonly podStartDuration: Histogram;
  readonly podStartSLIDuration: Histogram;
  readonly podWorkerDuration: Histogram<'operation'>;
  private readonly runtimeOperations: Counter<'operation_type'>;
  private readonly runtimeOperationsErrors: Counter<'operation_type'>;
  private readonly runtimeOperationsDuration: Histogram<'operation_type'>;
  readonly plegRelistDuration: Histogram;
  private readonly probeTotal: Counter<'probe_type' | 'result' | 'container' | 'pod' | 'namespace' | 'pod_uid'>;
  private counts?: () => RunningCounts;
  /** The probe series of each pod (by UID), removed with the pod. */
  private readonly probeSeries = new Map<string, Map<string, Record<string, string>>>();

  constructor(nodeName: string) {
    const registers = [this.registry];
    new Gauge({ name: 'kubelet_node_name', help: "The node's name. The count is always 1.", labelNames: ['node'], registers }).set({ node: nodeName }, 1);
    const self = this;
    new Gauge({
      name: 'kubelet_running_pods',
      help: 'Number of pods that have a running pod sandbox',
      registers,
      collect() {
        this.set(self.counts?.().pods ?? 0);
      },
    });
    new Gauge({
      name: 'kubelet_running_containers',
      help: 'Number of containers currently running',
      labelNames: ['container_state'],
      registers,
      collect() {
        const c = self.counts?.().containers ?? new Map<string, number>();
        for (const state of ['running', 'exited', 'created', 'unknown']) this.set({ container_state: state }, c.get(state) ?? 0);
      },
    });
    this.podStartDuration = new Histogram({
      name: 'kubelet_pod_start_duration_seconds',
      help: 'Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run',
      buckets: POD_START_BUCKETS,
      registers,
    });
    this.podStartSLIDuration = new Histogram({
      name: 'kubelet_pod_start_sli_duration_seconds',
      help: 'Duration in seconds to start a pod, excluding time to pull images and run init containers, measured from pod creation timestamp to when all its containers are reported as started and observed via watch',
      buckets: POD_START_BUCKETS,
      registers,
    });
    this.podWorkerDuration = new Histogram({
      name: 'kubelet_pod_worker_duration_seconds',
      help: 'Duration in seconds to sync a single pod. Broken down by operation type: create, update, or sync',
      labelNames: ['operation'],
      buckets: DEFAULT_BUCKETS,
      registers,
    });
    this.runtimeOperations = new Counter({
      name: 'kubelet_runtime_operations_total',
      help: 'Cumulative number of runtime operations by operation type.',
      labelNames: ['operation_type'],
      registers,
    });
    this.runtimeOperationsErrors = new Counter({
      name: 'kubelet_runtime_operations_errors_total',
      help: 'Cumulative number of runtime operation errors by operation type.',
      labelNames: ['operation_type'],
      registers,
    });
    this.runtimeOperationsDuration = new Histogram({
      name: 'kubelet_runtime_operations_duration_seconds',
      help: 'Duration in seconds of runtime operations. Broken down by operation type.',
      labelNames: ['operation_type'],
      buckets: RUNTIME_BUCKETS,
      registers,
    });
    this.plegRelistDuration = new Histogram({
      name: 'kubelet_pleg_relist_duration_seconds',
      help: 'Duration in seconds for relisting pods in PLEG.',
      buckets: RELIST_BUCKETS,
      registers,
    });
    this.probeTotal = new Counter({
      name: 'prober_probe_total',
      help: 'Cumulative number of a liveness, readiness or startup probe for a container by result.',
      labelNames: ['probe_type', 'result', 'container', 'pod', 'namespace', 'pod_uid'],
      registers: [this.probesRegistry],
    });
  }

  /** Where kubelet_running_pods and kubelet_running_containers read their counts at scrape time. */
  setRunningCountsSource(source: () => RunningCounts): void {
    this.counts = source;
  }

  /** One CRI call: rpc as the service names it (RunPodSandbox), labelled as upstream (run_podsandbox). */
  observeRuntimeOperation(rpc: string, seconds: number, failed: boolean): void {
    const operationType = runtimeOperationType(rpc);
    this.runtimeOperations.inc({ operation_type: operationType });
    if (failed) this.runtimeOperationsErrors.inc({ operation_type: operationType });
    this.runtimeOperationsDuration.observe({ operation_type: operationType }, seconds);
  }

  observeProbe(probeType: ProbeType, result: ProbeResultLabel, container: string, pod: string, namespace: string, podUID: string): void {
    const labels = { probe_type: probeType, result, container, pod, namespace, pod_uid: podUID };
    this.probeTotal.inc(labels);
    let series = this.probeSeries.get(podUID);
    if (!series) this.probeSeries.set(podUID, (series = new Map()));
    series.set(`${probeType}/${result}/${container}`, labels);
  }

  /** Drops a removed pod's prober_probe_total series, as upstream does when its probe workers stop. */
  forgetProbes(podUID: string): void {
    for (const labels of this.probeSeries.get(podUID)?.values() ?? []) this.probeTotal.remove(labels);
    this.probeSeries.delete(podUID);
  }
}

/** CamelCase RPC name to upstream's operation_type: RunPodSandbox → run_podsandbox, ListContainerStats → list_container_stats. */
export function runtimeOperationType(rpc: string): string {
  return rpc
    .replace(/PodSandbox/g, 'Podsandbox')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
