// A pod's resource requests as the scheduler counts them (upstream
// component-helpers resource.PodRequests): max(sum of app containers, each init
// container) plus the pod overhead, in milli-CPU, bytes and integer counts.
import { parseQuantity } from '../../../../api/resource/quantity.js';
import type { Container, Pod } from '../../../../api/core/v1/types.js';
import type { ResourceList } from '../../framework/types.js';

/** Defaults upstream scores with for containers that request nothing (schedutil.DefaultMilliCPURequest / DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** cpu in millicores (rounded up, like Quantity.MilliValue), everything else rounded up to an integer (Quantity.Value). */
export function quantityToAmount(resource: string, q: unknown): number {
  const v = parseQuantity(q);
  if (v === undefined) return 0;
  return resource === 'cpu' ? Math.ceil(v * 1000 - 1e-9) : Math.ceil(v - 1e-9);
}

export function resourceListFrom(list: Record<string, string | number> | undefined): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(list ?? {})) out[k] = quantityToAmount(k, v);
  return out;
}

function containerRequests(c: Container, nonZero: boolean): ResourceList {
  const r = resourceListFrom(c.resources?.requests);
  if (nonZero) {
    if (!r.cpu) r.cpu = DEFAULT_MILLI_CPU_REQUEST;
    if (!r.memory) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

function addInto(dst: ResourceList, src: ResourceList): void {
  for (const [k, v] of Object.entries(src)) dst[k] = (dst[k] ?? 0) + v;
}

function maxInto(dst: ResourceList, src: ResourceList): void {
  for (const [k, v] of Object.entries(src)) if (v > (dst[k] ?? 0)) dst[k] = v;
}

function isRestartableInit(c: Container): boolean {
  return c.restartPolicy === 'Always';
}

// Pods from the informer are never mutated (an update is a new object), so the
// requests are computed once per pod object: Filter and Score ask per node.
const requestsCache = new WeakMap<Pod, ResourceList>();
const nonZeroCache = new WeakMap<Pod, ResourceList>();

/**
 * The pod's effective request. nonZero substitutes 100m / 200Mi for containers
 * without a cpu / memory request, as upstream does for scoring only.
 * Sidecars (restartable init containers) run alongside the app containers, so
 * they add to the sum, and to every later init container's footprint.
 * The result is shared: do not mutate it.
 */
export function podRequests(pod: Pod, opts: { nonZero?: boolean } = {}): ResourceList {
  const nonZero = opts.nonZero ?? false;
  const cache = nonZero ? nonZeroCache : requestsCache;
  let reqs = cache.get(pod);
  if (!reqs) {
    reqs = computePodRequests(pod, nonZero);
    cache.set(pod, reqs);
  }
  return reqs;
}

const nonZeroCpuMemoryCache = new WeakMap<Pod, ResourceList>();

/** The cpu and memory of the non-zero request: what NodeInfo.nonZeroRequested sums for the scorers. Do not mutate. */
export function nonZeroRequests(pod: Pod): ResourceList {
  let r = nonZeroCpuMemoryCache.get(pod);
  if (!r) {
    const all = podRequests(pod, { nonZero: true });
    r = { cpu: all.cpu ?? 0, memory: all.memory ?? 0 };
    nonZeroCpuMemoryCache.set(pod, r);
  }
  return r;
}

function computePodRequests(pod: Pod, nonZero: boolean): ResourceList {
  const reqs: ResourceList = {};
  for (const c of pod.spec?.containers ?? []) addInto(reqs, containerRequests(c, nonZero));
  const sidecars: ResourceList = {};
  const initMax: ResourceList = {};
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (isRestartableInit(c)) {
      addInto(sidecars, r);
      addInto(reqs, r);
      maxInto(initMax, sidecars);
    } else {
      const step = { ...r };
      addInto(step, sidecars);
      maxInto(initMax, step);
    }
  }
  maxInto(reqs, initMax);
  if (pod.spec?.overhead) addInto(reqs, resourceListFrom(pod.spec.overhead));
  return reqs;
}

/**
 * v1helper.IsScalarResourceName: extended resources (domain-qualified, not in
 * kubernetes.io), hugepages-*, attachable-volumes-*; these are checked by name.
 */
export function isScalarResourceName(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  if (!name.includes('/')) return false;
  if (name.startsWith('requests.')) return false;
  const domain = name.slice(0, name.indexOf('/'));
  return domain !== 'kubernetes.io' && !domain.endsWith('.kubernetes.io');
}
