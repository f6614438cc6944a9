import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { hashContainer } from '../../pkg/kubelet/kuberuntime/hash.js';
import type { PodRuntimeStatus, RuntimeContainerStatus } from '../../pkg/kubelet/kuberuntime/runtime_status.js';
import { generateAPIPodStatus, getPhase, type StartFailure, type StatusInput } from '../../pkg/kubelet/status/generate.js';
import type { Container, ContainerStatus, Pod } from '../../api/core/v1/types.js';

const NOW = '2024-05-01T10:00:00Z';

function pod(spec: Partial<Pod['spec']> = {}): Pod {
  return { metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [{ name: 'app', image: 'busybox' }], restartPolicy: 'Always', ...spec } };
}

let seq = 0;
function ctr(c: Container, over: Partial<RuntimeContainerStatus> = {}): RuntimeContainerStatus {
  seq++;
  return {
    id: `id${seq}`,
    name: c.name,
    podSandboxId: 'sb',
    state: 'running',
    createdAt: Date.parse('2024-05-01T09:00:00Z') + seq * 1000,
    startedAt: Date.parse('2024-05-01T09:00:01Z') + seq * 1000,
    finishedAt: 0,
    exitCode: 0,
    reason: '',
    message: '',
    image: 'docker.io/library/busybox:latest',
    imageRef: 'docker.io/library/busybox@sha256:abc',
    hash: hashContainer(c),
    restartCount: 0,
    logPath: '',
    containerType: 'container',
    ...over,
  };
}

function input(p: Pod, containers: RuntimeContainerStatus[], extra: Partial<StatusInput> = {}, failures: Record<string, StartFailure> = {}): StatusInput {
  const runtime: PodRuntimeStatus = {
    uid: 'u1',
    name: 'p',
    namespace: 'ns',
    ips: ['10.244.0.7'],
    sandboxStatuses: [{ id: 'sb', state: 'ready', createdAt: 1, attempt: 0, ip: '10.244.0.7', additionalIps: [], networkMode: 'POD' }],
    containerStatuses: [...containers].sort((a, b) => b.createdAt - a.createdAt),
    timestamp: 0,
  };
  return {
    pod: p,
    runtime,
    startFailure: (n) => failures[n],
    readiness: () => undefined,
    startup: () => undefined,
    nodeIPs: ['10.244.0.1'],
    podIsTerminal: false,
    now: NOW,
    runtimeName: 'containerd',
    ...extra,
  };
}

