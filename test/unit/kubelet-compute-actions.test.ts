import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { computePodActions, podSandboxChanged, shouldContainerBeRestarted, type ProbeResults } from '../../pkg/kubelet/kuberuntime/compute_actions.js';
import { hashContainer } from '../../pkg/kubelet/kuberuntime/hash.js';
import type { PodRuntimeStatus, RuntimeContainerStatus, RuntimeSandboxStatus } from '../../pkg/kubelet/kuberuntime/runtime_status.js';
import type { Container, Pod } from '../../api/core/v1/types.js';

function pod(spec: Partial<Pod['spec']> = {}, meta: Partial<Pod['metadata']> = {}): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns', uid: 'u1', ...meta },
    spec: { containers: [{ name: 'app', image: 'busybox' }], restartPolicy: 'Always', ...spec },
  };
}

function sandbox(over: Partial<RuntimeSandboxStatus> = {}): RuntimeSandboxStatus {
  return { id: 'sb1', state: 'ready', createdAt: 1000, attempt: 0, ip: '10.244.0.5', additionalIps: [], networkMode: 'POD', ...over };
}

let seq = 0;
function ctr(c: Container, over: Partial<RuntimeContainerStatus> = {}): RuntimeContainerStatus {
  seq++;
  return {
    id: `c${seq}`,
    name: c.name,
    podSandboxId: 'sb1',
    state: 'running',
    createdAt: 2000 + seq,
    startedAt: 2000 + seq,
    finishedAt: 0,
    exitCode: 0,
    reason: '',
    message: '',
    image: c.image ?? '',
    imageRef: 'sha256:x',
    hash: hashContainer(c),
    restartCount: 0,
    logPath: '',
    containerType: 'container',
    ...over,
  };
}

function status(sandboxes: RuntimeSandboxStatus[], containers: RuntimeContainerStatus[]): PodRuntimeStatus {
  return {
    uid: 'u1',
    name: 'p',
    namespace: 'ns',
    ips: [],
    sandboxStatuses: sandboxes,
    containerStatuses: [...containers].sort((a, b) => b.createdAt - a.createdAt),
    timestamp: 0,
  };
}

describe('podSandboxChanged', () => {
  it('wants a first sandbox with attempt 0', () => {
    assert.deepEqual(podSandboxChanged(pod(), status([], [])), { changed: true, attempt: 0, sandboxId: '' });
  });
  it('wants a new sandbox (attempt+1) when the newest is not ready or has no IP', () => {
    assert.deepEqual(podSandboxChanged(pod(), status([sandbox({ state: 'notready', attempt: 2 })], [])), { changed: true, attempt: 3, sandboxId: 'sb1' });
    assert.equal(podSandboxChanged(pod(), status([sandbox({ ip: '' })], [])).changed, true);
  });
  it('keeps a ready sandbox with an IP; hostNetwork needs no IP but a NODE namespace', () => {
    assert.deepEqual(podSandboxChanged(pod(), status([sandbox()], [])), { changed: false, attempt: 0, sandboxId: 'sb1' });
    assert.equal(podSandboxChanged(pod({ hostNetwork: true }), status([sandbox({ ip: '', networkMode: 'NODE' })], [])).changed, false);
    assert.equal(podSandboxChanged(pod({ hostNetwork: true }), status([sandbox()], [])).changed, true);
  });
});

