// Pod resources → Linux container resources, and the pod's QoS class
// (upstream kuberuntime_container_linux.go, cm helpers and pkg/apis/core/v1/helper/qos).
import { parseQuantity } from '../../../api/resource/quantity.js';
import { getPodQOS } from '../../../api/core/v1/pod.js';
import type { QOSClass } from '../../../api/core/v1/pod.js';
import type { Container, Pod } from '../../../api/core/v1/types.js';
import type { ResourceList } from '../types.js';

export const MIN_SHARES = 2;
export const MAX_SHARES = 262144;
export const SHARES_PER_CPU = 1024;
export const QUOTA_PERIOD = 100_000; // µs, the CFS default
export const MIN_QUOTA_PERIOD = 1000;

/** Millicores of a cpu quantity, rounded up as Quantity.MilliValue does. */
export function milliCPU(q: string | number | undefined): number {
  const v = parseQuantity(q);
  if (v === undefined || v <= 0) return 0;
  return Math.ceil(v * 1000 - 1e-9);
}

/** Bytes of a memory quantity, rounded up. */
export function bytesOf(q: string | number | undefined): number {
  const v = parseQuantity(q);
  if (v === undefined || v <= 0) return 0;
  return Math.ceil(v - 1e-9);
}

/** cgroup cpu.shares for a cpu request: 1024 per core, at least 2. */
export function milliCPUToShares(milli: number): number {
  if (milli === 0) return MIN_SHARES;
  const shares = Math.floor((milli * SHARES_PER_CPU) / 1000);
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, shares));
}

/** CFS quota (µs per period) for a cpu limit; 0 means unlimited. */
export function milliCPUToQuota(milli: number, period = QUOTA_PERIOD): number {
  if (milli === 0) return 0;
  return Math.max(MIN_QUOTA_PERIOD, Math.floor((milli * period) / 1000));
}

/**
 * qos.GetContainerOOMScoreAdjust, shifted so it is never negative: upstream gives
 * Guaranteed pods -997, which these machines refuse even to root (containerd runs
 * with restrict_oom_score_adj). Guaranteed gets 0 instead; the order
 * Guaranteed < Burstable (3..999) < BestEffort (1000) is kept.
 */
export function containerOOMScoreAdjust(pod: Pod, container: Container, memoryCapacity: number): number {
  const qos = getPodQOS(pod);
  if (qos === 'Guaranteed') return 0;
  if (qos === 'BestEffort') return 1000;
  const request = bytesOf(container.resources?.requests?.memory);
  if (memoryCapacity <= 0) return 999;
  const adj = Math.floor(1000 - (1000 * request) / memoryCapacity);
  // Burstable stays strictly between Guaranteed and BestEffort.
  if (adj < 3) return 3;
  if (adj >= 1000) return 999;
  return adj;
}

export interface LinuxResourcesInput {
  cpuShares: number;
  cpuQuota: number;
  cpuPeriod: number;
  memoryLimitInBytes: number;
  oomScoreAdj: number;
}

/** generateLinuxContainerResources: shares from the request (or the limit when only that is set), quota from the limit. */
export function linuxContainerResources(pod: Pod, container: Container, memoryCapacity: number): LinuxResourcesInput {
  const cpuRequest = milliCPU(container.resources?.requests?.cpu);
  const cpuLimit = milliCPU(container.resources?.limits?.cpu);
  const cpuShares = cpuRequest === 0 && cpuLimit !== 0 ? milliCPUToShares(cpuLimit) : milliCPUToShares(cpuRequest);
  return {
    cpuShares,
    cpuQuota: milliCPUToQuota(cpuLimit),
    cpuPeriod: QUOTA_PERIOD,
    memoryLimitInBytes: bytesOf(container.resources?.limits?.memory),
    oomScoreAdj: containerOOMScoreAdjust(pod, container, memoryCapacity),
  };
}
