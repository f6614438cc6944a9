// The raw CRI ceiling for the kubelet burst benchmark: n busybox `sleep` pods
// (sandbox + one container) started and torn down by direct CRI calls, no
// Timonel in between. The kubelet cannot beat this; it should come close.
// The caller provides a running containerd whose CNI conflist is in place.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CRIClient, PodSandboxConfig__Input } from '../../pkg/cri/client.js';

export interface CRIBurstOptions {
  /** Pods in flight at once (default 10). */
  concurrency?: number;
  /** Where the container logs go; a temp dir (removed afterwards) by default. */
  logRoot?: string;
  /** Pod name prefix, also used as the namespace label so runs do not collide (default 'cri-burst'). */
  prefix?: string;
}

export interface CRIBurstResult {
  upSeconds: number;
  downSeconds: number;
}

async function forEachLimited(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) await fn(i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

/**
 * Starts n pods (RunPodSandbox, CreateContainer, StartContainer) and then stops
 * and removes them (StopContainer without grace, RemoveContainer,
 * StopPodSandbox, RemovePodSandbox), timing each phase. The image is pulled
 * beforehand if missing, outside the timing.
 */
export async function criBurst(cri: CRIClient, n: number, image: string, opts: CRIBurstOptions = {}): Promise<CRIBurstResult> {
  const concurrency = opts.concurrency ?? 10;
  const prefix = opts.prefix ?? 'cri-burst';
  const ownLogRoot = opts.logRoot === undefined;
  const logRoot = opts.logRoot ?? mkdtempSync(join(tmpdir(), 'cri-burst-'));
  if (!(await cri.image.imageStatus({ image: { image } })).image) await cri.image.pullImage({ image: { image } });

  const pods: { sandboxId: string; containerId: string }[] = new Array(n);
  try {
    const upStart = performance.now();
    await forEachLimited(n, concurrency, async (i) => {
      const name = `${prefix}-${i}`;
      const uid = `${prefix}-uid-${i}`;
      const config: PodSandboxConfig__Input = {
        metadata: { name, namespace: prefix, uid, attempt: 0 },
        hostname: name,
        logDirectory: join(logRoot, `${prefix}_${name}_${uid}`),
        labels: { 'io.kubernetes.pod.name': name, 'io.kubernetes.pod.namespace': prefix, 'io.kubernetes.pod.uid': uid },
        linux: { securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
      };
      mkdirSync(config.logDirectory as string, { recursive: true });
      const { podSandboxId } = await cri.runtime.runPodSandbox({ config });
      pods[i] = { sandboxId: podSandboxId, containerId: '' };
      const { containerId } = await cri.runtime.createContainer({
        podSandboxId,
        sandboxConfig: config,
        config: {
          metadata: { name: 'c', attempt: 0 },
          image: { image },
          command: ['sleep', '3600'],
          logPath: 'c/0.log',
          labels: { 'io.kubernetes.container.name': 'c' },
        },
      });
      pods[i].containerId = containerId;
      await cri.runtime.startContainer({ containerId });
    });
    const upSeconds = (performance.now() - upStart) / 1000;

    const downStart = performance.now();
    await forEachLimited(n, concurrency, async (i) => {
      const { sandboxId, containerId } = pods[i];
      await cri.runtime.stopContainer({ containerId, timeout: 0 });
      await cri.runtime.removeContainer({ containerId });
      await cri.runtime.stopPodSandbox({ podSandboxId: sandboxId });
      await cri.runtime.removePodSandbox({ podSandboxId: sandboxId });
    });
    const downSeconds = (performance.now() - downStart) / 1000;
    return { upSeconds, downSeconds };
  } finally {
    // After a failure, leave no pods behind for the next bench.
    await Promise.all(
      pods.filter(Boolean).map(async ({ sandboxId }) => {
        await cri.runtime.stopPodSandbox({ podSandboxId: sandboxId }).catch(() => undefined);
        await cri.runtime.removePodSandbox({ podSandboxId: sandboxId }).catch(() => undefined);
      }),
    );
    if (ownLogRoot) rmSync(logRoot, { recursive: true, force: true });
  }
}