describe('generateAPIPodStatus', () => {
  const app: Container = { name: 'app', image: 'busybox' };

  it('a new pod: Pending, ContainerCreating, conditions False with upstream reasons', () => {
    const i = input(pod(), []);
    i.runtime.sandboxStatuses = [];
    i.runtime.ips = [];
    const s = generateAPIPodStatus(i);
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.containerStatuses?.[0].state, { waiting: { reason: 'ContainerCreating' } });
    assert.equal(s.containerStatuses?.[0].ready, false);
    const cond = Object.fromEntries((s.conditions ?? []).map((c) => [c.type, c]));
    assert.equal(cond.PodReadyToStartContainers.status, 'False');
    assert.equal(cond.Initialized.status, 'True');
    assert.equal(cond.Ready.reason, 'ContainersNotReady');
    assert.equal(cond.Ready.message, 'containers with unready status: [app]');
    assert.equal(s.qosClass, 'BestEffort');
    assert.equal(s.hostIP, '10.244.0.1');
    assert.equal(s.startTime, NOW);
    assert.equal(s.podIP, undefined);
  });

  it('a running container: Running, ready, podIP, containerID with the runtime scheme', () => {
    const c = ctr(app);
    const s = generateAPIPodStatus(input(pod(), [c]));
    assert.equal(s.phase, 'Running');
    const cs = s.containerStatuses?.[0] as ContainerStatus;
    assert.equal(cs.ready, true);
    assert.equal(cs.started, true);
    assert.equal(cs.containerID, `containerd://${c.id}`);
    assert.equal(cs.imageID, 'docker.io/library/busybox@sha256:abc');
    assert.match(cs.state?.running?.startedAt ?? '', /^2024-05-01T09:00:\d\dZ$/);
    assert.equal(s.podIP, '10.244.0.7');
    assert.deepEqual(s.podIPs, [{ ip: '10.244.0.7' }]);
    assert.ok((s.conditions ?? []).every((c2) => c2.status === 'True'));
  });

  it('a readiness probe keeps the container unready until it succeeds', () => {
    const p = pod({ containers: [{ ...app, readinessProbe: { exec: { command: ['true'] } } }] });
    const c = ctr(app);
    assert.equal(generateAPIPodStatus(input(p, [c])).containerStatuses?.[0].ready, false);
    assert.equal(generateAPIPodStatus(input(p, [c], { readiness: () => 'success' })).containerStatuses?.[0].ready, true);
  });

  it('crash loop: waiting CrashLoopBackOff with the back-off message, lastState terminated Error, restartCount from the runtime', () => {
    const first = ctr(app, { state: 'exited', exitCode: 1, reason: 'Error', finishedAt: Date.parse('2024-05-01T09:00:05Z'), restartCount: 2 });
    const s = generateAPIPodStatus(
      input(pod(), [first], {}, { app: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=app pod=p_ns(u1)' } }),
    );
    const cs = s.containerStatuses?.[0] as ContainerStatus;
    assert.deepEqual(cs.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=app pod=p_ns(u1)' } });
    assert.equal(cs.lastState?.terminated?.exitCode, 1);
    assert.equal(cs.lastState?.terminated?.reason, 'Error');
    assert.equal(cs.restartCount, 2);
    assert.equal(s.phase, 'Running', 'restartPolicy Always keeps the pod Running while it restarts');
  });

  it('image pull failure: waiting ErrImagePull/ImagePullBackOff with the message', () => {
    const s = generateAPIPodStatus(input(pod(), [], {}, { app: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope"' } }));
    assert.deepEqual(s.containerStatuses?.[0].state, { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope"' } });
    assert.equal(s.phase, 'Pending');
  });

  it('restartPolicy Never: exit 0 → Succeeded (Completed), exit 1 → Failed; Ready False with PodCompleted', () => {
    const p = pod({ restartPolicy: 'Never' });
    const ok = generateAPIPodStatus(input(p, [ctr(app, { state: 'exited', exitCode: 0, finishedAt: Date.now() })]));
    assert.equal(ok.phase, 'Succeeded');
    assert.equal(ok.containerStatuses?.[0].state?.terminated?.reason, 'Completed');
    assert.equal(ok.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
    const bad = generateAPIPodStatus(input(p, [ctr(app, { state: 'exited', exitCode: 137, reason: 'OOMKilled', finishedAt: Date.now() })]));
    assert.equal(bad.phase, 'Failed');
    assert.equal(bad.containerStatuses?.[0].state?.terminated?.reason, 'OOMKilled');
  });

  it('init containers: app containers wait PodInitializing, Initialized False names the pending ones', () => {
    const i1: Container = { name: 'init', image: 'busybox' };
    const s = generateAPIPodStatus(input(pod({ initContainers: [i1] }), [ctr(i1)]));
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.containerStatuses?.[0].state, { waiting: { reason: 'PodInitializing' } });
    const init = s.conditions?.find((c) => c.type === 'Initialized');
    assert.equal(init?.status, 'False');
    assert.equal(init?.reason, 'ContainersNotInitialized');
    assert.equal(init?.message, 'containers with incomplete status: [init]');
    assert.ok(s.initContainerStatuses?.[0].state?.running);
  });

  it('keeps lastTransitionTime when a condition does not change, and conditions it does not own', () => {
    const p = pod();
    p.status = {
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' },
      ],
    };
    const s = generateAPIPodStatus(input(p, [ctr(app)]));
    assert.equal(s.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, '2024-01-01T00:00:00Z');
    assert.equal(s.conditions?.find((c) => c.type === 'ContainersReady')?.lastTransitionTime, NOW);
    assert.ok(s.conditions?.some((c) => c.type === 'PodScheduled'));
  });

  it('a terminal phase never changes back', () => {
    const p = pod({ restartPolicy: 'Never' });
    p.status = { phase: 'Succeeded' };
    assert.equal(generateAPIPodStatus(input(p, [])).phase, 'Succeeded');
  });
});

describe('getPhase', () => {
  it('a deleted pod whose containers were stopped is Succeeded only if all exited 0', () => {
    const p = pod();
    const term = (code: number): ContainerStatus => ({
      name: 'app',
      state: { terminated: { exitCode: code } },
      ready: false,
      restartCount: 0,
      image: '',
      imageID: '',
    });
    assert.equal(getPhase(p, [], [term(0)], true), 'Succeeded');
    assert.equal(getPhase(p, [], [term(137)], true), 'Failed');
    assert.equal(getPhase(p, [], [term(137)], false), 'Running');
  });
});
