// The certificate controllers' decisions, without an apiserver: which kubelet
// requests csrapproving approves (the SubjectAccessReview is a fake here; the
// apiserver's answer is RBAC's), and what csrsigning issues or refuses.
import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CertificateSigningRequest } from '../../../api/certificates/v1/types.js';
import { approve, type Requester, type ResourceAttributes } from '../../../pkg/controller/certificates/approver/sarapprove.js';
import { IgnorableError } from '../../../pkg/controller/certificates/certificate_controller.js';
import { CertificateAuthority } from '../../../pkg/controller/certificates/authority/authority.js';
import { keyUsagesFromStrings, validityFor } from '../../../pkg/controller/certificates/authority/policies.js';
import { Signer, validAPIServerClientUsages } from '../../../pkg/controller/certificates/signer/signer.js';
import { newCertificate } from '../../../pkg/util/certs.js';
import { opensslCSR, requestField } from '../../support/csr.js';

const KUBELET_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';

function csr(request: string, spec: Partial<CertificateSigningRequest['spec']>, status?: CertificateSigningRequest['status']): CertificateSigningRequest {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: 'node-csr-1' },
    spec: { request, signerName: KUBELET_SIGNER, usages: ['digital signature', 'client auth'], ...spec },
    ...(status ? { status } : {}),
  };
}

/** A fake review: allows what `allowed` lists (user or group → subresources), recording every question. */
function reviewer(allowed: Record<string, string[]>) {
  const asked: Array<{ who: Requester; attrs: ResourceAttributes }> = [];
  const review = async (who: Requester, attrs: ResourceAttributes) => {
    asked.push({ who, attrs });
    return [who.user, ...who.groups].some((p) => (allowed[p] ?? []).includes(attrs.subresource));
  };
  return { review, asked };
}

const nodeRequest = requestField(opensslCSR('/CN=system:node:n1/O=system:nodes', { key: 'ec' }));

