// How the apiserver reaches a kubelet: the node's address and port, the
// container a request names, the kubelet's parameters, and what kubelet
// errors become.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/meta/v1/status.js';
import { kubeletLocation, kubeletLogQuery, kubeletStreamQuery, statusFromKubelet, validateContainer } from '../../pkg/apiserver/nodeproxy.js';

const node = (status: object) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status });
const pod = (spec: object) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'd' }, spec });

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  assert.fail('expected a StatusError');
}

describe('kubelet location', () => {
  it('takes InternalIP and the kubelet endpoint port', () => {
    const l = kubeletLocation(
      node({
        addresses: [
          { type: 'Hostname', address: 'host' },
          { type: 'InternalIP', address: '10.244.0.1' },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10251 } },
      }),
    );
    assert.deepEqual(l, { host: '10.244.0.1', port: 10251 });
  });
  it('falls back to other address types and to port 10250', () => {
    assert.deepEqual(kubeletLocation(node({ addresses: [{ type: 'Hostname', address: 'host' }] })), { host: 'host', port: 10250 });
  });
  it('a node without addresses is unavailable', () => {
    const e = statusOf(() => kubeletLocation(node({})));
    assert.equal(e.code, 503);
    assert.match(e.message, /no preferred addresses found for node "n1"/);
  });
});

describe('container of a request', () => {
  const two = pod({ initContainers: [{ name: 'init' }], containers: [{ name: 'a' }, { name: 'b' }] });
  it('defaults to the only container', () => {
    assert.equal(validateContainer(pod({ containers: [{ name: 'only' }] }), null), 'only');
  });
  it('requires a name when there are several, listing them as kube-apiserver does', () => {
    const e = statusOf(() => validateContainer(two, null));
    assert.equal(e.code, 400);
    assert.equal(e.message, 'a container name must be specified for pod web, choose one of: [init a b]');
  });
  it('rejects a container the pod does not have', () => {
    assert.equal(validateContainer(two, 'init'), 'init');
    const e = statusOf(() => validateContainer(two, 'c'));
    assert.equal(e.message, 'container c is not valid for pod web');
  });
});

describe('kubelet parameters', () => {
  it('PodLogOptions pass through validated', () => {
    const q = kubeletLogQuery(new URLSearchParams('container=a&follow=true&tailLines=10&timestamps=true&limitBytes=100&sinceSeconds=5'));
    assert.equal(q.toString(), 'follow=true&timestamps=true&sinceSeconds=5&tailLines=10&limitBytes=100');
    const e = statusOf(() => kubeletLogQuery(new URLSearchParams('tailLines=-1&sinceSeconds=0')));
    assert.equal(e.code, 422);
    assert.match(e.message, /tailLines: Invalid value: -1: must be greater than or equal to 0/);
    assert.match(e.message, /sinceSeconds: Invalid value: 0: must be greater than 0/);
    assert.equal(statusOf(() => kubeletLogQuery(new URLSearchParams('sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z'))).code, 422);
    assert.equal(statusOf(() => kubeletLogQuery(new URLSearchParams('tailLines=x'))).code, 400);
  });
  it('PodExecOptions become input/output/error/tty=1 and repeated command', () => {
    const q = kubeletStreamQuery(new URLSearchParams('command=sh&command=-c&command=echo+hi&container=a&stdin=true&stdout=true&stderr=false&tty=true'), true);
    assert.equal(q.toString(), 'input=1&output=1&tty=1&command=sh&command=-c&command=echo+hi');
    assert.equal(kubeletStreamQuery(new URLSearchParams('command=x&stdout=true'), false).toString(), 'output=1');
  });
});

describe('kubelet errors', () => {
  it("become Status errors with the kubelet's message", () => {
    const bad = statusFromKubelet(400, 'container "a" in pod "web" is waiting to start: ContainerCreating\n', 'pods/log', 'web');
    assert.equal(bad.code, 400);
    assert.equal(bad.reason, 'BadRequest');
    assert.equal(bad.message, 'container "a" in pod "web" is waiting to start: ContainerCreating');
    const fromStatus = statusFromKubelet(400, JSON.stringify({ kind: 'Status', message: 'from a Status' }), 'pods/log', 'web');
    assert.equal(fromStatus.message, 'from a Status');
    assert.equal(statusFromKubelet(404, '', 'pods/log', 'web').reason, 'NotFound');
    assert.equal(statusFromKubelet(500, 'boom', 'pods/log', 'web').message, 'Internal error occurred: boom');
    assert.equal(statusFromKubelet(401, 'Unauthorized', 'pods/log', 'web').code, 401);
  });
});
