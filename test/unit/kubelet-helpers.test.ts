import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { Backoff } from '../../pkg/kubelet/backoff.js';
import { cidrContains, firstIP, parseCIDR } from '../../pkg/kubelet/network/cidr.js';
import { cniConflist } from '../../pkg/kubelet/network/cni.js';
import { parseMeminfo, parseOSRelease, goArch, type MachineInfo } from '../../pkg/kubelet/nodestatus/machine.js';
import { nodeAllocatable, nodeCapacity, nodeConditions, nodeImages, statusFingerprint, nodeStatus } from '../../pkg/kubelet/nodestatus/setters.js';
import { newLease } from '../../pkg/kubelet/nodelease/controller.js';
import {
  containerInfoFromAnnotations,
  containerInfoFromLabels,
  newContainerAnnotations,
  newContainerLabels,
  newPodLabels,
  podSandboxInfoFromLabels,
} from '../../pkg/kubelet/kuberuntime/labels.js';
import { getPodQOS } from '../../api/core/v1/pod.js';
import { containerOOMScoreAdjust, linuxContainerResources, milliCPUToQuota, milliCPUToShares } from '../../pkg/kubelet/kuberuntime/resources.js';
import { expandCommandAndArgs, generateContainerConfig } from '../../pkg/kubelet/kuberuntime/container_config.js';
import { generatePodSandboxConfig, portMappings } from '../../pkg/kubelet/kuberuntime/sandbox_config.js';
import { podCgroupParent } from '../../pkg/kubelet/cm/pod_cgroups.js';
import { applyDefaultImageTag, grpcErrorMessage } from '../../pkg/kubelet/kuberuntime/image_manager.js';
import { parseCRILog, terminationMessageFromLog } from '../../pkg/kubelet/kuberuntime/logs.js';
import { evictableContainers, evictableSandboxes } from '../../pkg/kubelet/gc.js';
import { eventFor } from '../../pkg/kubelet/pleg/generic.js';
import { formatPod, goDuration } from '../../pkg/kubelet/format.js';
import { parseManifest, staticPodFromManifest } from '../../pkg/kubelet/config/file.js';
import { mirrorPodFor, isMirrorOf } from '../../pkg/kubelet/config/mirror_client.js';
import { podDesiredStateChanged } from '../../pkg/kubelet/kubelet.js';
import { visitPodConfigMapNames, visitPodSecretNames } from '../../api/core/v1/pod.js';
import { PodWorkers } from '../../pkg/kubelet/pod_workers.js';
import type { Pod } from '../../api/core/v1/types.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('Backoff (flowcontrol)', () => {
  it('starts at 10 s, doubles per failure to 5 min, and forgets after twice the maximum', () => {
    let now = 0;
    const b = new Backoff(10_000, 300_000, () => now);
    b.next('k', 0);
    assert.equal(b.get('k'), 10_000);
    assert.equal(b.isInBackOffSince('k', 0), true);
    now = 10_001;
    assert.equal(b.isInBackOffSince('k', 0), false);
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      b.next('k', now);
      seen.push(b.get('k'));
    }
    assert.deepEqual(seen, [20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000, 300_000]);
    now += 600_001; // 10 min idle
    b.next('k', now);
    assert.equal(b.get('k'), 10_000, 'reset after running fine for 10 minutes');
  });
  it('measures from the failure for image pulls', () => {
    let now = 1000;
    const b = new Backoff(10_000, 300_000, () => now);
    b.next('img', now);
    now = 5000;
    assert.equal(b.isInBackOffSinceUpdate('img'), true);
    assert.equal(b.backOffUntilSinceUpdate('img'), 11_000);
    now = 11_001;
    assert.equal(b.isInBackOffSinceUpdate('img'), false);
  });
});

