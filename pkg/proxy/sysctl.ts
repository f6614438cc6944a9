// The kernel settings the proxy's rules depend on. Each is set if it is not
// already, and a failure says which setting, why it is needed and what to do.
import type { CommandRunner } from './exec.js';

export interface RequiredSysctl {
  name: string;
  value: number;
  why: string;
}

export const IP_FORWARD: RequiredSysctl = {
  name: 'net.ipv4.ip_forward',
  value: 1,
  why: 'traffic DNATed to pods on this node is forwarded, not delivered locally',
};
export const ROUTE_LOCALNET: RequiredSysctl = {
  name: 'net.ipv4.conf.all.route_localnet',
  value: 1,
  why: 'NodePorts are also open on 127.0.0.1 (--iptables-localhost-nodeports)',
};
export const BRIDGE_NF_CALL_IPTABLES: RequiredSysctl = {
  name: 'net.bridge.bridge-nf-call-iptables',
  value: 1,
  why: 'a pod reaching a service backed by a pod on the same bridge must pass through iptables (load br_netfilter if /proc/sys/net/bridge is missing)',
};

export async function ensureSysctl(runner: CommandRunner, s: RequiredSysctl): Promise<'unchanged' | 'set'> {
  const where = runner.description ? ` (in ${runner.description})` : '';
  const read = await runner.run('sysctl', ['-n', s.name]);
  if (read.code === 0 && Number(read.stdout.trim()) === s.value) return 'unchanged';
  if (read.code !== 0) {
    throw new Error(
      `cannot read sysctl ${s.name}${where}: ${read.stderr.trim() || `exit ${read.code}`}; the proxy needs ${s.name}=${s.value} because ${s.why}`,
    );
  }
  const write = await runner.run('sysctl', ['-w', `${s.name}=${s.value}`]);
  if (write.code !== 0) {
    throw new Error(
      `cannot set sysctl ${s.name}=${s.value}${where}: ${write.stderr.trim() || `exit ${write.code}`}; it is needed because ${s.why}. Run the proxy as root, or set it on the node (sysctl -w ${s.name}=${s.value}).`,
    );
  }
  return 'set';
}
