// Who the parts of a cluster are: certificates from the cluster CA kept while
// still what was asked for and made again when not, the kubeconfigs `timonel up`
// writes per component, and the apiserver's node proxy verifying a kubelet's
// serving certificate against the CA (real TLS on loopback).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHTTPServer, type Server } from 'node:http';
import { createServer as createHTTPSServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { parse } from 'yaml';
import { NodeProxy } from '../../pkg/apiserver/nodeproxy.js';
import { ADMIN_USER, componentIdentity, kubeletServingCertificate, writeAdminKubeconfig, writeComponentKubeconfig } from '../../pkg/cluster/identities.js';
import { loadOrCreateSignedCert, newCertificate, type CertKeyPair } from '../../pkg/util/certs.js';

function subject(pem: string): { cn: string; o: string[]; issuer: string; sans: string[] } {
  const c = forge.pki.certificateFromPem(pem);
  const san = c.getExtension('subjectAltName') as { altNames?: { ip?: string; value?: string }[] } | undefined;
  return {
    cn: String(c.subject.getField('CN')?.value ?? ''),
    o: c.subject.attributes.filter((a) => a.name === 'organizationName').map((a) => String(a.value)),
    issuer: String(c.issuer.getField('CN')?.value ?? ''),
    sans: (san?.altNames ?? []).map((n) => String(n.ip ?? n.value)),
  };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'timonel-identities-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('certificates signed by the cluster CA', () => {
  const ca = newCertificate({ commonName: 'ca-one', usage: 'ca' });
  const req = { commonName: 'system:kube-scheduler', organizations: [], usage: 'client' as const };

  it('are made once and kept', () => {
    const first = loadOrCreateSignedCert(join(dir, 'keep'), 'scheduler', req, ca);
    expect(subject(first.cert)).toMatchObject({ cn: 'system:kube-scheduler', issuer: 'ca-one' });
    expect(loadOrCreateSignedCert(join(dir, 'keep'), 'scheduler', req, ca)).toEqual(first);
  });

  it('are made again when the CA, the subject or the names change', () => {
    const d = join(dir, 'renew');
    const first = loadOrCreateSignedCert(d, 'c', req, ca);
    const other = newCertificate({ commonName: 'ca-two', usage: 'ca' });
    const renewed = loadOrCreateSignedCert(d, 'c', req, other);
    expect(renewed.cert).not.toBe(first.cert);
    expect(subject(renewed.cert).issuer).toBe('ca-two');
    expect(readFileSync(join(d, 'c.crt'), 'utf8')).toBe(renewed.cert);
    const regrouped = loadOrCreateSignedCert(d, 'c', { ...req, organizations: ['system:nodes'] }, other);
    expect(subject(regrouped.cert).o).toEqual(['system:nodes']);
    const serving = loadOrCreateSignedCert(d, 's', { commonName: 'n', usage: 'server', hosts: ['n1', '10.0.0.1'] }, other);
    expect(loadOrCreateSignedCert(d, 's', { commonName: 'n', usage: 'server', hosts: ['n1', '10.0.0.1'] }, other)).toEqual(serving);
    const moved = loadOrCreateSignedCert(d, 's', { commonName: 'n', usage: 'server', hosts: ['n1', '10.0.0.2'] }, other);
    expect(subject(moved.cert).sans).toEqual(['n1', '10.0.0.2']);
  });
});