describe('Go-style formatting', () => {
  it('durations and pod names as upstream prints them', () => {
    assert.equal(goDuration(10_000), '10s');
    assert.equal(goDuration(80_000), '1m20s');
    assert.equal(goDuration(300_000), '5m0s');
    assert.equal(goDuration(1500), '1.5s');
    assert.equal(goDuration(250), '250ms');
    assert.equal(formatPod({ metadata: { name: 'web', namespace: 'default', uid: 'abc' } }), 'web_default(abc)');
  });
});

describe('node network', () => {
  it('CIDR parsing, gateway and membership', () => {
    const c = parseCIDR('10.244.202.0/24');
    assert.equal(firstIP(c), '10.244.202.1');
    assert.ok(cidrContains(c, '10.244.202.77'));
    assert.ok(!cidrContains(c, '10.244.203.1'));
    assert.throws(() => parseCIDR('10.244.202.5/24'), /host bits are set \(did you mean 10\.244\.202\.0\/24\?\)/);
    assert.throws(() => parseCIDR('nope'), /invalid CIDR/);
  });
  it('the CNI conflist: bridge + host-local on the pod CIDR + portmap, cniVersion 1.0.0', () => {
    const conf = JSON.parse(cniConflist({ bridge: 'tmnl-kl0', podCIDR: '10.244.202.0/24', gateway: '10.244.202.1', ipamDataDir: '/var/lib/x/cni' }));
    assert.equal(conf.cniVersion, '1.0.0');
    assert.equal(conf.name, 'tmnl-kl0');
    assert.deepEqual(
      conf.plugins.map((p: { type: string }) => p.type),
      ['bridge', 'portmap'],
    );
    const br = conf.plugins[0];
    assert.equal(br.bridge, 'tmnl-kl0');
    assert.equal(br.isGateway, true);
    assert.equal(br.ipMasq, true);
    assert.deepEqual(br.ipam, {
      type: 'host-local',
      ranges: [[{ subnet: '10.244.202.0/24', gateway: '10.244.202.1' }]],
      routes: [{ dst: '0.0.0.0/0' }],
      dataDir: '/var/lib/x/cni',
    });
    assert.deepEqual(conf.plugins[1].capabilities, { portMappings: true });
  });
});

