// certificates.k8s.io/v1 end to end: a request made by openssl, created and
// approved with the real kubectl (`kubectl certificate approve` sends the request
// back to /approval as protobuf), signed by the csrsigning controller with the
// cluster CA, and the issued certificate checked with openssl; denial; the
// subresource rules; and the columns of `kubectl get csr`.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CSRApprovingController } from '../../pkg/controller/certificates/approver/sarapprove.js';
import { CSRSigningController } from '../../pkg/controller/certificates/signer/signer.js';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { startControllers, until, type RunningControllers } from '../support/controllers.js';
import { opensslCSR, requestField } from '../support/csr.js';

jest.setTimeout(300_000);

const JSON_HDR = { 'content-type': 'application/json' };
const CSR_PATH = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

function csrYAML(name: string, request: string, spec: string): string {
  return `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata:
  name: ${name}
spec:
  request: ${request}
${spec}`;
}

describe('CertificateSigningRequests: kubectl, approval and the signing controller', () => {
  let c: TestCluster;
  let k: TestCluster['kubectl'];
  let controllers: RunningControllers;
  beforeAll(async () => {
    c = await startCluster();
    k = c.kubectl.bind(c);
    // The apiserver keeps its CA in --cert-dir, as `timonel up` hands it to the controller-manager.
    const pki = join(c.dir, 'pki');
    controllers = startControllers(c, (h) => [
      [
        new CSRSigningController(h.context('csrsigning'), {
          clusterSigningCertFile: join(pki, 'ca.crt'),
          clusterSigningKeyFile: join(pki, 'ca.key'),
          clusterSigningDurationMs: 24 * 3600_000,
        }),
        1,
      ],
    ]);
  });
  afterAll(async () => {
    await controllers?.stop();
    await c?.stop();
  });

  it('an openssl request is approved with kubectl certificate approve and signed by the cluster CA', async () => {
    const alice = opensslCSR('/CN=alice/O=devs/O=ops');
    const spec = '  signerName: kubernetes.io/kube-apiserver-client\n  expirationSeconds: 3600\n  usages: [client auth, digital signature]\n';
    assert.equal(
      (await k(['create', '-f', '-'], { input: csrYAML('alice', requestField(alice), spec) })).stdout.trim(),
      'certificatesigningrequest.certificates.k8s.io/alice created',
    );
    const table = (await k(['get', 'csr'])).stdout.split('\n');
    assert.match(table[0], /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION$/);
    assert.match(table[1], /^alice\s+\d+s\s+kubernetes\.io\/kube-apiserver-client\s+.*\s+60m\s+Pending$/);
    // Nothing is signed before approval.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await k(['get', 'csr', 'alice', '-o', 'jsonpath={.status.certificate}'])).stdout, '');

    assert.equal((await k(['certificate', 'approve', 'alice'])).stdout.trim(), 'certificatesigningrequest.certificates.k8s.io/alice approved');
    const approved = JSON.parse((await k(['get', 'csr', 'alice', '-o', 'json'])).stdout);
    const condition = approved.status.conditions[0];
    assert.equal(condition.type, 'Approved');
    assert.equal(condition.status, 'True');
    assert.equal(condition.reason, 'KubectlApprove');
    assert.equal(condition.message, 'This CSR was approved by kubectl certificate approve.');
    assert.match(condition.lastTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'the server fills the transition time');

    const issued = await until(
      'the certificate issued',
      async () => (await k(['get', 'csr', 'alice', '-o', 'jsonpath={.status.certificate}'])).stdout || undefined,
    );
    assert.match((await k(['get', 'csr', 'alice'])).stdout, /^alice\s+.*\s+Approved,Issued$/m);
    const certFile = join(c.dir, 'alice.crt');
    writeFileSync(certFile, Buffer.from(issued, 'base64'));
    assert.equal(
      execFileSync('openssl', ['verify', '-CAfile', join(c.dir, 'pki', 'ca.crt'), certFile])
        .toString()
        .trim(),
      `${certFile}: OK`,
    );
    const text = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-subject', '-ext', 'keyUsage,extendedKeyUsage,basicConstraints']).toString();
    assert.match(text, /^subject=O = ops \+ O = devs, CN = alice$/m);
    assert.match(text, /X509v3 Key Usage: critical\n\s+Digital Signature\n/);
    assert.match(text, /X509v3 Extended Key Usage: \n\s+TLS Web Client Authentication\n/);
    assert.match(text, /X509v3 Basic Constraints: critical\n\s+CA:FALSE/);
    // The hour asked for (the certificate is backdated five minutes, its end is not: it is short-lived).
    const start = Date.parse(execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-startdate']).toString().slice('notBefore='.length));
    const end = Date.parse(execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-enddate']).toString().slice('notAfter='.length));
    assert.equal(end - start, 3600_000 + 5 * 60_000);
    // The issued certificate and the key openssl made belong together.
    const modulus = (args: string[]) => execFileSync('openssl', args, { input: args.includes('-in') ? undefined : alice.key }).toString();
    assert.equal(modulus(['x509', '-in', certFile, '-noout', '-modulus']), modulus(['rsa', '-noout', '-modulus']));

    // The server recorded who asked, and the issued certificate authenticates as its CN and O
    // once the apiserver trusts the cluster CA for clients (--client-ca-file).
    assert.equal(approved.spec.username, 'admin');
    assert.ok(approved.spec.groups.includes('system:masters'), approved.spec.groups.join(','));
    await c.restartServer({ clientCAFile: join(c.dir, 'pki', 'ca.crt') });
    const review = await new Promise<{ status?: { userInfo?: { username?: string; groups?: string[] } } }>((resolve, reject) => {
      const req = httpsRequest(
        `${c.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`,
        { method: 'POST', ca: c.caCert, cert: Buffer.from(issued, 'base64'), key: alice.key, headers: JSON_HDR },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d));
          res.on('end', () => (res.statusCode === 201 ? resolve(JSON.parse(body)) : reject(new Error(`${res.statusCode}: ${body}`))));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }));
    });
    assert.equal(review.status?.userInfo?.username, 'alice');
    assert.deepEqual([...(review.status?.userInfo?.groups ?? [])].sort(), ['devs', 'ops', 'system:authenticated']);
  });

  it('kubectl certificate deny: the request is never signed', async () => {
    await k(['create', '-f', '-'], {
      input: csrYAML(
        'mallory',
        requestField(opensslCSR('/CN=mallory', { key: 'ec' })),
        '  signerName: kubernetes.io/kube-apiserver-client\n  usages: [client auth]\n',
      ),
    });
    assert.equal((await k(['certificate', 'deny', 'mallory'])).stdout.trim(), 'certificatesigningrequest.certificates.k8s.io/mallory denied');
    const denied = JSON.parse((await k(['get', 'csr', 'mallory', '-o', 'json'])).stdout);
    assert.deepEqual(
      denied.status.conditions.map((x: Record<string, string>) => [x.type, x.status, x.reason, x.message]),
      [['Denied', 'True', 'KubectlDeny', 'This CSR was denied by kubectl certificate deny.']],
    );
    // kubectl refuses to approve a denied request, even with --force; the apiserver refuses it too.
    assert.match(
      (await k(['certificate', 'approve', '--force', 'mallory'], { allowFail: true })).stderr,
      /certificate signing request "mallory" is already Denied/,
    );
    denied.status.conditions.push({ type: 'Approved', status: 'True', reason: 'Sneaky' });
    const res = await request(c, 'PUT', `${CSR_PATH}/mallory/approval`, { body: JSON.stringify(denied), headers: JSON_HDR });
    assert.equal(res.status, 422, res.body);
    assert.match(res.body, /status\.conditions\[1\]\.type: Invalid value: \\"Approved\\": Approved and Denied conditions are mutually exclusive/);
    await new Promise((r) => setTimeout(r, 500));
    assert.match((await k(['get', 'csr', 'mallory'])).stdout, /^mallory\s+.*\s+Denied$/m);
  });

  it('a request its signer cannot honour fails; approval conditions and certificates only through their subresources', async () => {
    const req = requestField(opensslCSR('/CN=bob'));
    // Server auth is not a client usage: the signer marks the request Failed.
    await k(['create', '-f', '-'], { input: csrYAML('bob', req, '  signerName: kubernetes.io/kube-apiserver-client\n  usages: [server auth]\n') });
    await k(['certificate', 'approve', 'bob']);
    const failed = await until('the Failed condition', async () => {
      const obj = JSON.parse((await k(['get', 'csr', 'bob', '-o', 'json'])).stdout);
      return obj.status.conditions?.find((x: { type: string }) => x.type === 'Failed');
    });
    assert.equal(failed.reason, 'SignerValidationFailure');
    assert.equal(failed.message, 'invalid usage for client certificate: server auth');
    assert.match((await k(['get', 'csr', 'bob'])).stdout, /^bob\s+.*\s+Approved,Failed$/m);

    // A request created approved, with a requester of its own choosing, is stored pending without them.
    const body = {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name: 'carol' },
      spec: {
        request: requestField(opensslCSR('/CN=carol')),
        signerName: 'example.com/custom',
        usages: ['client auth'],
        username: 'system:admin',
        groups: ['system:masters'],
      },
      status: { conditions: [{ type: 'Approved', status: 'True' }] },
    };
    let res = await request(c, 'POST', CSR_PATH, { body: JSON.stringify(body), headers: JSON_HDR });
    assert.equal(res.status, 201, res.body);
    const created = res.json() as { spec: Record<string, unknown>; status: unknown };
    assert.notEqual(created.spec.username, 'system:admin');
    assert.notDeepEqual(created.spec.groups, ['system:masters']);
    assert.deepEqual(created.status, {});
    // /status may not approve, and the main resource ignores status and spec changes.
    const current = (await request(c, 'GET', `${CSR_PATH}/carol`)).json() as Record<string, unknown> & { status: Record<string, unknown> };
    res = await request(c, 'PUT', `${CSR_PATH}/carol/status`, {
      body: JSON.stringify({ ...current, status: { conditions: [{ type: 'Approved', status: 'True' }] } }),
      headers: JSON_HDR,
    });
    assert.equal(res.status, 422, res.body);
    assert.match(res.body, /status\.conditions: Forbidden: updates may not add a condition of type \\"Approved\\"/);
    res = await request(c, 'PUT', `${CSR_PATH}/carol`, {
      body: JSON.stringify({
        ...current,
        spec: { ...(current.spec as object), usages: ['server auth'] },
        status: { conditions: [{ type: 'Approved', status: 'True' }] },
      }),
      headers: JSON_HDR,
    });
    assert.equal(res.status, 200, res.body);
    const unchanged = res.json() as { spec: { usages: string[] }; status: unknown };
    assert.deepEqual(unchanged.spec.usages, ['client auth']);
    assert.deepEqual(unchanged.status, {});
    // A certificate set through /status must be a certificate.
    const latest = (await request(c, 'GET', `${CSR_PATH}/carol`)).json() as Record<string, unknown>;
    res = await request(c, 'PUT', `${CSR_PATH}/carol/status`, {
      body: JSON.stringify({ ...latest, status: { certificate: Buffer.from('not a certificate').toString('base64') } }),
      headers: JSON_HDR,
    });
    assert.equal(res.status, 422, res.body);
    assert.match(res.body, /status\.certificate: Invalid value: \\"<certificate data>\\": must contain at least one CERTIFICATE PEM block/);
    // Field selectors on spec.signerName, as kubectl and signers use them.
    assert.equal(
      (await k(['get', 'csr', '--field-selector', 'spec.signerName=example.com/custom', '-o', 'name'])).stdout.trim(),
      'certificatesigningrequest.certificates.k8s.io/carol',
    );
    // Discovery lists the subresources.
    const discovery = (await request(c, 'GET', '/apis/certificates.k8s.io/v1')).json() as { resources: Array<{ name: string; verbs: string[] }> };
    assert.deepEqual(
      discovery.resources.map((r) => r.name),
      ['certificatesigningrequests', 'certificatesigningrequests/status', 'certificatesigningrequests/approval'],
    );
  });
});