describe('the kubeconfigs timonel up writes', () => {
  const ca = newCertificate({ commonName: 'cluster-ca', usage: 'ca' });
  const access = { server: 'https://127.0.0.1:6443', ca };
  const userCert = (file: string) => {
    const kc = parse(readFileSync(file, 'utf8')) as { users: { user: Record<string, string> }[]; clusters: { cluster: Record<string, string> }[] };
    const user = kc.users[0].user;
    expect(user.token).toBeUndefined();
    expect(Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(ca.cert);
    expect(kc.clusters[0].cluster.server).toBe('https://127.0.0.1:6443');
    return subject(Buffer.from(user['client-certificate-data'], 'base64').toString());
  };

  it('the admin: a client certificate in system:masters', () => {
    writeAdminKubeconfig(join(dir, 'admin.yaml'), join(dir, 'pki'), access);
    expect(userCert(join(dir, 'admin.yaml'))).toMatchObject({ cn: ADMIN_USER, o: ['system:masters'], issuer: 'cluster-ca' });
  });

  it('each component its own identity', () => {
    const want: Array<[Parameters<typeof componentIdentity>[0], string, string[]]> = [
      ['controller-manager', 'system:kube-controller-manager', []],
      ['scheduler', 'system:kube-scheduler', []],
      ['kubelet', 'system:node:node-a', ['system:nodes']],
      ['proxy', 'system:kube-proxy', []],
      ['dns', 'system:kube-dns', []],
    ];
    for (const [component, cn, o] of want) {
      const file = writeComponentKubeconfig(join(dir, 'kubeconfigs'), join(dir, 'pki'), component, 'node-a', access);
      expect([component, userCert(file)]).toMatchObject([component, { cn, o, issuer: 'cluster-ca' }]);
    }
  });

  it("the kubelet's serving certificate names the node and its IP", () => {
    const { certFile } = kubeletServingCertificate(join(dir, 'pki'), 'node-a', '10.244.0.1', ca);
    expect(subject(readFileSync(certFile, 'utf8'))).toMatchObject({ cn: 'system:node:node-a', sans: ['node-a', '10.244.0.1'], issuer: 'cluster-ca' });
  });
});

describe("the node proxy and the kubelet's serving certificate", () => {
  const ca = newCertificate({ commonName: 'cluster-ca', usage: 'ca' });
  const servers: Server[] = [];

  /** A kubelet stand-in on 127.0.0.1 serving with cert; its port. */
  async function kubelet(cert: CertKeyPair): Promise<number> {
    const s = createHTTPSServer({ ...cert }, (_req, res) => res.end('ok'));
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return (s.address() as AddressInfo).port;
  }

  /** GET /proxy through an apiserver-side NodeProxy to the kubelet at port; status and body. */
  async function viaProxy(port: number, trust: string | undefined): Promise<[number, string]> {
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
    };
    const proxy = new NodeProxy({ getNode: async () => node, ca: trust, connectTimeoutMs: 2000 });
    const app = express();
    app.get('/proxy', (req, res) => {
      proxy.proxyToNode(req, res, node, '/healthz').catch((err: Error & { code?: number }) => res.status(err.code ?? 500).end(err.message));
    });
    const front = createHTTPServer(app);
    servers.push(front);
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    const res = await fetch(`http://127.0.0.1:${(front.address() as AddressInfo).port}/proxy`);
    return [res.status, await res.text()];
  }

  afterAll(() => {
    for (const s of servers) s.close();
  });

  it('reaches a kubelet whose certificate the CA signed for its address', async () => {
    const port = await kubelet(newCertificate({ commonName: 'system:node:n1', usage: 'server', hosts: ['n1', '127.0.0.1'], issuer: ca }));
    expect(await viaProxy(port, ca.cert)).toEqual([200, 'ok']);
  });

  it('refuses a self-signed kubelet and one certified for another address; without a CA it does not check', async () => {
    const selfSigned = await kubelet(newCertificate({ commonName: 'kubelet', usage: 'server', hosts: ['127.0.0.1'] }));
    const [code, body] = await viaProxy(selfSigned, ca.cert);
    expect(code).toBe(503);
    expect(body).toMatch(/error trying to reach the kubelet of node "n1" at https:\/\/127\.0\.0\.1:\d+: self[- ]signed certificate/);
    const elsewhere = await kubelet(newCertificate({ commonName: 'system:node:n2', usage: 'server', hosts: ['n2', '10.9.9.9'], issuer: ca }));
    const [code2, body2] = await viaProxy(elsewhere, ca.cert);
    expect(code2).toBe(503);
    expect(body2).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list: 10\.9\.9\.9/);
    expect(await viaProxy(selfSigned, undefined)).toEqual([200, 'ok']);
  });
});