describe('node status', () => {
  const m: MachineInfo = {
    numCores: 2,
    memoryCapacityBytes: 8 * 1024 ** 3,
    fsCapacityBytes: 100 * 1024 ** 3,
    fsAvailableBytes: 50 * 1024 ** 3,
    machineID: 'mid',
    systemUUID: 'uuid',
    bootID: 'boot',
    kernelVersion: '6.1.0',
    osImage: 'Debian GNU/Linux 12 (bookworm)',
    architecture: 'amd64',
  };
  it('parses /proc/meminfo, os-release and the architecture', () => {
    assert.equal(parseMeminfo('MemTotal:       16384000 kB\nMemFree: 1 kB\n'), 16384000 * 1024);
    assert.equal(parseMeminfo('MemAvailable:   2048 kB\n', 'MemAvailable'), 2048 * 1024);
    assert.equal(parseOSRelease('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'), 'Debian GNU/Linux 12 (bookworm)');
    assert.equal(goArch('x64'), 'amd64');
  });
  it('capacity and allocatable (hard eviction thresholds subtracted)', () => {
    assert.deepEqual(nodeCapacity(m, 110), {
      cpu: '2',
      'ephemeral-storage': `${100 * 1024 * 1024}Ki`,
      'hugepages-1Gi': '0',
      'hugepages-2Mi': '0',
      memory: `${8 * 1024 * 1024}Ki`,
      pods: '110',
    });
    const a = nodeAllocatable(m, 110);
    assert.equal(a.memory, `${8 * 1024 * 1024 - 100 * 1024}Ki`);
    assert.equal(a['ephemeral-storage'], String(Math.floor(100 * 1024 ** 3 * 0.9)));
  });
  it('conditions with upstream reasons and messages', () => {
    const c = nodeConditions(
      { containerRuntimeVersion: 'containerd://1.6.20', runtimeError: '' },
      { memoryAvailableBytes: 1e9, fsAvailableBytes: 50e9, pids: { running: 100, max: 4e6 } },
      m,
      '2024-01-01T00:00:00Z',
      undefined,
    );
    assert.deepEqual(
      c.map((x) => [x.type, x.status, x.reason, x.message]),
      [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
        ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
      ],
    );
    const down = nodeConditions(
      { containerRuntimeVersion: '', runtimeError: 'container runtime is down' },
      { memoryAvailableBytes: 1, fsAvailableBytes: 1 },
      m,
      'T2',
      c,
    );
    assert.equal(down[0].status, 'True');
    assert.equal(down[1].reason, 'KubeletHasDiskPressure');
    assert.deepEqual(
      [down[3].status, down[3].reason, down[3].message, down[3].lastTransitionTime],
      ['False', 'KubeletNotReady', 'container runtime is down', 'T2'],
    );
    assert.equal(down[2].lastTransitionTime, '2024-01-01T00:00:00Z', 'unchanged conditions keep their transition time');
  });
  it('a heartbeat alone does not change the fingerprint', () => {
    const cfg = { nodeName: 'n', nodeIP: '10.244.0.1', hostname: 'n', maxPods: 110, kubeletPort: 10250 };
    const rt = { containerRuntimeVersion: 'containerd://1.6.20', runtimeError: '' };
    const s1 = nodeStatus(cfg, m, rt, {}, [], '2024-01-01T00:00:00Z', undefined);
    const s2 = nodeStatus(cfg, m, rt, {}, [], '2024-01-01T00:00:10Z', s1);
    assert.equal(statusFingerprint(s1), statusFingerprint(s2));
    assert.equal(s1.nodeInfo?.containerRuntimeVersion, 'containerd://1.6.20');
    assert.deepEqual(s1.addresses, [
      { type: 'InternalIP', address: '10.244.0.1' },
      { type: 'Hostname', address: 'n' },
    ]);
    assert.deepEqual(s1.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
  });
  it('images: largest first, names = digests then tags', () => {
    const imgs = nodeImages([
      { repoTags: ['a:1'], repoDigests: [], size: 1 },
      { repoTags: ['b:1'], repoDigests: ['b@sha256:x'], size: 5 },
    ]);
    assert.deepEqual(imgs, [
      { names: ['b@sha256:x', 'b:1'], sizeBytes: 5 },
      { names: ['a:1'], sizeBytes: 1 },
    ]);
  });
  it('the node lease: holder, 40 s, owned by the Node', () => {
    const l = newLease('n1', { metadata: { name: 'n1', uid: 'nu' } }, new Date('2024-01-01T00:00:00Z'));
    assert.equal(l.metadata.namespace, 'kube-node-lease');
    assert.deepEqual(l.spec, { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2024-01-01T00:00:00.000000Z' });
    assert.deepEqual(l.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'nu' }]);
  });
});

describe('CRI labels and annotations', () => {
  const pod: Pod = {
    metadata: { name: 'web', namespace: 'd', uid: 'u1', labels: { app: 'web' }, deletionGracePeriodSeconds: 5 },
    spec: {
      terminationGracePeriodSeconds: 30,
      containers: [
        {
          name: 'c',
          image: 'nginx',
          ports: [{ containerPort: 80 }],
          lifecycle: { preStop: { exec: { command: ['sleep', '1'] } } },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
    },
  };
  it('round-trip: what a restarted kubelet reads back is what was written', () => {
    const c = pod.spec.containers[0];
    const labels = newContainerLabels(c, pod);
    assert.deepEqual(labels, {
      'io.kubernetes.pod.name': 'web',
      'io.kubernetes.pod.namespace': 'd',
      'io.kubernetes.pod.uid': 'u1',
      'io.kubernetes.container.name': 'c',
    });
    const ann = newContainerAnnotations(c, pod, 3, 'abcd');
    assert.equal(ann['io.kubernetes.container.restartCount'], '3');
    assert.equal(ann['io.kubernetes.container.hash'], 'abcd');
    assert.equal(ann['io.kubernetes.container.type'], 'container');
    const info = containerInfoFromAnnotations(ann);
    assert.equal(info.restartCount, 3);
    assert.equal(info.podDeletionGracePeriod, 5);
    assert.equal(info.podTerminationGracePeriod, 30);
    assert.deepEqual(info.preStopHandler, { exec: { command: ['sleep', '1'] } });
    assert.deepEqual(info.containerPorts, [{ containerPort: 80 }]);
    assert.equal(info.terminationMessagePath, '/dev/termination-log');
    assert.deepEqual(containerInfoFromLabels(labels), { containerName: 'c', podName: 'web', podNamespace: 'd', podUID: 'u1' });
    const sb = podSandboxInfoFromLabels(newPodLabels(pod));
    assert.deepEqual(sb, { podName: 'web', podNamespace: 'd', podUID: 'u1', labels: { app: 'web' } });
  });
});

describe('resources and QoS', () => {
  const p = (resources: Record<string, Record<string, string>>): Pod => ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', resources }] } });
  it('QoS classes', () => {
    assert.equal(getPodQOS(p({})), 'BestEffort');
    assert.equal(getPodQOS(p({ requests: { cpu: '100m' } })), 'Burstable');
    assert.equal(getPodQOS(p({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })), 'Guaranteed');
  });
  it('cpu shares, quota, memory limit; oom_score_adj never negative', () => {
    assert.equal(milliCPUToShares(0), 2);
    assert.equal(milliCPUToShares(250), 256);
    assert.equal(milliCPUToShares(1000), 1024);
    assert.equal(milliCPUToQuota(0), 0);
    assert.equal(milliCPUToQuota(500), 50_000);
    assert.equal(milliCPUToQuota(1), 1000, 'at least the minimum quota');
    const g = p({ requests: { cpu: '500m', memory: '64Mi' }, limits: { cpu: '500m', memory: '64Mi' } });
    assert.deepEqual(linuxContainerResources(g, g.spec.containers[0], 8 * 1024 ** 3), {
      cpuShares: 512,
      cpuQuota: 50_000,
      cpuPeriod: 100_000,
      memoryLimitInBytes: 64 * 1024 ** 2,
      oomScoreAdj: 0,
    });
    const b = p({ requests: { memory: '4Gi' } });
    assert.equal(containerOOMScoreAdjust(b, b.spec.containers[0], 8 * 1024 ** 3), 500);
    const be = p({});
    assert.equal(containerOOMScoreAdjust(be, be.spec.containers[0], 8 * 1024 ** 3), 1000);
    const onlyLimit = p({ limits: { cpu: '2' } });
    assert.equal(linuxContainerResources(onlyLimit, onlyLimit.spec.containers[0], 1).cpuShares, 2048, 'shares from the limit when there is no request');
  });
  it('cgroup parents by QoS (cgroupfs)', () => {
    assert.equal(podCgroupParent('/', 'Guaranteed', 'u'), '/kubepods/podu');
    assert.equal(podCgroupParent('/', 'Burstable', 'u'), '/kubepods/burstable/podu');
    assert.equal(podCgroupParent('/', 'BestEffort', 'u'), '/kubepods/besteffort/podu');
  });
});

describe('container and sandbox config', () => {
  it('$(VAR) expansion in command and args', () => {
    const env = [
      { key: 'A', value: 'x' },
      { key: 'B', value: 'y z' },
    ];
    assert.deepEqual(expandCommandAndArgs(['sh', '-c', 'echo $(A)'], ['$(B)', '$$(A)', '$(MISSING)', '$(A'], env), {
      command: ['sh', '-c', 'echo x'],
      args: ['y z', '$(A)', '$(MISSING)', '$(A'],
    });
  });
  const pod: Pod = {
    metadata: { name: 'web', namespace: 'd', uid: 'u1' },
    spec: {
      hostname: 'h',
      subdomain: 's',
      securityContext: { runAsUser: 1000, fsGroup: 2000 },
      containers: [
        {
          name: 'c',
          image: 'busybox',
          command: ['sleep', '$(T)'],
          workingDir: '/w',
          ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }],
          securityContext: { readOnlyRootFilesystem: true, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] } },
        },
      ],
    },
  };
  it('generateContainerConfig: metadata attempt, log path, labels, security context', () => {
    const cfg = generateContainerConfig({
      pod,
      container: pod.spec.containers[0],
      restartCount: 2,
      imageRef: 'sha256:img',
      hash: 'h1',
      envs: [{ key: 'T', value: '5' }],
      mounts: [],
      memoryCapacityBytes: 1e9,
    });
    assert.deepEqual(cfg.metadata, { name: 'c', attempt: 2 });
    assert.deepEqual(cfg.command, ['sleep', '5']);
    assert.equal(cfg.logPath, 'c/2.log');
    assert.equal(cfg.workingDir, '/w');
    assert.deepEqual(cfg.image, { image: 'sha256:img', userSpecifiedImage: 'busybox' });
    const sc = cfg.linux?.securityContext;
    assert.equal(sc?.readonlyRootfs, true);
    assert.deepEqual(sc?.runAsUser, { value: 1000 });
    assert.deepEqual(sc?.capabilities, { addCapabilities: ['NET_ADMIN'], dropCapabilities: ['ALL'] });
    assert.deepEqual(sc?.supplementalGroups, [2000]);
    assert.ok(sc?.maskedPaths?.includes('/proc/kcore'));
    assert.equal(cfg.annotations?.['io.kubernetes.container.restartCount'], '2');
  });
  it('generatePodSandboxConfig: hostname, hostPorts only, namespaces, log directory', () => {
    const cfg = generatePodSandboxConfig({
      pod,
      attempt: 1,
      logDirectory: '/logs/d_web_u1',
      cgroupParent: '/kubepods/besteffort/podu1',
      clusterDomain: 'cluster.local',
    });
    assert.equal(cfg.hostname, 'h');
    assert.deepEqual(cfg.metadata, { name: 'web', namespace: 'd', uid: 'u1', attempt: 1 });
    assert.deepEqual(portMappings(pod), [{ protocol: 'TCP', containerPort: 80, hostPort: 8080, hostIp: '' }]);
    assert.deepEqual(cfg.linux?.securityContext?.namespaceOptions, { network: 'POD', pid: 'CONTAINER', ipc: 'POD' });
    assert.equal(cfg.linux?.cgroupParent, '/kubepods/besteffort/podu1');
    assert.equal(cfg.labels?.['io.kubernetes.pod.uid'], 'u1');
    const hn = generatePodSandboxConfig({
      pod: { ...pod, spec: { ...pod.spec, hostNetwork: true } },
      attempt: 0,
      logDirectory: '/l',
      cgroupParent: '',
      clusterDomain: 'cluster.local',
    });
    assert.equal(hn.hostname, undefined, 'hostNetwork pods keep the node hostname');
    assert.equal(hn.linux?.securityContext?.namespaceOptions?.network, 'NODE');
  });
});

