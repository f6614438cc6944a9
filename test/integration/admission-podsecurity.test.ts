// PodSecurity admission against a real apiserver and etcd, through the real kubectl:
// the namespace labels enforce, warn and audit the Pod Security Standards with
// upstream's messages, controllers' templates are only warned about, and labelling a
// namespace warns about the pods already in it; audit violations reach the audit log.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAuditPolicy } from '../support/audit.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { until } from '../support/controllers.js';

const PRIVILEGED_POD = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
  - name: nginx
    image: nginx:1.14.2
    securityContext:
      privileged: true
`;

const HOST_NETWORK_POD = `apiVersion: v1
kind: Pod
metadata:
  name: host-net
spec:
  hostNetwork: true
  containers:
  - name: nginx
    image: nginx:1.14.2
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
spec:
  replicas: 1
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
`;

const namespaceYAML = (name: string, labels: Record<string, string>) =>
  `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels:\n${Object.entries(labels)
    .map(([k, v]) => `    ${k}: "${v}"`)
    .join('\n')}\n`;

const RESTRICTED_VIOLATIONS =
  'privileged (container "nginx" must not set securityContext.privileged=true), ' +
  'allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), ' +
  'unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), ' +
  'runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), ' +
  'seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

jest.setTimeout(120_000);
describe('PodSecurity admission', () => {
  let c: TestCluster;

  let auditLog: string;

  beforeAll(async () => {
    c = await startCluster();
    auditLog = join(c.dir, 'audit.log');
    await c.restartServer({ auditLogPath: auditLog, auditPolicyFile: writeAuditPolicy(c.dir) });
  });
  afterAll(async () => {
    await c?.stop();
  });

  const apply = (ns: string, yaml: string) => c.kubectl(['apply', '-n', ns, '-f', '-'], { input: yaml, allowFail: true });

  it('enforce=restricted refuses a privileged pod with upstream message', async () => {
    await c.kubectl(['apply', '-f', '-'], { input: namespaceYAML('psa-restricted', { 'pod-security.kubernetes.io/enforce': 'restricted' }) });
    const res = await apply('psa-restricted', PRIVILEGED_POD('priv'));
    assert.notEqual(res.code, 0);
    assert.ok(
      res.stderr.includes(
        `Error from server (Forbidden): error when creating "STDIN": pods "priv" is forbidden: violates PodSecurity "restricted:latest": ${RESTRICTED_VIOLATIONS}`,
      ),
      res.stderr,
    );
    const get = await c.kubectl(['get', 'pod', 'priv', '-n', 'psa-restricted'], { allowFail: true });
    assert.match(get.stderr, /NotFound/);
  });

  it('warn=restricted admits the pod, and kubectl prints the warning', async () => {
    await c.kubectl(['create', 'namespace', 'psa-warn']);
    await c.kubectl(['label', 'namespace', 'psa-warn', 'pod-security.kubernetes.io/warn=restricted']);
    const res = await apply('psa-warn', PRIVILEGED_POD('priv'));
    assert.equal(res.code, 0, res.stderr);
    assert.ok(res.stderr.includes(`Warning: would violate PodSecurity "restricted:latest": ${RESTRICTED_VIOLATIONS}`), res.stderr);
    assert.match(res.stdout, /pod\/priv created/);
  });

  it('audit=restricted admits the pod and writes the violations into its audit event', async () => {
    await c.kubectl(['apply', '-f', '-'], { input: namespaceYAML('psa-audit', { 'pod-security.kubernetes.io/audit': 'restricted' }) });
    const res = await apply('psa-audit', PRIVILEGED_POD('audited'));
    assert.equal(res.code, 0, res.stderr);
    assert.doesNotMatch(res.stderr, /PodSecurity/);
    const event = await until('the audit event of the create', () =>
      readFileSync(auditLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { verb: string; objectRef?: { resource?: string; name?: string }; annotations?: Record<string, string> })
        .find((e) => e.verb === 'create' && e.objectRef?.resource === 'pods' && e.objectRef.name === 'audited'),
    );
    assert.equal(event.annotations?.['pod-security.kubernetes.io/enforce-policy'], 'privileged:latest');
    assert.equal(event.annotations?.['pod-security.kubernetes.io/audit-violations'], `would violate PodSecurity "restricted:latest": ${RESTRICTED_VIOLATIONS}`);
  });

  it('enforce=baseline refuses hostNetwork', async () => {
    await c.kubectl(['apply', '-f', '-'], { input: namespaceYAML('psa-baseline', { 'pod-security.kubernetes.io/enforce': 'baseline' }) });
    const res = await apply('psa-baseline', HOST_NETWORK_POD);
    assert.notEqual(res.code, 0);
    assert.ok(res.stderr.includes('pods "host-net" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)'), res.stderr);
    // The same pod without the host network passes baseline.
    const ok = await apply('psa-baseline', HOST_NETWORK_POD.replace('  hostNetwork: true\n', ''));
    assert.equal(ok.code, 0, ok.stderr);
  });

  it('a Deployment in an enforce=restricted namespace is admitted with a warning', async () => {
    const res = await apply('psa-restricted', DEPLOYMENT);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /deployment.apps\/nginx-deployment created/);
    assert.ok(
      res.stderr.includes(
        'Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), ',
      ),
      res.stderr,
    );
  });

  it('labelling a namespace with a tighter enforce level warns about the pods already there', async () => {
    const res = await c.kubectl(['label', 'namespace', 'psa-warn', 'pod-security.kubernetes.io/enforce=baseline']);
    assert.ok(res.stderr.includes('Warning: existing pods in namespace "psa-warn" violate the new PodSecurity enforce level "baseline:latest"'), res.stderr);
    assert.ok(res.stderr.includes('Warning: priv: privileged'), res.stderr);
    // The pod stays; new ones are refused.
    await c.kubectl(['get', 'pod', 'priv', '-n', 'psa-warn']);
    const refused = await apply('psa-warn', PRIVILEGED_POD('priv2'));
    assert.match(
      refused.stderr,
      /pods "priv2" is forbidden: violates PodSecurity "baseline:latest": privileged \(container "nginx" must not set securityContext.privileged=true\)/,
    );
  });

  it('an invalid level is refused on the namespace with 422', async () => {
    const res = await c.kubectl(['label', 'namespace', 'psa-warn', 'pod-security.kubernetes.io/audit=loud'], { allowFail: true });
    assert.notEqual(res.code, 0);
    assert.ok(
      res.stderr.includes(
        'The Namespace "psa-warn" is invalid: metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: "loud": must be one of privileged, baseline, restricted',
      ),
      res.stderr,
    );
  });

  it('namespaces without labels (kube-system, default) admit privileged pods', async () => {
    for (const ns of ['kube-system', 'default']) {
      const res = await apply(ns, PRIVILEGED_POD('system-priv'));
      assert.equal(res.code, 0, res.stderr);
      assert.doesNotMatch(res.stderr, /PodSecurity/);
    }
  });
});
