// What the node is made of (upstream's cadvisor MachineInfo and the nodeInfo
// setters): cores, memory, disk under the kubelet's root directory, and the
// identity files Kubernetes reports. Parsing is separated from reading so it is
// unit-tested on fixed text.
import { readFileSync, statfsSync } from 'node:fs';
import { cpus, release } from 'node:os';

export interface MachineInfo {
  numCores: number;
  memoryCapacityBytes: number;
  /** Filesystem holding the kubelet's root directory. */
  fsCapacityBytes: number;
  fsAvailableBytes: number;
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  architecture: string;
}

/** MemTotal (or any key) from /proc/meminfo text, in bytes. */
export function parseMeminfo(text: string, key = 'MemTotal'): number | undefined {
  const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** PRETTY_NAME from /etc/os-release text. */
export function parseOSRelease(text: string): string {
  const m = /^PRETTY_NAME=(.*)$/m.exec(text);
  if (!m) return 'Linux';
  return m[1]
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .replace(/^'(.*)'$/, '$1');
}

/** Node's process.arch → GOARCH, which Kubernetes reports. */
export function goArch(arch: string): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[arch] ?? arch;
}

function readTrim(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

export function fsStats(path: string): { capacity: number; available: number; inodes: number; inodesFree: number } {
  const s = statfsSync(path);
  return { capacity: s.blocks * s.bsize, available: s.bavail * s.bsize, inodes: s.files, inodesFree: s.ffree };
}

export function readMachineInfo(rootDir: string): MachineInfo {
  const fs = fsStats(rootDir);
  return {
    numCores: cpus().length,
    memoryCapacityBytes: parseMeminfo(readTrim('/proc/meminfo')) ?? 0,
    fsCapacityBytes: fs.capacity,
    fsAvailableBytes: fs.available,
    machineID: readTrim('/etc/machine-id'),
    systemUUID: readTrim('/sys/class/dmi/id/product_uuid').toLowerCase(),
    bootID: readTrim('/proc/sys/kernel/random/boot_id'),
    kernelVersion: release(),
    osImage: parseOSRelease(readTrim('/etc/os-release')),
    architecture: goArch(process.arch),
  };
}

/** Memory the kernel says is available right now (for MemoryPressure). */
export function memoryAvailableBytes(): number | undefined {
  return parseMeminfo(readTrim('/proc/meminfo'), 'MemAvailable');
}

/** Process IDs in use and the limit (for PIDPressure). */
export function pidStats(): { running: number; max: number } | undefined {
  const max = Number(readTrim('/proc/sys/kernel/pid_max'));
  const loadavg = readTrim('/proc/loadavg'); // "0.00 0.01 0.05 1/123 4567": the 4th field is running/total
  const m = /\s\d+\/(\d+)\s/.exec(loadavg);
  if (!max || !m) return undefined;
  return { running: Number(m[1]), max };
}