describe('computePodActions', () => {
  const app: Container = { name: 'app', image: 'busybox' };

  it('new pod: create the sandbox and start every container', () => {
    const a = computePodActions(pod({ containers: [app, { name: 'side', image: 'busybox' }] }), status([], []));
    assert.equal(a.createSandbox, true);
    assert.equal(a.killPod, true);
    assert.deepEqual(a.containersToStart, [0, 1]);
    assert.deepEqual(a.initContainersToStart, []);
  });

  it('new pod with init containers: only the first init container starts', () => {
    const a = computePodActions(
      pod({
        initContainers: [
          { name: 'i1', image: 'busybox' },
          { name: 'i2', image: 'busybox' },
        ],
      }),
      status([], []),
    );
    assert.deepEqual(a.initContainersToStart, [0]);
    assert.deepEqual(a.containersToStart, []);
  });

  it('running pod with matching hash: nothing to do (this is what adoption after a kubelet restart relies on)', () => {
    const a = computePodActions(pod(), status([sandbox()], [ctr(app)]));
    assert.equal(a.createSandbox, false);
    assert.equal(a.killPod, false);
    assert.deepEqual(a.containersToStart, []);
    assert.equal(a.containersToKill.size, 0);
  });

  it('init containers run in order, each after the previous one exited 0', () => {
    const i1: Container = { name: 'i1', image: 'busybox' };
    const i2: Container = { name: 'i2', image: 'busybox' };
    const p = pod({ initContainers: [i1, i2] });
    assert.deepEqual(computePodActions(p, status([sandbox()], [ctr(i1, { state: 'running' })])).initContainersToStart, []);
    assert.deepEqual(computePodActions(p, status([sandbox()], [ctr(i1, { state: 'exited', exitCode: 0 })])).initContainersToStart, [1]);
    const done = computePodActions(p, status([sandbox()], [ctr(i1, { state: 'exited' }), ctr(i2, { state: 'exited' })]));
    assert.deepEqual(done.initContainersToStart, []);
    assert.deepEqual(done.containersToStart, [0]);
  });

  it('a failed init container is retried, unless restartPolicy is Never (then the pod is killed)', () => {
    const i1: Container = { name: 'i1', image: 'busybox' };
    const failed = [ctr(i1, { state: 'exited', exitCode: 1 })];
    assert.deepEqual(computePodActions(pod({ initContainers: [i1] }), status([sandbox()], failed)).initContainersToStart, [0]);
    const never = computePodActions(pod({ initContainers: [i1], restartPolicy: 'Never' }), status([sandbox()], failed));
    assert.equal(never.killPod, true);
    assert.deepEqual(never.initContainersToStart, []);
  });

  it('exited containers restart by policy: Always always, OnFailure only after failure, Never never', () => {
    const exited0 = [ctr(app, { state: 'exited', exitCode: 0 })];
    const exited1 = [ctr(app, { state: 'exited', exitCode: 1 })];
    assert.deepEqual(computePodActions(pod(), status([sandbox()], exited0)).containersToStart, [0]);
    assert.deepEqual(computePodActions(pod({ restartPolicy: 'OnFailure' }), status([sandbox()], exited1)).containersToStart, [0]);
    const ok = computePodActions(pod({ restartPolicy: 'OnFailure' }), status([sandbox()], exited0));
    assert.deepEqual(ok.containersToStart, []);
    assert.equal(ok.killPod, true, 'nothing runs or will: the sandbox goes');
    assert.deepEqual(computePodActions(pod({ restartPolicy: 'Never' }), status([sandbox()], exited1)).containersToStart, []);
  });

  it('a Never pod whose sandbox died after its containers ran gets no new sandbox', () => {
    const a = computePodActions(pod({ restartPolicy: 'Never' }), status([sandbox({ state: 'notready' })], [ctr(app, { state: 'exited', exitCode: 0 })]));
    assert.equal(a.createSandbox, false);
  });

  it('a changed image kills and restarts the container whatever the policy', () => {
    const running = ctr(app);
    const a = computePodActions(pod({ containers: [{ name: 'app', image: 'busybox:1.37' }], restartPolicy: 'Never' }), status([sandbox()], [running]));
    assert.deepEqual(a.containersToStart, [0]);
    assert.match(a.containersToKill.get(running.id)?.message ?? '', /definition changed, will be restarted/);
  });

  it('a liveness failure of the running instance kills and restarts it', () => {
    const running = ctr(app);
    const probes: ProbeResults = { liveness: (id) => (id === running.id ? 'failure' : undefined), startup: () => undefined };
    const a = computePodActions(pod(), status([sandbox()], [running]), probes);
    assert.equal(a.containersToKill.get(running.id)?.reason, 'LivenessProbe');
    assert.equal(a.containersToKill.get(running.id)?.message, 'Container app failed liveness probe, will be restarted');
    assert.deepEqual(a.containersToStart, [0]);
  });

  it('a deleted pod restarts nothing', () => {
    const p = pod({}, { deletionTimestamp: '2024-01-01T00:00:00Z' });
    assert.equal(shouldContainerBeRestarted(app, p, status([sandbox()], [ctr(app, { state: 'exited', exitCode: 1 })])), false);
  });
});
