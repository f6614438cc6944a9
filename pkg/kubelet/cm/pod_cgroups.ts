// Pod cgroups with the cgroupfs driver (upstream cm/pod_container_manager):
// every pod gets a parent cgroup under kubepods by QoS class —
// /kubepods/pod<uid> (Guaranteed), /kubepods/burstable/pod<uid>,
// /kubepods/besteffort/pod<uid> — and its sandbox and containers are created
// beneath it by the runtime (runc creates missing directories). The kubelet only
// removes a pod's directories once the pod is gone, since runc leaves the parent.
import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import type { QOSClass } from '../../../api/core/v1/pod.js';

export const CGROUP_FS_ROOT = '/sys/fs/cgroup';

/** The pod's cgroup parent as passed to the runtime (LinuxPodSandboxConfig.cgroup_parent). */
export function podCgroupParent(cgroupRoot: string, qos: QOSClass, podUID: string): string {
  const base = join('/', cgroupRoot, 'kubepods');
  const pod = `pod${podUID}`;
  if (qos === 'Guaranteed') return join(base, pod);
  return join(base, qos.toLowerCase(), pod);
}

/** Every cgroup v1 hierarchy mounted under /sys/fs/cgroup (cpu, memory, pids, name=systemd, ...). */
function hierarchies(fsRoot: string): string[] {
  try {
    return readdirSync(fsRoot, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(fsRoot, d.name));
  } catch {
    return [];
  }
}

/** Removes a cgroup directory bottom-up (cgroupfs only lets empty directories go; files inside are virtual). */
function removeCgroupTree(dir: string): void {
  let entries: string[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return;
  }
  for (const e of entries) removeCgroupTree(join(dir, e));
  try {
    rmdirSync(dir);
  } catch {
    // Still has tasks (a process the runtime has not reaped yet): a later cleanup tries again.
  }
}

/** Removes the pod's cgroup in every hierarchy where it exists, whatever its QoS class was. */
export function removePodCgroups(cgroupRoot: string, podUID: string, fsRoot = CGROUP_FS_ROOT): void {
  const candidates = (['Guaranteed', 'Burstable', 'BestEffort'] as QOSClass[]).map((q) => podCgroupParent(cgroupRoot, q, podUID));
  for (const h of hierarchies(fsRoot)) {
    for (const c of candidates) {
      const dir = join(h, c);
      if (existsSync(dir)) removeCgroupTree(dir);
    }
  }
}

/** Pod UIDs that have a cgroup under kubepods (for cleaning up after pods the kubelet no longer knows). */
export function podUIDsWithCgroups(cgroupRoot: string, fsRoot = CGROUP_FS_ROOT): Set<string> {
  const out = new Set<string>();
  const base = join('/', cgroupRoot, 'kubepods');
  const memory = join(fsRoot, 'memory', base);
  for (const dir of [memory, join(memory, 'burstable'), join(memory, 'besteffort')]) {
    try {
      for (const d of readdirSync(dir)) if (d.startsWith('pod')) out.add(d.slice(3));
    } catch {
      // hierarchy or directory missing
    }
  }
  return out;
}
