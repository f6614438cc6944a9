// The Node object the kubelet registers and the status it reports (upstream
// kubelet_node_status.go and nodestatus/setters.go), as pure functions of what was
// measured, so capacity and conditions are unit-tested.
import type { ContainerImage, Node, NodeCondition, NodeStatus } from '../../../api/core/v1/types.js';
import type { ResourceList } from '../types.js';
import type { MachineInfo } from './machine.js';

/** Reported as nodeInfo.kubeletVersion (the API the kubelet follows, marked as ours). */
export const KUBELET_VERSION = 'v1.32.0-timonel';

/** Hard eviction defaults: memory.available<100Mi, nodefs.available<10%, pid.available<... (none upstream; 5% here). */
export const EVICTION_MEMORY_AVAILABLE_BYTES = 100 * 1024 * 1024;
export const EVICTION_NODEFS_AVAILABLE_FRACTION = 0.1;
export const EVICTION_PID_AVAILABLE_FRACTION = 0.05;

/** At most this many images in status.images (upstream nodeStatusMaxImages). */
export const NODE_STATUS_MAX_IMAGES = 50;

export interface NodeConfig {
  nodeName: string;
  nodeIP: string;
  hostname: string;
  podCIDR?: string;
  maxPods: number;
  kubeletPort: number;
}

export interface RuntimeState {
  /** "containerd://1.6.20" */
  containerRuntimeVersion: string;
  /** Empty when the runtime and its network are ready; otherwise why not (Ready=False's message). */
  runtimeError: string;
}

export interface Pressure {
  memoryAvailableBytes?: number;
  fsAvailableBytes?: number;
  pids?: { running: number; max: number };
}

function kib(bytes: number): string {
  return `${Math.floor(bytes / 1024)}Ki`;
}

export function nodeCapacity(m: MachineInfo, maxPods: number): ResourceList {
  return {
    cpu: String(m.numCores),
    'ephemeral-storage': kib(m.fsCapacityBytes),
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: kib(m.memoryCapacityBytes),
    pods: String(maxPods),
  };
}

/** Capacity minus the hard eviction thresholds (no system/kube reserved by default, as upstream). */
export function nodeAllocatable(m: MachineInfo, maxPods: number): ResourceList {
  const memory = Math.max(0, m.memoryCapacityBytes - EVICTION_MEMORY_AVAILABLE_BYTES);
  const storage = Math.max(0, Math.floor(m.fsCapacityBytes * (1 - EVICTION_NODEFS_AVAILABLE_FRACTION)));
  return {
    cpu: String(m.numCores),
    'ephemeral-storage': String(storage),
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: kib(memory),
    pods: String(maxPods),
  };
}

export function nodeLabels(cfg: NodeConfig, arch: string): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': cfg.hostname,
    'kubernetes.io/os': 'linux',
  };
}

/** The Node as first registered. */
export function initialNode(cfg: NodeConfig, m: MachineInfo): Node {
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: cfg.nodeName,
      labels: nodeLabels(cfg, m.architecture),
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: {},
  };
  if (cfg.podCIDR) node.spec = { podCIDR: cfg.podCIDR, podCIDRs: [cfg.podCIDR] };
  return node;
}

function cond(type: string, isTrue: boolean, reason: string, message: string, now: string, old: NodeCondition[] | undefined): NodeCondition {
  const status = isTrue ? 'True' : 'False';
  const prev = old?.find((c) => c.type === type);
  return {
    type,
    status,
    lastHeartbeatTime: now,
    lastTransitionTime: prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now,
    reason,
    message,
  };
}

export function nodeConditions(runtime: RuntimeState, p: Pressure, m: MachineInfo, now: string, old: NodeCondition[] | undefined): NodeCondition[] {
  const memPressure = p.memoryAvailableBytes !== undefined && p.memoryAvailableBytes < EVICTION_MEMORY_AVAILABLE_BYTES;
  const diskPressure = p.fsAvailableBytes !== undefined && m.fsCapacityBytes > 0 && p.fsAvailableBytes < m.fsCapacityBytes * EVICTION_NODEFS_AVAILABLE_FRACTION;
  const pidPressure = !!p.pids && p.pids.max - p.pids.running < p.pids.max * EVICTION_PID_AVAILABLE_FRACTION;
  return [
    memPressure
      ? cond('MemoryPressure', true, 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available', now, old)
      : cond('MemoryPressure', false, 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', now, old),
    diskPressure
      ? cond('DiskPressure', true, 'KubeletHasDiskPressure', 'kubelet has disk pressure', now, old)
      : cond('DiskPressure', false, 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', now, old),
    pidPressure
      ? cond('PIDPressure', true, 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available', now, old)
      : cond('PIDPressure', false, 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', now, old),
    runtime.runtimeError
      ? cond('Ready', false, 'KubeletNotReady', runtime.runtimeError, now, old)
      : cond('Ready', true, 'KubeletReady', 'kubelet is posting ready status', now, old),
  ];
}

/** Images for status.images: largest first, at most NODE_STATUS_MAX_IMAGES. */
export function nodeImages(images: Array<{ repoTags: string[]; repoDigests: string[]; size: number }>): ContainerImage[] {
  return [...images]
    .sort((a, b) => b.size - a.size)
    .slice(0, NODE_STATUS_MAX_IMAGES)
    .map((i) => ({ names: [...i.repoDigests, ...i.repoTags], sizeBytes: i.size }))
    .filter((i) => i.names.length > 0);
}

export function nodeStatus(
  cfg: NodeConfig,
  m: MachineInfo,
  runtime: RuntimeState,
  p: Pressure,
  images: ContainerImage[],
  now: string,
  old: NodeStatus | undefined,
): NodeStatus {
  return {
    capacity: nodeCapacity(m, cfg.maxPods),
    allocatable: nodeAllocatable(m, cfg.maxPods),
    conditions: nodeConditions(runtime, p, m, now, old?.conditions),
    addresses: [
      { type: 'InternalIP', address: cfg.nodeIP },
      { type: 'Hostname', address: cfg.hostname },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: cfg.kubeletPort } },
    nodeInfo: {
      machineID: m.machineID,
      systemUUID: m.systemUUID,
      bootID: m.bootID,
      kernelVersion: m.kernelVersion,
      osImage: m.osImage,
      containerRuntimeVersion: runtime.containerRuntimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: m.architecture,
    },
    images,
  };
}

/** The status without heartbeat times: what decides whether a report is needed before the 5-minute one. */
export function statusFingerprint(s: NodeStatus): string {
  const conditions = (s.conditions ?? []).map((c) => ({ ...c, lastHeartbeatTime: undefined }));
  return JSON.stringify({ ...s, conditions });
}
