// Pods and service accounts against a real apiserver (Node and RBAC authorizers,
// the ServiceAccount admission plugin on) and the real controllers in this process:
// the kube-api-access volume and mounts the admission adds (and does not add),
// the kube-root-ca.crt ConfigMap in every namespace, legacy token Secrets filled and
// working, and the kubelet's own token requester, as the node, getting tokens for
// pods on its node only.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import type { Pod } from '../../api/core/v1/types.js';
import { Client } from '../../pkg/client/rest.js';
import type { ControllerManager } from '../../pkg/controller/manager.js';
import { tokenRequester } from '../../pkg/kubelet/volumes/token.js';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { startManager, until } from '../support/controllers.js';

jest.setTimeout(120_000);

const JSON_HDR = { 'content-type': 'application/json' };
const MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

describe('ServiceAccount admission and the service-account controllers', () => {
  let c: TestCluster;
  let manager: ControllerManager;
  let ca: string;

  beforeAll(async () => {
    c = await startCluster({ authorizationModes: ['Node', 'RBAC'], disableAdmissionPlugins: [] });
    ca = readFileSync(join(c.dir, 'pki', 'ca.crt'), 'utf8');
    manager = await startManager(c, ['serviceaccount', 'root-ca-cert-publisher', 'serviceaccount-token'], {
      rootCAFile: join(c.dir, 'pki', 'ca.crt'),
      serviceAccountPrivateKeyFile: join(c.dir, 'pki', 'sa.key'),
    });
    await until('the default service account', async () => (await request(c, 'GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200);
  });
  afterAll(async () => {
    await manager?.stop();
    await c?.stop();
  });

  async function createPod(pod: Record<string, unknown>, namespace = 'default'): Promise<{ status: number; pod: Pod; body: string }> {
    const res = await request(c, 'POST', `/api/v1/namespaces/${namespace}/pods`, {
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', ...pod }),
      headers: JSON_HDR,
    });
    return { status: res.status, pod: res.json() as Pod, body: res.body };
  }

  async function whoami(token: string): Promise<{ status: number; userInfo: Record<string, unknown> }> {
    const res = await request({ ...c, token }, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
      headers: JSON_HDR,
    });
    return { status: res.status, userInfo: res.status === 201 ? (res.json() as { status: { userInfo: Record<string, unknown> } }).status.userInfo : {} };
  }

  it('adds the kube-api-access projected volume and a read-only mount in every container and init container', async () => {
    const { status, pod, body } = await createPod({
      metadata: { name: 'mounted' },
      spec: {
        initContainers: [{ name: 'init', image: 'busybox' }],
        containers: [
          { name: 'app', image: 'busybox' },
          { name: 'own', image: 'busybox', volumeMounts: [{ name: 'mine', mountPath: MOUNT_PATH }] },
        ],
        volumes: [{ name: 'mine', emptyDir: {} }],
      },
    });
    assert.equal(status, 201, body);
    assert.equal(pod.spec.serviceAccountName, 'default');
    const volume = (pod.spec.volumes ?? []).find((v) => v.name.startsWith('kube-api-access-'));
    assert.ok(volume, body);
    assert.match(volume.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(volume.projected, {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    });
    const mount = { name: volume.name, readOnly: true, mountPath: MOUNT_PATH };
    assert.deepEqual(pod.spec.initContainers?.[0].volumeMounts, [mount]);
    assert.deepEqual(pod.spec.containers[0].volumeMounts, [mount]);
    assert.deepEqual(pod.spec.containers[1].volumeMounts, [{ name: 'mine', mountPath: MOUNT_PATH }]);
  });

  it('honours automountServiceAccountToken false on the pod or the service account; the pod wins', async () => {
    const volumes = (p: Pod) => (p.spec.volumes ?? []).map((v) => v.name).filter((n) => n.startsWith('kube-api-access-'));
    const off = await createPod({
      metadata: { name: 'no-automount' },
      spec: { automountServiceAccountToken: false, containers: [{ name: 'a', image: 'busybox' }] },
    });
    assert.equal(off.status, 201, off.body);
    assert.deepEqual(volumes(off.pod), []);
    assert.equal(off.pod.spec.containers[0].volumeMounts, undefined);

    await c.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'quiet' }, automountServiceAccountToken: false }),
    });
    const saOff = await createPod({ metadata: { name: 'sa-off' }, spec: { serviceAccountName: 'quiet', containers: [{ name: 'a', image: 'busybox' }] } });
    assert.equal(saOff.status, 201, saOff.body);
    assert.deepEqual(volumes(saOff.pod), []);
    const podOn = await createPod({
      metadata: { name: 'pod-on' },
      spec: { serviceAccountName: 'quiet', automountServiceAccountToken: true, containers: [{ name: 'a', image: 'busybox' }] },
    });
    assert.equal(podOn.status, 201, podOn.body);
    assert.equal(volumes(podOn.pod).length, 1);
  });

  it('refuses a pod whose service account does not exist', async () => {
    const res = await createPod({ metadata: { name: 'orphan' }, spec: { serviceAccountName: 'missing', containers: [{ name: 'a', image: 'busybox' }] } });
    assert.equal(res.status, 403, res.body);
    assert.equal(
      (res.pod as unknown as { message: string }).message,
      'pods "orphan" is forbidden: error looking up service account default/missing: serviceaccount "missing" not found',
    );
  });

  it('leaves mirror pods alone, and refuses mirror pods naming a service account', async () => {
    const mirror = { 'kubernetes.io/config.mirror': 'abc' };
    const plain = await createPod({
      metadata: { name: 'mirror', annotations: mirror },
      spec: { nodeName: 'n0', containers: [{ name: 'a', image: 'busybox' }] },
    });
    assert.equal(plain.status, 201, plain.body);
    assert.equal(plain.pod.spec.volumes?.some((v) => v.name.startsWith('kube-api-access-')) ?? false, false);
    const withSA = await createPod({
      metadata: { name: 'mirror-sa', annotations: mirror },
      spec: { nodeName: 'n0', serviceAccountName: 'default', containers: [{ name: 'a', image: 'busybox' }] },
    });
    assert.equal(withSA.status, 403, withSA.body);
    assert.match(withSA.body, /a mirror pod may not reference service accounts/);
  });

  it('publishes kube-root-ca.crt in every namespace and puts it back when changed or deleted', async () => {
    await c.kubectl(['create', 'namespace', 'fresh']);
    const get = async () => {
      const res = await request(c, 'GET', '/api/v1/namespaces/fresh/configmaps/kube-root-ca.crt');
      return res.status === 200 ? (res.json() as { data: Record<string, string>; metadata: { annotations: Record<string, string> } }) : undefined;
    };
    const cm = await until('kube-root-ca.crt in the new namespace', get);
    assert.deepEqual(cm.data, { 'ca.crt': ca });
    assert.equal(
      cm.metadata.annotations['kubernetes.io/description'],
      'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
    );
    await c.kubectl(['patch', 'configmap', 'kube-root-ca.crt', '-n', 'fresh', '--type=merge', '-p', '{"data":{"ca.crt":"tampered","extra":"x"}}']);
    await until('kube-root-ca.crt restored', async () => {
      const now = await get();
      return now && now.data['ca.crt'] === ca && Object.keys(now.data).length === 1;
    });
    await c.kubectl(['delete', 'configmap', 'kube-root-ca.crt', '-n', 'fresh']);
    await until('kube-root-ca.crt recreated', async () => (await get())?.data['ca.crt'] === ca);
  });

  it('fills a legacy service-account-token Secret; its token authenticates until the account is deleted (which deletes the Secret)', async () => {
    await c.kubectl(['create', 'serviceaccount', 'legacy']);
    const saUID = (await c.kubectl(['get', 'sa', 'legacy', '-o', 'jsonpath={.metadata.uid}'])).stdout;
    await c.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'legacy-token', annotations: { 'kubernetes.io/service-account.name': 'legacy' } },
        type: 'kubernetes.io/service-account-token',
      }),
    });
    type SecretJSON = { data?: Record<string, string>; metadata: { annotations: Record<string, string> } };
    const secret = await until('the token Secret filled', async () => {
      const res = await request(c, 'GET', '/api/v1/namespaces/default/secrets/legacy-token');
      const s = res.json() as SecretJSON;
      return s.data?.token ? s : undefined;
    });
    const data = (k: string) => Buffer.from(secret.data?.[k] ?? '', 'base64').toString();
    assert.equal(data('ca.crt'), ca);
    assert.equal(data('namespace'), 'default');
    assert.equal(secret.metadata.annotations['kubernetes.io/service-account.uid'], saUID);
    const token = data('token');
    const claims = decodeJwt(token);
    assert.equal(claims.iss, 'kubernetes/serviceaccount');
    assert.equal(claims['kubernetes.io/serviceaccount/secret.name'], 'legacy-token');
    assert.equal(claims.exp, undefined);
    const who = await until('the legacy token taken', async () => {
      const r = await whoami(token);
      return r.status === 201 && r;
    });
    assert.equal(who.userInfo.username, 'system:serviceaccount:default:legacy');
    assert.equal(who.userInfo.uid, saUID);

    await c.kubectl(['delete', 'serviceaccount', 'legacy']);
    await until('the token Secret deleted', async () => (await request(c, 'GET', '/api/v1/namespaces/default/secrets/legacy-token')).status === 404);
    await until('the legacy token refused', async () => (await whoami(token)).status === 401);
  });

  it("the kubelet's token requester gets bound tokens as its node for pods on that node only", async () => {
    for (const name of ['n1', 'n2']) await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name } }) });
    const onN1 = await createPod({ metadata: { name: 'on-n1' }, spec: { nodeName: 'n1', containers: [{ name: 'a', image: 'busybox' }] } });
    assert.equal(onN1.status, 201, onN1.body);
    const onN2 = await createPod({ metadata: { name: 'on-n2' }, spec: { nodeName: 'n2', containers: [{ name: 'a', image: 'busybox' }] } });
    assert.equal(onN2.status, 201, onN2.body);
    const client = Client.fromFile(c.kubeconfigFor('system:node:n1', ['system:nodes']));
    try {
      const requestToken = tokenRequester(client.rest);
      const projection = { path: 'token', expirationSeconds: 3607 };
      const { token, expirationTimestamp } = await until('a token for the pod on n1', () => requestToken(onN1.pod, projection));
      // The expiry asked for is answered; the token itself is extended to a year, warning after 3607 s.
      const claims = decodeJwt(token);
      assert.equal(Date.parse(expirationTimestamp ?? '') / 1000, (claims.iat as number) + 3607);
      assert.equal((claims.exp as number) - (claims.iat as number), 365 * 24 * 3600);
      assert.equal((claims['kubernetes.io'] as { warnafter: number }).warnafter, (claims.iat as number) + 3607);
      const who = await until('the bound token taken', async () => {
        const r = await whoami(token);
        return r.status === 201 && r;
      });
      assert.equal(who.userInfo.username, 'system:serviceaccount:default:default');
      const n1UID = (await c.kubectl(['get', 'node', 'n1', '-o', 'jsonpath={.metadata.uid}'])).stdout;
      assert.deepEqual(who.userInfo.extra, {
        'authentication.kubernetes.io/credential-id': [`JTI=${String(decodeJwt(token).jti)}`],
        'authentication.kubernetes.io/node-name': ['n1'],
        'authentication.kubernetes.io/node-uid': [n1UID],
        'authentication.kubernetes.io/pod-name': ['on-n1'],
        'authentication.kubernetes.io/pod-uid': [onN1.pod.metadata.uid as string],
      });
      await assert.rejects(requestToken(onN2.pod, projection), /forbidden/i);
      await assert.rejects(
        client.rest.request('POST', '/api/v1/namespaces/default/serviceaccounts/default/token', {
          body: { kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', spec: {} },
        }),
        /node requested token not bound to a pod/,
      );
    } finally {
      client.close();
    }
  });
});
