// The acceptance for authorization, against the real apiserver program
// (node dist/cmd/apiserver/main.js --authorization-mode=Node,RBAC) on a real etcd,
// with the real kubectl and the clusterrole-aggregation controller: viewer-a and
// editor-b with client certificates (viewer-a also with a token), kubectl auth
// can-i agreeing with what they get, kubectl --as, anonymous requests, a kubelet's
// certificate kept to its own node, and a component failing once its role loses
// a rule.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { until } from '../support/controllers.js';
import { startAPIServerProcess, type APIServerProcess } from '../bench/apiserver-process.js';
import { newCertificate, type CertKeyPair } from '../../pkg/util/certs.js';
import { Client } from '../../pkg/client/rest.js';
import { SharedInformerFactory } from '../../pkg/client/factory.js';
import { EventRecorder } from '../../pkg/client/events.js';
import { logger } from '../../pkg/util/log.js';
import { ClusterRoleAggregationController } from '../../pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.js';

const run = promisify(execFile);

interface Answer {
  status: number;
  body: string;
  json: () => Record<string, unknown>;
}

interface Credentials {
  token?: string;
  cert?: CertKeyPair;
}

jest.setTimeout(180_000);
describe('RBAC acceptance (the apiserver program with --authorization-mode=Node,RBAC)', () => {
  let etcd: TestEtcd;
  let api: APIServerProcess;
  let dir: string;
  let ca: CertKeyPair;
  let certs: Record<string, CertKeyPair>;
  let configs: Record<string, string>;
  let aggregation: { stop: () => Promise<void> } | undefined;

  function kubeconfig(name: string, user: Record<string, string>): string {
    const file = join(dir, `${name}.kubeconfig`);
    const cluster = { server: api.url, 'certificate-authority-data': Buffer.from(api.caCert).toString('base64') };
    writeFileSync(
      file,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 't', cluster }],
        users: [{ name, user }],
        contexts: [{ name: 't', context: { cluster: 't', user: name } }],
        'current-context': 't',
      }),
    );
    return file;
  }

  const certUser = (c: CertKeyPair) => ({
    'client-certificate-data': Buffer.from(c.cert).toString('base64'),
    'client-key-data': Buffer.from(c.key).toString('base64'),
  });

  async function kubectl(who: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const child = run('kubectl', args, { env: { ...process.env, HOME: dir, KUBECONFIG: configs[who], KUBECACHEDIR: join(dir, `cache-${who}`) } });
    if (input !== undefined) child.child.stdin?.end(input);
    try {
      const { stdout, stderr } = await child;
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  async function ok(who: string, args: string[], input?: string): Promise<string> {
    const out = await kubectl(who, args, input);
    assert.equal(out.code, 0, `kubectl ${args.join(' ')} as ${who}: ${out.stderr}`);
    return out.stdout;
  }

  function call(method: string, path: string, who: Credentials = {}, body?: unknown, contentType = 'application/json'): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const h: Record<string, string> = {};
      if (who.token) h.authorization = `Bearer ${who.token}`;
      if (text !== undefined) Object.assign(h, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(text)) });
      const req = httpsRequest(
        new URL(path, api.url),
        { method, ca: api.caCert, cert: who.cert?.cert, key: who.cert?.key, headers: h, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => {
            const b = Buffer.concat(chunks).toString();
            resolve({ status: res.statusCode ?? 0, body: b, json: () => JSON.parse(b) as Record<string, unknown> });
          });
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  }

  const canI = async (who: string, args: string[]) => (await kubectl(who, ['auth', 'can-i', ...args])).stdout.trim();

  beforeAll(async () => {
    etcd = await startEtcd();
    dir = mkdtempSync(join(tmpdir(), 'timonel-rbac-'));
    ca = newCertificate({ commonName: 'test-client-ca', usage: 'ca' });
    const client = (cn: string, orgs: string[] = []) => newCertificate({ commonName: cn, organizations: orgs, usage: 'client', issuer: ca });
    certs = {
      admin: client('admin', ['system:masters']),
      'viewer-a': client('viewer-a'),
      'editor-b': client('editor-b'),
      'node-1': client('system:node:node-1', ['system:nodes']),
      scheduler: client('system:kube-scheduler'),
      'controller-manager': client('system:kube-controller-manager'),
    };
    writeFileSync(join(dir, 'client-ca.crt'), ca.cert);
    writeFileSync(join(dir, 'tokens.csv'), 'viewer-token,viewer-a,uid-viewer-a\n');
    api = await startAPIServerProcess({
      etcdEndpoint: etcd.endpoint,
      dir,
      args: [`--client-ca-file=${join(dir, 'client-ca.crt')}`, `--token-auth-file=${join(dir, 'tokens.csv')}`, '--authorization-mode=Node,RBAC'],
    });
    configs = Object.fromEntries(Object.entries(certs).map(([name, c]) => [name, kubeconfig(name, certUser(c))]));
    configs['viewer-token'] = kubeconfig('viewer-token', { token: 'viewer-token' });

    // The aggregation controller, under the controller-manager's own identity.
    const kcm = Client.fromFile(configs['controller-manager']);
    const informers = new SharedInformerFactory(kcm);
    const controller = new ClusterRoleAggregationController({
      client: kcm,
      informers,
      recorder: new EventRecorder(kcm, { component: 'controller-manager' }),
      log: logger('clusterrole-aggregation', -1),
    });
    const stop = new AbortController();
    informers.start();
    const running = controller.run(1, stop.signal);
    aggregation = {
      stop: async () => {
        stop.abort();
        await running;
        await informers.shutdown();
        kcm.close();
      },
    };

    for (const ns of ['a', 'b']) await ok('admin', ['create', 'namespace', ns]);
    await ok('admin', ['create', 'rolebinding', 'viewer-a', '--clusterrole=view', '--user=viewer-a', '-n', 'a']);
    await ok('admin', ['create', 'rolebinding', 'editor-b', '--clusterrole=edit', '--user=editor-b', '-n', 'b']);
    await ok('admin', ['create', 'secret', 'generic', 'private', '--from-literal=k=v', '-n', 'a']);
    await until(
      'view and edit are aggregated',
      async () => (await canI('viewer-a', ['list', 'pods', '-n', 'a'])) === 'yes' && (await canI('editor-b', ['create', 'deployments', '-n', 'b'])) === 'yes',
    );
  });

  afterAll(async () => {
    await aggregation?.stop();
    await api?.stop();
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('viewer-a lists pods in a, gets the upstream 403 in b, cannot read secrets or create; with its certificate and its token', async () => {
    for (const who of ['viewer-a', 'viewer-token']) {
      await ok(who, ['get', 'pods', '-n', 'a']);
      const inB = await kubectl(who, ['get', 'pods', '-n', 'b']);
      assert.notEqual(inB.code, 0);
      assert.equal(
        inB.stderr.trim(),
        'Error from server (Forbidden): pods is forbidden: User "viewer-a" cannot list resource "pods" in API group "" in the namespace "b"',
      );
      const secret = await kubectl(who, ['get', 'secret', 'private', '-n', 'a']);
      assert.equal(
        secret.stderr.trim(),
        'Error from server (Forbidden): secrets "private" is forbidden: User "viewer-a" cannot get resource "secrets" in API group "" in the namespace "a"',
      );
      const create = await kubectl(who, ['create', 'configmap', 'x', '-n', 'a']);
      assert.match(create.stderr, /configmaps is forbidden: User "viewer-a" cannot create resource "configmaps" in API group "" in the namespace "a"/);
    }
  });

  it('editor-b creates a Deployment in b but cannot bind admin (escalation refused)', async () => {
    await ok('editor-b', ['create', 'deployment', 'web', '--image=registry.k8s.io/pause:3.10', '-n', 'b']);
    // edit does not write bindings at all, as upstream's.
    const bind = () => kubectl('editor-b', ['create', 'rolebinding', 'b-admin', '--clusterrole=admin', '--user=editor-b', '-n', 'b']);
    assert.equal(
      (await bind()).stderr.trim(),
      'error: failed to create rolebinding: rolebindings.rbac.authorization.k8s.io is forbidden: User "editor-b" cannot create resource "rolebindings" in API group "rbac.authorization.k8s.io" in the namespace "b"',
    );
    // Allowed to write bindings in b, editor-b may grant what it holds, and no more.
    await ok('admin', ['create', 'role', 'binder', '--verb=create,get', '--resource=rolebindings.rbac.authorization.k8s.io', '-n', 'b']);
    await ok('admin', ['create', 'rolebinding', 'editor-b-binder', '--role=binder', '--user=editor-b', '-n', 'b']);
    const escalation = await until('editor-b may create bindings', async () => {
      const out = await bind();
      return /attempting to grant RBAC permissions/.test(out.stderr) && out;
    });
    assert.notEqual(escalation.code, 0);
    assert.match(
      escalation.stderr,
      /^error: failed to create rolebinding: rolebindings\.rbac\.authorization\.k8s\.io "b-admin" is forbidden: user "editor-b" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\["authorization\.k8s\.io"\], Resources:\["localsubjectaccessreviews"\], Verbs:\["create"\]\}/,
    );
    await ok('editor-b', ['create', 'rolebinding', 'b-view', '--clusterrole=view', '--user=dave', '-n', 'b']);
  });

  it('kubectl auth can-i agrees, including --list', async () => {
    expect(await canI('viewer-a', ['list', 'pods', '-n', 'a'])).toBe('yes');
    expect(await canI('viewer-a', ['get', 'secrets', '-n', 'a'])).toBe('no');
    expect(await canI('viewer-a', ['create', 'deployments', '-n', 'a'])).toBe('no');
    expect(await canI('viewer-token', ['watch', 'deployments.apps', '-n', 'a'])).toBe('yes');
    expect(await canI('editor-b', ['create', 'deployments', '-n', 'b'])).toBe('yes');
    expect(await canI('editor-b', ['create', 'roles', '-n', 'b'])).toBe('no');
    expect(await canI('editor-b', ['create', 'deployments', '-n', 'a'])).toBe('no');
    const list = await ok('viewer-a', ['auth', 'can-i', '--list', '-n', 'a']);
    assert.match(list, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    assert.match(list, /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
    assert.doesNotMatch(list, /^secrets\s/m);
    const inC = await ok('viewer-a', ['auth', 'can-i', '--list', '-n', 'c']);
    assert.doesNotMatch(inC, /^pods\s/m);
    assert.match(await ok('viewer-a', ['auth', 'whoami']), /^Username\s+viewer-a$/m);
  });

  it('kubectl --as=viewer-a works for the admin and is refused for viewer-a', async () => {
    await ok('admin', ['get', 'pods', '-n', 'a', '--as=viewer-a']);
    const asViewerInB = await kubectl('admin', ['get', 'pods', '-n', 'b', '--as=viewer-a']);
    assert.match(asViewerInB.stderr, /pods is forbidden: User "viewer-a" cannot list resource "pods" in API group "" in the namespace "b"/);
    const refused = await kubectl('viewer-a', ['get', 'pods', '-n', 'a', '--as=editor-b']);
    assert.equal(
      refused.stderr.trim(),
      'Error from server (Forbidden): users "editor-b" is forbidden: User "viewer-a" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
  });

  it('without credentials: 403 on /api, health and version open', async () => {
    const res = await call('GET', '/api');
    assert.equal(res.status, 403);
    expect(res.json()).toMatchObject({ reason: 'Forbidden', message: 'forbidden: User "system:anonymous" cannot get path "/api"' });
    for (const path of ['/healthz', '/livez', '/readyz', '/version']) assert.equal((await call('GET', path)).status, 200, path);
  });

  it("a kubelet's certificate reads only its own pods' secrets and writes only its own Node", async () => {
    const admin = { cert: certs.admin };
    const node1 = { cert: certs['node-1'] };
    for (const n of ['node-1', 'node-2']) {
      assert.equal((await call('POST', '/api/v1/nodes', admin, { apiVersion: 'v1', kind: 'Node', metadata: { name: n } })).status, 201);
    }
    for (const [pod, node, secret] of [
      ['on-1', 'node-1', 'one'],
      ['on-2', 'node-2', 'two'],
    ]) {
      await ok('admin', ['create', 'secret', 'generic', secret, '--from-literal=k=v', '-n', 'a']);
      const res = await call('POST', '/api/v1/namespaces/a/pods', admin, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: pod },
        spec: { nodeName: node, containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }], volumes: [{ name: 's', secret: { secretName: secret } }] },
      });
      assert.equal(res.status, 201, res.body);
    }
    await until('node-1 reads the secret of its pod', async () => (await call('GET', '/api/v1/namespaces/a/secrets/one', node1)).status === 200);
    const other = await call('GET', '/api/v1/namespaces/a/secrets/two', node1);
    assert.equal(other.status, 403);
    expect(other.json().message).toBe(
      'secrets "two" is forbidden: User "system:node:node-1" cannot get resource "secrets" in API group "" in the namespace "a": no relationship found between node \'node-1\' and this object',
    );
    const patch = (name: string) =>
      call('PATCH', `/api/v1/nodes/${name}`, node1, { metadata: { labels: { 'example.com/x': 'y' } } }, 'application/merge-patch+json');
    assert.equal((await patch('node-1')).status, 200);
    const refused = await patch('node-2');
    assert.equal(refused.status, 403);
    expect(refused.json().message).toBe('nodes "node-2" is forbidden: node "node-1" is not allowed to modify node "node-2"');
  });

  it('a component fails visibly once its role loses a rule', async () => {
    const bind = (pod: string) =>
      call(
        'POST',
        `/api/v1/namespaces/a/pods/${pod}/binding`,
        { cert: certs.scheduler },
        { apiVersion: 'v1', kind: 'Binding', metadata: { name: pod }, target: { kind: 'Node', name: 'node-1' } },
      );
    const pod = (name: string) =>
      call(
        'POST',
        '/api/v1/namespaces/a/pods',
        { cert: certs.admin },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } },
      );
    await pod('pending-1');
    assert.equal((await bind('pending-1')).status, 201);
    // The administrator takes pods/binding away from the scheduler's role (and keeps the apiserver from restoring it).
    const role = JSON.parse(await ok('admin', ['get', 'clusterrole', 'system:kube-scheduler', '-o', 'json'])) as {
      metadata: { annotations: Record<string, string> };
      rules: Array<{ resources?: string[] }>;
    };
    role.metadata.annotations['rbac.authorization.kubernetes.io/autoupdate'] = 'false';
    role.rules = role.rules.filter((r) => !(r.resources ?? []).includes('pods/binding'));
    await ok('admin', ['replace', '-f', '-'], JSON.stringify(role));
    await pod('pending-2');
    const refused = await until('the scheduler is refused', async () => {
      const res = await bind('pending-2');
      return res.status === 403 && res;
    });
    expect(refused.json().message).toBe(
      'pods "pending-2" is forbidden: User "system:kube-scheduler" cannot create resource "pods/binding" in API group "" in the namespace "a"',
    );
  });
});
