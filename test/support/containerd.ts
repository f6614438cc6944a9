// A containerd of a test's own: Timonel's config in a state dir, a CNI bridge
// conflist for the test's own bridge and subnet (tests run side by side, so no
// two share one), a CRI client, and a tear-down that leaves nothing behind.
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRIClient } from '../../pkg/cri/client.js';
import {
  mountsUnder,
  purgeContainerdState,
  removeAllPods,
  spawnContainerd,
  stopContainerd,
  waitContainerdReady,
  writeContainerdConfig,
  type ContainerdPaths,
} from '../../pkg/cluster/containerd.js';

export interface TestNetwork {
  /** The Linux bridge the CNI bridge plugin makes, deleted on shutdown. */
  bridge: string;
  /** The pods' subnet, e.g. 10.244.201.0/24. */
  subnet: string;
}

export interface TestContainerdOptions {
  /** The local registry URL containerd uses as its docker.io / registry.k8s.io mirror. */
  registryMirror: string;
  /** The state dir, when the test made it (stop() removes it); otherwise one is made from tmpPrefix. */
  stateDir?: string;
  /** mkdtemp prefix for the state dir made here (default /tmp/timonel-containerd-). */
  tmpPrefix?: string;
  /** The pod network for pods started by raw CRI calls; unset when something else (the kubelet) writes the CNI config. */
  network?: TestNetwork;
  /** Keep containerd's dirs after the purge (purgeContainerdState's removeDirs = false). */
  keepState?: boolean;
}

export interface TestContainerd {
  stateDir: string;
  paths: ContainerdPaths;
  child: ChildProcess;
  cri: CRIClient;
  /** Every pod removed, the client closed, containerd stopped, its state purged and the bridge deleted. */
  shutdown(): Promise<void>;
  /** shutdown(), then no mount may be left under the state dir (asserted), which is removed. */
  stop(): Promise<void>;
}

/** The bridge plugin on the test's own bridge, host-local IPAM with its data under the state dir, and portmap. */
export function writeBridgeConflist(paths: ContainerdPaths, stateDir: string, net: TestNetwork): void {
  const conflist = {
    cniVersion: '1.0.0',
    name: net.bridge,
    plugins: [
      {
        type: 'bridge',
        bridge: net.bridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: net.subnet }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: join(stateDir, 'cni', 'ipam') },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
  writeFileSync(join(paths.cniConfDir, `10-${net.bridge}.conflist`), JSON.stringify(conflist, null, 2));
}

/** Deletes a bridge; one never made (or already gone) is fine. */
export function deleteBridge(bridge: string): void {
  try {
    execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
  } catch {
    // Never created, or already gone.
  }
}

export async function startTestContainerd(opts: TestContainerdOptions): Promise<TestContainerd> {
  const madeHere = !opts.stateDir;
  const stateDir = opts.stateDir ?? mkdtempSync(opts.tmpPrefix ?? '/tmp/timonel-containerd-');
  const paths = writeContainerdConfig({ stateDir, registryMirror: opts.registryMirror });
  if (opts.network) writeBridgeConflist(paths, stateDir, opts.network);
  const child = spawnContainerd(paths);
  const cri = new CRIClient(paths.socket);

  let down: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (down ??= (async () => {
      await removeAllPods(cri).catch(() => undefined);
      cri.close();
      await stopContainerd(child);
      purgeContainerdState(paths, !opts.keepState);
      if (opts.network) deleteBridge(opts.network.bridge);
    })());
  const stop = async (): Promise<void> => {
    await shutdown();
    // Checked before the rm: a recursive rm would go down into anything still mounted.
    assert.deepEqual(mountsUnder(stateDir), [], 'mounts left under the state dir');
    rmSync(stateDir, { recursive: true, force: true });
  };

  try {
    await waitContainerdReady(paths.socket, 30_000, () => child.exitCode === null);
  } catch (err) {
    // Nothing is handed back, so nothing of this start may stay behind either.
    await (madeHere ? stop() : shutdown()).catch(() => undefined);
    throw err;
  }
  return { stateDir, paths, child, cri, shutdown, stop };
}