describe('images, logs, GC, PLEG', () => {
  it('default tag and gRPC error wording', () => {
    assert.equal(applyDefaultImageTag('busybox'), 'busybox:latest');
    assert.equal(applyDefaultImageTag('localhost:5000/x'), 'localhost:5000/x:latest');
    assert.equal(applyDefaultImageTag('nginx:1.14.2'), 'nginx:1.14.2');
    assert.equal(applyDefaultImageTag('a@sha256:00'), 'a@sha256:00');
    assert.equal(
      grpcErrorMessage({ code: 5, details: 'failed to pull: not found', message: '5 NOT_FOUND: failed' }),
      'rpc error: code = NotFound desc = failed to pull: not found',
    );
  });
  it('CRI log parsing and the termination message tail', () => {
    assert.equal(
      parseCRILog('2024-01-01T00:00:00.1Z stdout F hello\n2024-01-01T00:00:00.2Z stderr P par\n2024-01-01T00:00:00.3Z stderr F tial\n'),
      'hello\npartial\n',
    );
    const dir = mkdtempSync(join(tmpdir(), 'kl-log-'));
    try {
      const lines = Array.from({ length: 100 }, (_, i) => `2024-01-01T00:00:00Z stdout F line${i}`).join('\n') + '\n';
      writeFileSync(join(dir, '0.log'), lines);
      const msg = terminationMessageFromLog(join(dir, '0.log'));
      assert.ok(msg.startsWith('line20\n'), msg.slice(0, 20));
      assert.ok(msg.endsWith('line99\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('GC keeps the running instance and the newest dead one per container', () => {
    const items = [
      { id: 'a1', podUID: 'u', name: 'a', state: 'CONTAINER_EXITED', createdAt: 1, podSandboxId: 's' },
      { id: 'a2', podUID: 'u', name: 'a', state: 'CONTAINER_EXITED', createdAt: 2, podSandboxId: 's' },
      { id: 'a3', podUID: 'u', name: 'a', state: 'CONTAINER_RUNNING', createdAt: 3, podSandboxId: 's' },
      { id: 'b1', podUID: 'u', name: 'b', state: 'CONTAINER_EXITED', createdAt: 1, podSandboxId: 's' },
    ];
    assert.deepEqual(evictableContainers(items, 1), ['a1']);
    const sbs = [
      { id: 's0', podUID: 'u', name: 'p', state: 'SANDBOX_NOTREADY', createdAt: 0 },
      { id: 's', podUID: 'u', name: 'p', state: 'SANDBOX_NOTREADY', createdAt: 1 },
      { id: 'old', podUID: 'u', name: 'p', state: 'SANDBOX_NOTREADY', createdAt: -1 },
    ];
    assert.deepEqual(evictableSandboxes(sbs, [{ id: 'x', podUID: 'u', name: 'a', state: '', createdAt: 0, podSandboxId: 'old' }]), ['s0']);
  });
  it('PLEG events for state transitions', () => {
    assert.equal(eventFor('u', 'c', 'non-existent', 'running')?.type, 'ContainerStarted');
    assert.equal(eventFor('u', 'c', 'running', 'exited')?.type, 'ContainerDied');
    assert.equal(eventFor('u', 'c', 'exited', 'non-existent')?.type, 'ContainerRemoved');
    assert.equal(eventFor('u', 'c', 'running', 'running'), undefined);
  });
});

describe('static pods and mirror pods', () => {
  const manifest = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: c\n    image: busybox\n';
  it('named <name>-<node>, bound to the node, defaulted, with a stable content hash as UID', () => {
    const [raw] = parseManifest(manifest, 'web.yaml');
    const a = staticPodFromManifest(raw, 'Node1', '/etc/m/web.yaml', new Date(0));
    const b = staticPodFromManifest(raw, 'Node1', '/etc/m/web.yaml', new Date(1000));
    assert.equal(a.metadata.name, 'web-node1');
    assert.equal(a.metadata.namespace, 'default');
    assert.equal(a.spec.nodeName, 'Node1');
    assert.equal(a.spec.restartPolicy, 'Always');
    assert.equal(a.metadata.uid, b.metadata.uid, 'the seen time does not change the UID');
    assert.match(a.metadata.uid ?? '', /^[0-9a-f]{32}$/);
    assert.equal(a.metadata.annotations?.['kubernetes.io/config.source'], 'file');
    assert.equal(a.metadata.annotations?.['kubernetes.io/config.hash'], a.metadata.uid);
    const edited = staticPodFromManifest(parseManifest(manifest.replace('busybox', 'nginx'), 'x')[0], 'Node1', '/etc/m/web.yaml');
    assert.notEqual(edited.metadata.uid, a.metadata.uid);
  });
  it('the mirror pod: config.mirror annotation, owned by the Node, no UID', () => {
    const sp = staticPodFromManifest(parseManifest(manifest, 'x')[0], 'n1', '/m/web.yaml');
    const mirror = mirrorPodFor(sp, { metadata: { name: 'n1', uid: 'node-uid' } });
    assert.equal(mirror.metadata.uid, undefined);
    assert.equal(mirror.metadata.annotations?.['kubernetes.io/config.mirror'], sp.metadata.uid);
    assert.deepEqual(mirror.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'node-uid', controller: true }]);
    assert.ok(isMirrorOf({ ...mirror, metadata: { ...mirror.metadata, uid: 'm' } }, sp));
  });
  it('a static pod names no service account unless its manifest does (NodeRestriction refuses mirrors that do)', () => {
    const sp = staticPodFromManifest(parseManifest(manifest, 'x')[0], 'n1', '/m/web.yaml');
    assert.equal(sp.spec.serviceAccountName, undefined);
    assert.equal(mirrorPodFor(sp, undefined).spec.serviceAccountName, undefined);
    const named = staticPodFromManifest(
      { ...parseManifest(manifest, 'x')[0], spec: { ...parseManifest(manifest, 'x')[0].spec, serviceAccountName: 'builder' } },
      'n1',
      '/m/web.yaml',
    );
    assert.equal(named.spec.serviceAccountName, 'builder');
  });
});

describe('kubelet helpers', () => {
  it('the Secrets and ConfigMaps a pod refers to: env, envFrom, volumes, image pull secrets, ephemeral containers', () => {
    const p: Pod = {
      metadata: { name: 'p' },
      spec: {
        imagePullSecrets: [{ name: 'pull' }],
        initContainers: [{ name: 'i', envFrom: [{ configMapRef: { name: 'cm-init' } }] }],
        containers: [{ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm1', key: 'k' } } }], envFrom: [{ secretRef: { name: 's1' } }] }],
        ephemeralContainers: [{ name: 'e', env: [{ name: 'Y', valueFrom: { secretKeyRef: { name: 's-debug', key: 'k' } } }] }],
        volumes: [
          { name: 'v', projected: { sources: [{ configMap: { name: 'cm2' } }, { secret: { name: 's2' } }] } },
          { name: 'w', secret: { secretName: 's3' } },
          { name: 'x', configMap: { name: 'cm3' } },
          { name: 'y', csi: { driver: 'd', nodePublishSecretRef: { name: 's-csi' } } },
        ],
      },
    };
    const names = (visit: typeof visitPodSecretNames) => {
      const out: string[] = [];
      visit(p, (n) => out.push(n));
      return out.sort();
    };
    assert.deepEqual(names(visitPodSecretNames), ['pull', 's-csi', 's-debug', 's1', 's2', 's3']);
    assert.deepEqual(names(visitPodConfigMapNames), ['cm-init', 'cm1', 'cm2', 'cm3']);
    // Objects from any client: malformed lists read as empty.
    const odd = { spec: { containers: 'x', volumes: [null], imagePullSecrets: {} } } as unknown as Pod;
    visitPodSecretNames(odd, () => assert.fail('nothing to visit'));
  });
  it('a status-only update is not a change the kubelet must act on', () => {
    const a: Pod = { metadata: { name: 'p', resourceVersion: '1' }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Pending' } };
    assert.equal(podDesiredStateChanged(a, { ...a, metadata: { ...a.metadata, resourceVersion: '2' }, status: { phase: 'Running' } }), false);
    assert.equal(podDesiredStateChanged(a, { ...a, metadata: { ...a.metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } }), true);
    assert.equal(podDesiredStateChanged(a, { ...a, metadata: { ...a.metadata, labels: { x: 'y' } } }), true);
    assert.equal(podDesiredStateChanged(a, { ...a, spec: { containers: [{ name: 'c', image: 'other' }] } }), true);
  });

  it('pod workers serialize per pod and coalesce updates', async () => {
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const w = new PodWorkers({
      log: () => undefined,
      sync: async () => {
        calls++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        return {};
      },
    });
    w.update('a');
    w.update('a');
    w.update('a');
    await w.waitIdle();
    assert.equal(maxRunning, 1);
    assert.equal(calls, 2, 'one sync, then one more for the updates that came while it ran');
    w.stop();
  });
});
