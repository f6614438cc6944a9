// The kubectl verbs a Kubernetes user reaches for, against Timonel, with their real output.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startCluster, type TestCluster } from '../support/cluster.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {tier: frontend}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports: [{containerPort: 80}]
`;

jest.setTimeout(300_000);
describe('kubectl verbs', () => {
  let c: TestCluster;
  let k: TestCluster['kubectl'];
  beforeAll(async () => {
    c = await startCluster();
    k = c.kubectl.bind(c);
    await k(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: verbs\n' });
    await k(['apply', '-n', 'verbs', '-f', '-'], { input: DEPLOYMENT });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('create namespace, configmap and secret generic --from-literal', async () => {
    assert.equal((await k(['create', 'namespace', 'made-by-create'])).stdout.trim(), 'namespace/made-by-create created');
    assert.equal((await k(['create', 'configmap', 'cfg', '-n', 'verbs', '--from-literal=a=1', '--from-literal=b=two'])).stdout.trim(), 'configmap/cfg created');
    assert.equal((await k(['create', 'secret', 'generic', 'sec', '-n', 'verbs', '--from-literal=password=s3cret'])).stdout.trim(), 'secret/sec created');
    const cm = JSON.parse((await k(['get', 'configmap', 'cfg', '-n', 'verbs', '-o', 'json'])).stdout) as { data: Record<string, string> };
    assert.deepEqual(cm.data, { a: '1', b: 'two' });
    const secret = (await k(['get', 'secret', 'sec', '-n', 'verbs', '-o', 'jsonpath={.data.password}'])).stdout;
    assert.equal(Buffer.from(secret, 'base64').toString(), 's3cret');
  });

  it('get prints the Kubernetes columns, wide and -A', async () => {
    const table = (await k(['get', 'deploy', '-n', 'verbs'])).stdout.split('\n');
    assert.match(table[0], /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    assert.match(table[1], /^web\s+0\/2\s+0\s+0\s+\d+s$/);
    const wide = (await k(['get', 'deploy', '-n', 'verbs', '-o', 'wide'])).stdout.split('\n');
    assert.match(wide[0], /CONTAINERS\s+IMAGES\s+SELECTOR$/);
    assert.match(wide[1], /nginx\s+nginx:1\.14\.2\s+app=web$/);
    const all = (await k(['get', 'namespaces', '-A'])).stdout;
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'verbs']) assert.match(all, new RegExp(`^${ns}\\s+Active\\s+`, 'm'));
    const svc = (await k(['get', 'svc', '-A'])).stdout.split('\n');
    assert.match(svc[0], /^NAMESPACE\s+NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    assert.match(svc[1], /^default\s+kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP\s+/);
  });

  it('get -o yaml|json|jsonpath|name, -l and --field-selector', async () => {
    assert.match((await k(['get', 'deploy', 'web', '-n', 'verbs', '-o', 'yaml'])).stdout, /^kind: Deployment$/m);
    assert.equal(JSON.parse((await k(['get', 'deploy', 'web', '-n', 'verbs', '-o', 'json'])).stdout).spec.replicas, 2);
    assert.equal((await k(['get', 'deploy', '-n', 'verbs', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout, 'web');
    assert.equal((await k(['get', 'deploy', '-n', 'verbs', '-o', 'name'])).stdout.trim(), 'deployment.apps/web');
    assert.equal((await k(['get', 'deploy', '-n', 'verbs', '-l', 'tier=frontend', '-o', 'name'])).stdout.trim(), 'deployment.apps/web');
    assert.equal((await k(['get', 'deploy', '-n', 'verbs', '-l', 'tier notin (frontend)', '-o', 'name'])).stdout.trim(), '');
    assert.equal((await k(['get', 'configmaps', '-n', 'verbs', '--field-selector', 'metadata.name=cfg', '-o', 'name'])).stdout.trim(), 'configmap/cfg');
    const bad = await k(['get', 'pods', '--field-selector', 'spec.nope=x'], { allowFail: true });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /field label not supported: spec.nope/);
  });

  it('get po,deploy,svc and get all', async () => {
    const out = (await k(['get', 'po,deploy,svc', '-n', 'verbs'])).stdout;
    assert.match(out, /deployment\.apps\/web/);
    const all = (await k(['get', 'all', '-n', 'default'])).stdout;
    assert.match(all, /service\/kubernetes\s+ClusterIP\s+10\.96\.0\.1/);
  });

  it('label, annotate and the three kinds of patch', async () => {
    assert.equal((await k(['label', 'deploy', 'web', '-n', 'verbs', 'env=prod'])).stdout.trim(), 'deployment.apps/web labeled');
    assert.equal((await k(['annotate', 'deploy', 'web', '-n', 'verbs', 'owner=team-a'])).stdout.trim(), 'deployment.apps/web annotated');
    assert.equal(
      (
        await k(['patch', 'deploy', 'web', '-n', 'verbs', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}'])
      ).stdout.trim(),
      'deployment.apps/web patched',
    );
    let d = JSON.parse((await k(['get', 'deploy', 'web', '-n', 'verbs', '-o', 'json'])).stdout);
    assert.deepEqual(d.spec.template.spec.containers.map((x: { name: string }) => x.name).sort(), ['nginx', 'sidecar'], 'strategic merge keeps nginx');
    assert.equal(d.metadata.labels.env, 'prod');
    assert.equal(d.metadata.annotations.owner, 'team-a');
    await k([
      'patch',
      'deploy',
      'web',
      '-n',
      'verbs',
      '--type=merge',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.16.1"}]}}}}',
    ]);
    d = JSON.parse((await k(['get', 'deploy', 'web', '-n', 'verbs', '-o', 'json'])).stdout);
    assert.deepEqual(
      d.spec.template.spec.containers.map((x: { image: string }) => x.image),
      ['nginx:1.16.1'],
      'merge patch replaces the list',
    );
    await k(['patch', 'deploy', 'web', '-n', 'verbs', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3}]']);
    d = JSON.parse((await k(['get', 'deploy', 'web', '-n', 'verbs', '-o', 'json'])).stdout);
    assert.equal(d.spec.replicas, 3);
    assert.equal(d.metadata.generation, 4);
    const unchanged = await k(['patch', 'deploy', 'web', '-n', 'verbs', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3}]']);
    assert.equal(unchanged.stdout.trim(), 'deployment.apps/web patched (no change)');
  });

  it('scale', async () => {
    assert.equal((await k(['scale', 'deploy', 'web', '-n', 'verbs', '--replicas=5'])).stdout.trim(), 'deployment.apps/web scaled');
    assert.equal((await k(['get', 'deploy', 'web', '-n', 'verbs', '-o', 'jsonpath={.spec.replicas}'])).stdout, '5');
  });

  it('describe', async () => {
    const out = (await k(['describe', 'deploy', 'web', '-n', 'verbs'])).stdout;
    assert.match(out, /^Name:\s+web$/m);
    assert.match(out, /^Namespace:\s+verbs$/m);
    assert.match(out, /^Selector:\s+app=web$/m);
    assert.match(out, /^StrategyType:\s+RollingUpdate$/m);
  });

  it('explain, api-resources and api-versions', async () => {
    const explain = (await k(['explain', 'deployment.spec.replicas'])).stdout;
    assert.match(explain, /FIELD:\s+replicas <integer>/);
    const resources = (await k(['api-resources'])).stdout;
    assert.match(resources, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    assert.match(resources, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    const versions = (await k(['api-versions'])).stdout.split('\n');
    for (const v of ['v1', 'apps/v1', 'batch/v1', 'rbac.authorization.k8s.io/v1']) assert.ok(versions.includes(v), v);
  });

  it('get -w streams changes', async () => {
    const child = spawn('kubectl', ['get', 'configmaps', '-n', 'verbs', '-w', '--output-watch-events'], {
      env: { ...process.env, KUBECONFIG: c.kubeconfig, HOME: c.dir },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const deadline = Date.now() + 10_000;
      while (!/cfg/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await k(['create', 'configmap', 'watched', '-n', 'verbs', '--from-literal=x=1']);
      while (!/MODIFIED|ADDED\s+watched/.test(out.split('\n').slice(1).join('\n')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.match(out, /ADDED\s+watched/);
    } finally {
      child.kill();
    }
  });

  it('delete with -l, cascade flags, and wait --for=delete', async () => {
    await k(['create', 'configmap', 'gone-1', '-n', 'verbs']);
    await k(['create', 'configmap', 'gone-2', '-n', 'verbs']);
    await k(['label', 'configmap', 'gone-1', 'gone-2', '-n', 'verbs', 'doomed=true']);
    const del = (await k(['delete', 'configmap', '-n', 'verbs', '-l', 'doomed=true'])).stdout.trim().split('\n').sort();
    assert.deepEqual(del, ['configmap "gone-1" deleted', 'configmap "gone-2" deleted']);
    assert.equal((await k(['delete', 'deploy', 'web', '-n', 'verbs', '--cascade=orphan'])).stdout.trim(), 'deployment.apps "web" deleted');
    await k(['wait', '--for=delete', 'deployment/web', '-n', 'verbs', '--timeout=10s']);
    // With a dependent, foreground deletion leaves the owner marked for the garbage collector.
    await k(['apply', '-n', 'verbs', '-f', '-'], { input: DEPLOYMENT });
    const uid = (await k(['get', 'deploy', 'web', '-n', 'verbs', '-o', 'jsonpath={.metadata.uid}'])).stdout;
    await k(['apply', '-n', 'verbs', '-f', '-'], {
      input: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dependent\n  ownerReferences:\n  - {apiVersion: apps/v1, kind: Deployment, name: web, uid: ${uid}, blockOwnerDeletion: true}\n`,
    });
    await k(['delete', 'deploy', 'web', '-n', 'verbs', '--cascade=foreground', '--wait=false']);
    const fg = JSON.parse((await k(['get', 'deploy', 'web', '-n', 'verbs', '-o', 'json'])).stdout);
    assert.ok(fg.metadata.deletionTimestamp, 'foreground deletion marks the owner');
    assert.deepEqual(fg.metadata.finalizers, ['foregroundDeletion']);
    // Without dependents there is nothing to wait for: the object goes at once.
    await k(['create', 'configmap', 'lonely', '-n', 'verbs']);
    assert.equal(
      (await k(['delete', 'configmap', 'lonely', '-n', 'verbs', '--cascade=foreground', '--timeout=10s'])).stdout.trim(),
      'configmap "lonely" deleted',
    );
    const missing = await k(['get', 'deploy', 'nope', '-n', 'verbs'], { allowFail: true });
    assert.match(missing.stderr, /Error from server \(NotFound\): deployments.apps "nope" not found/);
  });
});
