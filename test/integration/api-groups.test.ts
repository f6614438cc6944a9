// networking.k8s.io/v1, node.k8s.io/v1 and componentstatuses through the real
// kubectl: create ingress (a protobuf body), upstream's columns, explain, the
// default IngressClass, NetworkPolicy defaults, RuntimeClass admission of pods,
// `apply --prune` (which looks up every standard kind) and `get componentstatuses`.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { rfc3339 } from '../support/controllers.js';

jest.setTimeout(300_000);

const JSON_HDR = { 'content-type': 'application/json' };

describe('the networking, node and componentstatuses APIs', () => {
  let c: TestCluster;
  let k: TestCluster['kubectl'];
  beforeAll(async () => {
    c = await startCluster();
    k = c.kubectl.bind(c);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('kubectl create ingress, get ingress with upstream columns, explain ingress.spec.rules', async () => {
    assert.equal((await k(['create', 'ingress', 'web', '--rule=a.example/=svc:80'])).stdout.trim(), 'ingress.networking.k8s.io/web created');
    const ing = JSON.parse((await k(['get', 'ingress', 'web', '-o', 'json'])).stdout);
    assert.deepEqual(ing.spec.rules, [
      { host: 'a.example', http: { paths: [{ path: '/', pathType: 'Exact', backend: { service: { name: 'svc', port: { number: 80 } } } }] } },
    ]);
    assert.deepEqual(ing.status, { loadBalancer: {} });
    assert.equal(ing.metadata.generation, 1);
    await k(['create', 'ingress', 'tls', '--rule=b.example/api*=api:http,tls=cert', '--rule=c.example/=web:8080']);
    const table = (await k(['get', 'ingress'])).stdout.split('\n');
    assert.match(table[0], /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE$/);
    assert.match(table[1], /^tls\s+<none>\s+b\.example,c\.example\s+80, 443\s+\d+s$/);
    assert.match(table[2], /^web\s+<none>\s+a\.example\s+80\s+\d+s$/);
    const explain = (await k(['explain', 'ingress.spec.rules'])).stdout;
    assert.match(explain, /^GROUP:\s+networking\.k8s\.io$/m);
    assert.match(explain, /^FIELD: rules <\[\]IngressRule>$/m);
    assert.match(explain, /^\s+host\s+<string>$/m);
    assert.match(explain, /^\s+http\s+<HTTPIngressRuleValue>$/m);
    // Validation with upstream's words.
    const bad = await k(['create', 'ingress', 'bad', '--rule=10.0.0.1/=svc:80'], { allowFail: true });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec\.rules\[0\]\.host: Invalid value: "10\.0\.0\.1": must be a DNS name, not an IP address/);
  });

  it('an Ingress without a class gets the default IngressClass, the newest of several', async () => {
    const ingressClass = (name: string, isDefault: boolean) =>
      `apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: ${name}\n  annotations:\n    ingressclass.kubernetes.io/is-default-class: "${isDefault}"\nspec:\n  controller: example.com/${name}\n  parameters:\n    kind: Config\n    name: ${name}\n`;
    await k(['apply', '-f', '-'], { input: ingressClass('first', true) });
    const ic = JSON.parse((await k(['get', 'ingressclass', 'first', '-o', 'json'])).stdout);
    assert.equal(ic.spec.parameters.scope, 'Cluster', 'scope defaults to Cluster');
    assert.match((await k(['get', 'ingressclass'])).stdout, /^NAME\s+CONTROLLER\s+PARAMETERS\s+AGE\nfirst\s+example\.com\/first\s+Config\/first\s+\d+s\n$/);
    await k(['create', 'ingress', 'defaulted', '--rule=d.example/=svc:80']);
    assert.equal((await k(['get', 'ingress', 'defaulted', '-o', 'jsonpath={.spec.ingressClassName}'])).stdout, 'first');
    // A class named explicitly, or through the old annotation, is left alone.
    await k(['create', 'ingress', 'explicit', '--class=other', '--rule=e.example/=svc:80']);
    assert.equal((await k(['get', 'ingress', 'explicit', '-o', 'jsonpath={.spec.ingressClassName}'])).stdout, 'other');
    await k(['create', 'ingress', 'annotated', '--annotation=kubernetes.io/ingress.class=legacy', '--rule=f.example/=svc:80']);
    assert.equal((await k(['get', 'ingress', 'annotated', '-o', 'jsonpath={.spec.ingressClassName}'])).stdout, '');
    // Creation timestamps are seconds: the second default is made a second later to be the newest.
    await new Promise((r) => setTimeout(r, 1100));
    await k(['apply', '-f', '-'], { input: ingressClass('second', true) });
    await k(['apply', '-f', '-'], { input: ingressClass('third', false) });
    await k(['create', 'ingress', 'newest', '--rule=g.example/=svc:80']);
    assert.equal((await k(['get', 'ingress', 'newest', '-o', 'jsonpath={.spec.ingressClassName}'])).stdout, 'second');
    assert.match((await k(['get', 'ingress', 'newest'])).stdout, /^newest\s+second\s+g\.example\s+80\s+/m);
  });

  it('NetworkPolicy: policyTypes and port protocols default, upstream columns and validation', async () => {
    await k(['apply', '-f', '-'], {
      input: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: default}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}, {ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
    ports: [{port: 5432}]
`,
    });
    const np = JSON.parse((await k(['get', 'netpol', 'db', '-o', 'json'])).stdout);
    assert.deepEqual(np.spec.policyTypes, ['Ingress']);
    assert.deepEqual(np.spec.ingress[0].ports, [{ port: 5432, protocol: 'TCP' }]);
    assert.match((await k(['get', 'networkpolicies'])).stdout, /^NAME\s+POD-SELECTOR\s+AGE\ndb\s+app=db\s+\d+s\n$/);
    const bad = await k(['apply', '-f', '-'], {
      allowFail: true,
      input: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad, namespace: default}
spec:
  podSelector: {}
  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}}]}]
`,
    });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec\.egress\[0\]\.to\[0\]\.ipBlock\.except\[0\]: Invalid value: "192\.168\.0\.0\/16": must be a strict subset of `cidr`/);
  });

  it('RuntimeClass: the pod gets the overhead and the scheduling; an unknown class is refused', async () => {
    await k(['apply', '-f', '-'], {
      input: `apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: sandboxed}
handler: runsc
overhead: {podFixed: {cpu: 250m, memory: 64Mi}}
scheduling:
  nodeSelector: {sandbox: "true"}
  tolerations: [{key: sandbox, operator: Exists, effect: NoSchedule}]
`,
    });
    assert.match((await k(['get', 'runtimeclass'])).stdout, /^NAME\s+HANDLER\s+AGE\nsandboxed\s+runsc\s+\d+s\n$/);
    const pod = (name: string, extra: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: default}\nspec:\n  containers: [{name: app, image: nginx:1.14.2}]\n${extra}`;
    await k(['apply', '-f', '-'], {
      input: pod(
        'sandboxed',
        '  runtimeClassName: sandboxed\n  nodeSelector: {disk: ssd}\n  tolerations: [{key: sandbox, operator: Exists}, {key: gpu, operator: Exists}]\n',
      ),
    });
    const got = JSON.parse((await k(['get', 'pod', 'sandboxed', '-o', 'json'])).stdout);
    assert.deepEqual(got.spec.overhead, { cpu: '250m', memory: '64Mi' });
    assert.deepEqual(got.spec.nodeSelector, { disk: 'ssd', sandbox: 'true' });
    // The pod's sandbox toleration (any effect) covers the class's NoSchedule one.
    assert.deepEqual(
      got.spec.tolerations.filter((t: { key?: string }) => t.key === 'sandbox' || t.key === 'gpu'),
      [
        { key: 'sandbox', operator: 'Exists' },
        { key: 'gpu', operator: 'Exists' },
      ],
    );
    const unknown = await k(['apply', '-f', '-'], { allowFail: true, input: pod('unknown', '  runtimeClassName: nope\n') });
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /pods "unknown" is forbidden: pod rejected: RuntimeClass "nope" not found/);
    const conflict = await k(['apply', '-f', '-'], {
      allowFail: true,
      input: pod('conflict', '  runtimeClassName: sandboxed\n  nodeSelector: {sandbox: "false"}\n'),
    });
    assert.match(conflict.stderr, /conflict: runtimeClass\.scheduling\.nodeSelector\[sandbox\] = true; pod\.spec\.nodeSelector\[sandbox\] = false/);
    const overhead = await k(['apply', '-f', '-'], { allowFail: true, input: pod('overhead', '  overhead: {cpu: 1}\n') });
    assert.match(overhead.stderr, /pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead/);
    const other = await k(['apply', '-f', '-'], { allowFail: true, input: pod('other', '  runtimeClassName: sandboxed\n  overhead: {cpu: 1}\n') });
    assert.match(other.stderr, /pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead/);
  });

  it('apply --prune -l prunes a ConfigMap removed from the directory', async () => {
    const dir = join(c.dir, 'prune');
    mkdirSync(dir);
    const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\n  labels: {app: x}\ndata: {k: v}\n`;
    writeFileSync(join(dir, 'a.yaml'), cm('keep'));
    writeFileSync(join(dir, 'b.yaml'), cm('drop'));
    const first = (await k(['apply', '--prune', '-l', 'app=x', '-f', dir])).stdout;
    assert.match(first, /configmap\/keep created/);
    assert.match(first, /configmap\/drop created/);
    rmSync(join(dir, 'b.yaml'));
    const second = await k(['apply', '--prune', '-l', 'app=x', '-f', dir]);
    assert.match(second.stdout, /configmap\/keep unchanged/);
    assert.match(second.stdout, /configmap\/drop pruned/);
    assert.doesNotMatch(second.stderr, /no matches for kind/);
    const left = (await k(['get', 'configmaps', '-l', 'app=x', '-o', 'name'])).stdout.trim();
    assert.equal(left, 'configmap/keep');
  });

  it('get componentstatuses: etcd from a read, the scheduler and the controller-manager from their leases', async () => {
    const lease = (name: string, renewTime: string) =>
      JSON.stringify({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: 'kube-system' },
        spec: { holderIdentity: `${name}-1`, leaseDurationSeconds: 15, renewTime: renewTime.replace('Z', '.000000Z') },
      });
    let res = await request(c, 'POST', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', {
      body: lease('kube-scheduler', rfc3339()),
      headers: JSON_HDR,
    });
    assert.equal(res.status, 201, res.body);
    res = await request(c, 'POST', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', {
      body: lease('kube-controller-manager', rfc3339(Date.now() - 60_000)),
      headers: JSON_HDR,
    });
    assert.equal(res.status, 201, res.body);
    const out = await k(['get', 'componentstatuses']);
    assert.match(out.stderr, /Warning: v1 ComponentStatus is deprecated in v1\.19\+/);
    const lines = out.stdout.split('\n');
    assert.match(lines[0], /^NAME\s+STATUS\s+MESSAGE\s+ERROR$/);
    assert.match(out.stdout, /^scheduler\s+Healthy\s+ok\s*$/m);
    assert.match(
      out.stdout,
      /^controller-manager\s+Unhealthy\s+lease kube-system\/kube-controller-manager held by kube-controller-manager-1 was last renewed at /m,
    );
    assert.match(out.stdout, /^etcd-0\s+Healthy\s+ok\s*$/m);
    const one = JSON.parse((await k(['get', 'cs', 'etcd-0', '-o', 'json'])).stdout);
    assert.deepEqual(one.conditions, [{ type: 'Healthy', status: 'True', message: 'ok' }]);
    const missing = await k(['get', 'cs', 'nope'], { allowFail: true });
    assert.match(missing.stderr, /componentstatuses "nope" not found/);
    // Read-only.
    const write = await request(c, 'POST', '/api/v1/componentstatuses', { body: '{"metadata":{"name":"x"}}', headers: JSON_HDR });
    assert.equal(write.status, 405);
  });
});
