// NodePorts: a pod's hostPorts must be free on the node. 0.0.0.0 (or no hostIP)
// conflicts with every address for the same protocol and port.
import type { Pod } from '../../../../api/core/v1/types.js';
import { CycleState, SKIP, SUCCESS, unschedulable } from '../../framework/types.js';
import type { FilterPlugin, NodeInfo, PreFilterPlugin, Status } from '../../framework/types.js';
import { podHostPorts } from '../helper/nodeinfo.js';

export const NAME = 'NodePorts';
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";
const STATE_KEY = 'PreFilter' + NAME;

interface HostPort {
  protocol: string;
  ip: string;
  port: string;
}

function parse(key: string): HostPort {
  const first = key.indexOf('/');
  const last = key.lastIndexOf('/');
  const ip = key.slice(first + 1, last);
  return { protocol: key.slice(0, first) || 'TCP', ip: ip === '' ? '0.0.0.0' : ip, port: key.slice(last + 1) };
}

export function portsConflict(wanted: HostPort[], used: Set<string>): boolean {
  if (wanted.length === 0 || used.size === 0) return false;
  const inUse = [...used].map(parse);
  for (const w of wanted) {
    for (const u of inUse) {
      if (u.protocol !== w.protocol || u.port !== w.port) continue;
      if (w.ip === '0.0.0.0' || u.ip === '0.0.0.0' || u.ip === w.ip) return true;
    }
  }
  return false;
}

export class NodePorts implements PreFilterPlugin, FilterPlugin {
  readonly name = NAME;

  preFilter(state: CycleState, pod: Pod): { status: Status } {
    const wanted = podHostPorts(pod).map(parse);
    state.write(STATE_KEY, wanted);
    // No host ports: nothing can conflict (upstream's PreFilter Skip).
    return { status: wanted.length ? SUCCESS : SKIP };
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const wanted = state.read<HostPort[]>(STATE_KEY) ?? podHostPorts(pod).map(parse);
    if (portsConflict(wanted, nodeInfo.usedPorts)) return { ...unschedulable(ERR_REASON), plugin: NAME };
    return SUCCESS;
  }
}
