// A whole one-machine cluster for e2e tests, started the way a user starts it:
// `timonel up` with a throwaway data directory, free control-plane ports and a
// pod CIDR + bridge of the test's own, so it never meets a user's cluster.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from '../../pkg/cluster/process.js';

const run = promisify(execFile);
export const TIMONEL = new URL('../../cmd/timonel/main.js', import.meta.url).pathname;

export interface UpCluster {
  dataDir: string;
  flags: string[];
  kubeconfig: string;
  env: NodeJS.ProcessEnv;
  timonel(args: string[]): Promise<{ stdout: string; stderr: string }>;
  kubectl(args: string[], opts?: { allowFail?: boolean; input?: string }): Promise<{ stdout: string; stderr: string; code: number }>;
  /** Starts a long-running kubectl (logs -f, port-forward); the caller kills it. */
  kubectlSpawn(args: string[]): ChildProcess;
  pid(component: string): number;
  down(): Promise<void>;
}

/** podCIDR is the node's /24; it must differ between test files that may overlap. */
export async function timonelUp(opts: {
  podCIDR: string;
  bridge: string;
  proxyMode?: 'iptables' | 'nftables';
  extraFlags?: string[];
}): Promise<UpCluster & { upOutput: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'timonel-e2e-'));
  const [securePort, etcdClientPort, etcdPeerPort] = await freePorts(3);
  const flags = [
    '--data-dir',
    dataDir,
    '--secure-port',
    String(securePort),
    '--etcd-client-port',
    String(etcdClientPort),
    '--etcd-peer-port',
    String(etcdPeerPort),
    '--pod-cidr',
    opts.podCIDR,
    '--cni-bridge',
    opts.bridge,
    ...(opts.proxyMode ? ['--proxy-mode', opts.proxyMode] : []),
    ...(opts.extraFlags ?? []),
  ];
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dataDir, KUBECACHEDIR: join(dataDir, 'kubecache') };
  const c: UpCluster = {
    dataDir,
    flags,
    kubeconfig,
    env,
    timonel: (args) => run(process.execPath, [TIMONEL, ...args, ...flags], { maxBuffer: 16 << 20 }),
    kubectl: async (args, o = {}) => {
      const child = run('kubectl', args, { env, maxBuffer: 64 << 20 });
      if (o.input !== undefined) {
        child.child.stdin?.end(o.input);
      }
      try {
        const { stdout, stderr } = await child;
        return { stdout, stderr, code: 0 };
      } catch (e) {
        const err = e as { stdout: string; stderr: string; code: number };
        if (!o.allowFail) throw new Error(`kubectl ${args.join(' ')} failed (${err.code}): ${err.stderr}`);
        return { stdout: err.stdout, stderr: err.stderr, code: err.code };
      }
    },
    kubectlSpawn: (args) => spawn('kubectl', args, { env, stdio: ['ignore', 'pipe', 'pipe'] }),
    pid: (component) => Number(readFileSync(join(dataDir, 'run', `${component}.pid`), 'utf8')),
    down: async () => {
      await run(process.execPath, [TIMONEL, 'down', '--purge', ...flags]).catch((e: Error) => process.stderr.write(`timonel down: ${e.message}\n`));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    const { stdout } = await c.timonel(['up']);
    return { ...c, upOutput: stdout };
  } catch (e) {
    await c.down();
    throw e;
  }
}
