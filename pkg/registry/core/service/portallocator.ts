// NodePort allocation, after k8s pkg/registry/core/service/portallocator: pure helpers over
// the set of ports already used by Services.
import { RangeFullError } from './ipallocator.js';

export interface PortRange {
  base: number;
  size: number;
}

/** --service-node-port-range default: 30000-32767. */
export const DEFAULT_NODE_PORT_RANGE: PortRange = { base: 30000, size: 2768 };

export function formatPortRange(r: PortRange): string {
  return `${r.base}-${r.base + r.size - 1}`;
}

export function portRangeContains(r: PortRange, port: number): boolean {
  return Number.isInteger(port) && port >= r.base && port < r.base + r.size;
}

/** The lowest free port in the range. Throws RangeFullError when every port is used. */
export function allocateNextNodePort(used: ReadonlySet<number>, r: PortRange = DEFAULT_NODE_PORT_RANGE): number {
  for (let p = r.base; p < r.base + r.size; p++) if (!used.has(p)) return p;
  throw new RangeFullError('nodePort');
}

/** Checks a requested nodePort; returns the upstream error detail or undefined when it may be taken. */
export function checkRequestedNodePort(port: number, used: ReadonlySet<number>, r: PortRange = DEFAULT_NODE_PORT_RANGE): string | undefined {
  if (!portRangeContains(r, port)) return `provided port is not in the valid range. The range of valid ports is ${formatPortRange(r)}`;
  if (used.has(port)) return 'provided port is already allocated';
  return undefined;
}