describe('CertificateSigningRequests: csrapproving under Node,RBAC', () => {
  const BOOTSTRAP_TOKEN = 'abcdef.0123456789abcdef';
  const PLAIN_TOKEN = 'plain-user-token-0123456789';
  let c: TestCluster;
  let controllers: RunningControllers;
  beforeAll(async () => {
    c = await startCluster({
      authorizationModes: ['Node', 'RBAC'],
      tokens: [
        { token: BOOTSTRAP_TOKEN, user: { name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers'] } },
        { token: PLAIN_TOKEN, user: { name: 'mallory', groups: [] } },
      ],
    });
    controllers = startControllers(c, (h) => [[new CSRApprovingController(h.context('csrapproving')), 1]]);
  });
  afterAll(async () => {
    await controllers?.stop();
    await c?.stop();
  });

  const kubeletCSR = (name: string, node: string) =>
    JSON.stringify({
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name },
      spec: {
        request: requestField(opensslCSR(`/O=system:nodes/CN=system:node:${node}`, { key: 'ec' })),
        signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
        usages: ['digital signature', 'client auth'],
      },
    });

  it("approves a joining node's client certificate request made with a bootstrap token, and no one else's", async () => {
    // mallory may not create CSRs at all; a bootstrapper may, through system:node-bootstrapper.
    const refused = await request({ ...c, token: PLAIN_TOKEN }, 'POST', CSR_PATH, { body: kubeletCSR('mallory-node', 'node-8'), headers: JSON_HDR });
    assert.equal(refused.status, 403, refused.body);
    // A bootstrapper's request that is not a kubelet client certificate (server auth) is left alone.
    const wrongUsage = JSON.parse(kubeletCSR('wrong-usage', 'node-7'));
    wrongUsage.spec.usages = ['digital signature', 'server auth'];
    const other = await request({ ...c, token: BOOTSTRAP_TOKEN }, 'POST', CSR_PATH, { body: JSON.stringify(wrongUsage), headers: JSON_HDR });
    assert.equal(other.status, 201, other.body);
    const created = await request({ ...c, token: BOOTSTRAP_TOKEN }, 'POST', CSR_PATH, { body: kubeletCSR('node-9', 'node-9'), headers: JSON_HDR });
    assert.equal(created.status, 201, created.body);
    const approved = await until('the kubelet client request approved', async () => {
      const csr = (await request(c, 'GET', `${CSR_PATH}/node-9`)).json() as { status?: { conditions?: Array<{ type: string; reason?: string }> } };
      return csr.status?.conditions?.find((x) => x.type === 'Approved');
    });
    assert.equal(approved.reason, 'AutoApproved');
    const left = (await request(c, 'GET', `${CSR_PATH}/wrong-usage`)).json() as { spec: { username: string }; status?: { conditions?: unknown[] } };
    assert.equal(left.spec.username, 'system:bootstrap:abcdef');
    assert.deepEqual(left.status?.conditions ?? [], [], 'a request that is not a kubelet client certificate is left for a person');
  });
});