test('a bootstrapper creating a kubelet client request is approved after a nodeclient review', async () => {
  const { review, asked } = reviewer({ 'system:bootstrappers': ['nodeclient'] });
  const out = await approve(csr(nodeRequest, { username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:authenticated'] }), review);
  assert.deepEqual(out?.status?.conditions, [
    { type: 'Approved', status: 'True', reason: 'AutoApproved', message: 'Auto approving kubelet client certificate after SubjectAccessReview.' },
  ]);
  assert.deepEqual(
    asked.map((a) => a.attrs),
    [{ group: 'certificates.k8s.io', version: '*', resource: 'certificatesigningrequests', subresource: 'nodeclient', verb: 'create' }],
  );
  assert.equal(asked[0].who.user, 'system:bootstrap:abcdef');
});

test('a node renewing its own certificate is approved after a selfnodeclient review', async () => {
  const { review, asked } = reviewer({ 'system:nodes': ['selfnodeclient'] });
  const out = await approve(csr(nodeRequest, { username: 'system:node:n1', groups: ['system:nodes'] }), review);
  assert.equal(out?.status?.conditions?.[0].message, 'Auto approving self kubelet client certificate after SubjectAccessReview.');
  assert.equal(asked[0].attrs.subresource, 'selfnodeclient');
});

test('recognized but not allowed: retried quietly; a node asking for another node is not self', async () => {
  const { review, asked } = reviewer({ 'system:nodes': ['selfnodeclient'] });
  await assert.rejects(approve(csr(nodeRequest, { username: 'system:node:n2', groups: ['system:nodes'] }), review), (err) => {
    assert.ok(err instanceof IgnorableError);
    assert.match((err as Error).message, /recognized csr "node-csr-1" as \[nodeclient\] but subject access review was not approved/);
    return true;
  });
  assert.deepEqual(
    asked.map((a) => a.attrs.subresource),
    ['nodeclient'],
  );
});

test('requests that are not kubelet client ones, or are decided already, are left alone without a review', async () => {
  const { review, asked } = reviewer({ 'system:bootstrappers': ['nodeclient', 'selfnodeclient'] });
  const who = { username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers'] };
  // another signer, other usages, another organization, a subjectAltName
  assert.equal(await approve(csr(nodeRequest, { ...who, signerName: 'kubernetes.io/kube-apiserver-client' }), review), undefined);
  assert.equal(await approve(csr(nodeRequest, { ...who, usages: ['client auth', 'server auth'] }), review), undefined);
  assert.equal(await approve(csr(requestField(opensslCSR('/CN=system:node:n1/O=devs', { key: 'ec' })), who), review), undefined);
  assert.equal(await approve(csr(requestField(opensslCSR('/CN=system:node:n1/O=system:nodes', { key: 'ec', san: 'DNS:n1' })), who), review), undefined);
  // denied or already approved
  assert.equal(await approve(csr(nodeRequest, who, { conditions: [{ type: 'Denied', status: 'True' }] }), review), undefined);
  assert.equal(await approve(csr(nodeRequest, who, { conditions: [{ type: 'Approved', status: 'True' }] }), review), undefined);
  assert.equal(asked.length, 0);
  // RSA keys may ask for key encipherment too
  const rsa = requestField(opensslCSR('/CN=system:node:n1/O=system:nodes'));
  assert.ok(await approve(csr(rsa, { ...who, usages: ['key encipherment', 'digital signature', 'client auth'] }), review));
});

function withCA<T>(fn: (ca: CertificateAuthority, caFile: string) => T): T {
  const ca = newCertificate({ commonName: 'timonel-ca', usage: 'ca' });
  const dir = mkdtempSync(join(tmpdir(), 'timonel-ca-'));
  try {
    writeFileSync(join(dir, 'ca.crt'), ca.cert);
    return fn(new CertificateAuthority(ca.cert, ca.key), join(dir, 'ca.crt'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function opensslText(pem: string, args: string[]): string {
  return execFileSync('openssl', ['x509', '-noout', ...args], { input: pem }).toString();
}

test('the kube-apiserver-client signer issues what the request asks, within the cluster signing duration', () => {
  withCA((ca, caFile) => {
    const signer = new Signer({ signerName: 'kubernetes.io/kube-apiserver-client', ca, certTTLMs: 24 * 3600_000 });
    const request = requestField(opensslCSR('/CN=alice/O=devs'));
    const approved = () => ({ conditions: [{ type: 'Approved', status: 'True' }] });
    assert.equal(signer.handle(csr(request, { signerName: 'kubernetes.io/kube-apiserver-client' })), undefined, 'not approved yet');
    const issued = signer.handle(csr(request, { signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth', 'digital signature'] }, approved()));
    const pem = Buffer.from(issued?.status?.certificate ?? '', 'base64').toString();
    const dir = mkdtempSync(join(tmpdir(), 'timonel-leaf-'));
    try {
      writeFileSync(join(dir, 'leaf.crt'), pem);
      assert.match(execFileSync('openssl', ['verify', '-CAfile', caFile, join(dir, 'leaf.crt')]).toString(), /OK/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.match(opensslText(pem, ['-subject']), /subject=O = devs, CN = alice/);
    assert.match(opensslText(pem, ['-ext', 'extendedKeyUsage']), /TLS Web Client Authentication/);
    assert.match(opensslText(pem, ['-ext', 'keyUsage']), /critical\s+Digital Signature\n/);
    const end = Date.parse(opensslText(pem, ['-enddate']).replace('notAfter=', '').trim());
    // A day minus the five minutes of backdating, to the second.
    assert.ok(Math.abs(end - (Date.now() + 24 * 3600_000 - 5 * 60_000)) < 5_000, `notAfter ${new Date(end).toISOString()}`);
    // A request for an hour gets an hour; for a week, the one day the signer allows.
    assert.equal(signer.duration(3600), 3600_000);
    assert.equal(signer.duration(7 * 24 * 3600), 24 * 3600_000);
    assert.equal(signer.duration(60), 10 * 60_000);
    // Server auth is not a client usage: the request fails instead.
    const failed = signer.handle(csr(request, { signerName: 'kubernetes.io/kube-apiserver-client', usages: ['server auth'] }, approved()));
    assert.equal(failed?.status?.certificate, undefined);
    assert.deepEqual(
      failed?.status?.conditions?.slice(1).map((c) => [c.type, c.status, c.reason, c.message]),
      [['Failed', 'True', 'SignerValidationFailure', 'invalid usage for client certificate: server auth']],
    );
    // Requests for other signers are another signer's.
    assert.equal(signer.handle(csr(request, {}, approved())), undefined);
  });
});

test('signing policy pieces: usages, validity, client usages', () => {
  assert.deepEqual(keyUsagesFromStrings(['server auth', 'digital signature', 'client auth', 'key encipherment', 's/mime']), {
    keyUsage: 1 | 4,
    extKeyUsages: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.4'],
  });
  assert.throws(() => keyUsagesFromStrings(['flying']), /unrecognized usage values: \["flying"\]/);
  const now = new Date('2030-01-01T00:00:00Z');
  const short = validityFor({ ttlMs: 3600_000, usages: [], backdateMs: 300_000, shortMs: 8 * 3600_000, now: () => now }, new Date('2040-01-01T00:00:00Z'));
  assert.deepEqual(short, { notBefore: new Date('2029-12-31T23:55:00Z'), notAfter: new Date('2030-01-01T01:00:00Z') });
  const capped = validityFor(
    { ttlMs: 10 * 3600_000, usages: [], backdateMs: 300_000, shortMs: 8 * 3600_000, now: () => now },
    new Date('2030-01-01T02:00:00Z'),
  );
  assert.equal(capped.notAfter.toISOString(), '2030-01-01T02:00:00.000Z');
  assert.throws(
    () => validityFor({ ttlMs: 3600_000, usages: [], backdateMs: 0, shortMs: 0, now: () => now }, new Date('2029-01-01T00:00:00Z')),
    /the signer has expired/,
  );
  assert.equal(validAPIServerClientUsages(['client auth', 'key encipherment']), undefined);
  assert.equal(validAPIServerClientUsages(['digital signature']), 'missing required usage for client certificate: client auth');
});
