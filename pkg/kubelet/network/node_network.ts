// Node network setup: the pods' bridge with the node IP as its address (so the
// node is reachable from the host and from pods), routes so no packet for the
// pod or service ranges ever leaves the machine, IP forwarding, and the CNI
// conflist containerd reads. Idempotent: a restarted kubelet re-runs it.
//
// The service range is routed onto the pods' bridge rather than blackholed: a
// blackhole route drops a pod's packet for a Service without endpoints before
// the proxy's REJECT rule (in FORWARD) can refuse it, and makes the host's own
// connections to a ClusterIP fail before the nat table can DNAT them. On the
// bridge, such packets stay on a network the node made; once the bridge goes,
// the blackhole comes back.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cidrContains, firstIP, parseCIDR } from './cidr.js';
import { CONFLIST_NAME, cniConflist } from './cni.js';

const run = promisify(execFile);

/** The cluster's pod range gets a blackhole route (the node's /24 on the bridge is more specific). */
export const DEFAULT_BLACKHOLE_CIDRS = ['10.244.0.0/16'];
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';

export interface NodeNetworkOptions {
  bridge: string;
  podCIDR: string;
  /** The node IP; the bridge takes it when it lies in podCIDR (else the CIDR's first address). */
  nodeIP: string;
  cniConfDir: string;
  /** host-local's allocation directory for this node. */
  ipamDataDir: string;
  blackholeCIDRs?: string[];
  /** Routed onto the bridge (see above); blackholed again by tearDownNodeNetwork. */
  serviceCIDR?: string;
  log?: (msg: string) => void;
}

export interface NodeNetworkResult {
  gateway: string;
  conflistPath: string;
  /** Blackhole routes this call added (others were already there). */
  addedRoutes: string[];
  createdBridge: boolean;
}

async function ip(args: string[]): Promise<string> {
  try {
    const { stdout } = await run('ip', args);
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

async function linkExists(name: string): Promise<boolean> {
  try {
    await run('ip', ['link', 'show', 'dev', name]);
    return true;
  } catch {
    return false;
  }
}

/** CIDRs of the blackhole routes in the main table. */
export async function blackholeRoutes(): Promise<string[]> {
  const out = await ip(['-4', 'route', 'show', 'type', 'blackhole']);
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[0] === 'blackhole')
    .map((f) => (f[1].includes('/') ? f[1] : `${f[1]}/32`));
}

function writeSysctl(path: string, value: string): boolean {
  try {
    if (readFileSync(path, 'utf8').trim() === value) return true;
    writeFileSync(path, value);
    return true;
  } catch {
    return false;
  }
}

export async function setUpNodeNetwork(o: NodeNetworkOptions): Promise<NodeNetworkResult> {
  if (o.bridge.length > 15) throw new Error(`--cni-bridge ${JSON.stringify(o.bridge)} is longer than 15 characters (Linux's limit for interface names)`);
  const cidr = parseCIDR(o.podCIDR);
  const gateway = cidrContains(cidr, o.nodeIP) ? o.nodeIP : firstIP(cidr);
  const log = o.log ?? (() => undefined);

  let createdBridge = false;
  if (!(await linkExists(o.bridge))) {
    await ip(['link', 'add', o.bridge, 'type', 'bridge']);
    createdBridge = true;
    log(`created bridge ${o.bridge}`);
  }
  const addrs = await ip(['-4', '-o', 'addr', 'show', 'dev', o.bridge]);
  if (!addrs.includes(` ${gateway}/${cidr.prefix} `)) await ip(['addr', 'replace', `${gateway}/${cidr.prefix}`, 'dev', o.bridge]);
  await ip(['link', 'set', o.bridge, 'up']);

  const present = new Set(await blackholeRoutes());
  const addedRoutes: string[] = [];
  for (const c of o.blackholeCIDRs ?? DEFAULT_BLACKHOLE_CIDRS) {
    if (present.has(c)) continue;
    await ip(['route', 'replace', 'blackhole', c]);
    addedRoutes.push(c);
  }
  await ip(['route', 'replace', o.serviceCIDR ?? DEFAULT_SERVICE_CIDR, 'dev', o.bridge, 'src', gateway]);

  if (!writeSysctl('/proc/sys/net/ipv4/ip_forward', '1')) throw new Error('could not set net.ipv4.ip_forward=1 (the kubelet must run as root)');
  // Service traffic between pods on one bridge must pass iptables (kube-proxy's rules); best effort, the module may be absent.
  if (!existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) await run('modprobe', ['br_netfilter']).catch(() => undefined);
  writeSysctl('/proc/sys/net/bridge/bridge-nf-call-iptables', '1');

  mkdirSync(o.cniConfDir, { recursive: true });
  mkdirSync(o.ipamDataDir, { recursive: true });
  const conflistPath = join(o.cniConfDir, CONFLIST_NAME);
  const text = cniConflist({ bridge: o.bridge, podCIDR: o.podCIDR, gateway, ipamDataDir: o.ipamDataDir });
  const old = existsSync(conflistPath) ? readFileSync(conflistPath, 'utf8') : '';
  if (old !== text) writeFileSync(conflistPath, text);
  return { gateway, conflistPath, addedRoutes, createdBridge };
}

/**
 * Undoes setUpNodeNetwork for tests and purge: bridge (and with it the service
 * route), conflist, allocations. Blackhole routes stay (shared, harmless), and
 * the service range gets its blackhole back unless another bridge holds it.
 */
export async function tearDownNodeNetwork(o: Pick<NodeNetworkOptions, 'bridge' | 'cniConfDir' | 'ipamDataDir' | 'serviceCIDR'>): Promise<void> {
  if (await linkExists(o.bridge)) await ip(['link', 'del', o.bridge]);
  const serviceCIDR = o.serviceCIDR ?? DEFAULT_SERVICE_CIDR;
  if (!(await ip(['-4', 'route', 'show', serviceCIDR])).trim()) await ip(['route', 'replace', 'blackhole', serviceCIDR]);
  rmSync(join(o.cniConfDir, CONFLIST_NAME), { force: true });
  rmSync(o.ipamDataDir, { recursive: true, force: true });
}
