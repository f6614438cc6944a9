// Validation and defaults of networking.k8s.io/v1, certificates.k8s.io/v1 and
// node.k8s.io/v1, with upstream's messages, through the kinds' strategies.
import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import type { StatusCause } from '../../../api/meta/v1/status.js';
import { strategyFor } from '../../../pkg/registry/strategies.js';
import { parseCSR } from '../../../api/certificates/v1/x509.js';
import { validateSignerName } from '../../../api/certificates/v1/validation.js';
import { validateKubeletClientCSR } from '../../../api/certificates/v1/helpers.js';
import { opensslCSR, requestField } from '../../support/csr.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test fixtures

function gvOf(obj: J): [string, string] {
  const [g, v] = String(obj.apiVersion).split('/');
  return v === undefined ? ['', g] : [g, v];
}

function defaulted(obj: J): J {
  const o = structuredClone(obj) as KubeObject;
  const [g, v] = gvOf(obj);
  strategyFor(g, v, String(o.kind)).defaults?.(o);
  return o as J;
}

function create(obj: J): StatusCause[] {
  const o = defaulted(obj) as KubeObject;
  const [g, v] = gvOf(obj);
  const s = strategyFor(g, v, String(o.kind));
  return [...(s.validate?.(o) ?? []), ...(s.validateCreate?.(o) ?? [])];
}

function update(obj: J, old: J, subresource?: string): StatusCause[] {
  const [g, v] = gvOf(obj);
  const s = strategyFor(g, v, String(obj.kind));
  const o = defaulted(obj) as KubeObject;
  const prev = defaulted(old) as KubeObject;
  s.prepareForUpdate?.(o, prev, subresource);
  return [...(s.validate?.(o) ?? []), ...(s.validateUpdate?.(o, prev, subresource) ?? [])];
}

function expectCause(causes: StatusCause[], field: string, message: string | RegExp): void {
  const hit = causes.find((c) => c.field === field && (typeof message === 'string' ? c.message === message : message.test(c.message)));
  assert.ok(hit, `no cause ${field}: ${String(message)} in ${JSON.stringify(causes, null, 1)}`);
}

// ---- networking.k8s.io/v1 ----

const ingress = (spec: J, meta: J = { name: 'web', namespace: 'default' }): J => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: meta,
  spec,
});
const rule = (path: J): J => ({ host: 'a.example', http: { paths: [path] } });
const svcBackend = (port: J = { number: 80 }): J => ({ service: { name: 'svc', port } });

test('a valid Ingress has no causes', () => {
  assert.deepEqual(create(ingress({ rules: [rule({ path: '/', pathType: 'Prefix', backend: svcBackend() })] })), []);
  assert.deepEqual(create(ingress({ defaultBackend: svcBackend({ name: 'http' }) })), []);
});

test('Ingress spec validation', () => {
  expectCause(create(ingress({})), 'spec', 'Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified');
  expectCause(
    create(ingress({ rules: [rule({ path: '/', backend: svcBackend() })] })),
    'spec.rules[0].http.paths[0].pathType',
    'Required value: pathType must be specified',
  );
  expectCause(
    create(ingress({ rules: [rule({ path: '/', pathType: 'Regex', backend: svcBackend() })] })),
    'spec.rules[0].http.paths[0].pathType',
    'Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
  );
  expectCause(
    create(ingress({ rules: [rule({ path: 'x', pathType: 'Exact', backend: svcBackend() })] })),
    'spec.rules[0].http.paths[0].path',
    'Invalid value: "x": must be an absolute path',
  );
  expectCause(
    create(ingress({ rules: [rule({ path: '/a//b', pathType: 'Prefix', backend: svcBackend() })] })),
    'spec.rules[0].http.paths[0].path',
    `Invalid value: "/a//b": must not contain '//'`,
  );
  expectCause(
    create(ingress({ rules: [rule({ path: '/a/..', pathType: 'Prefix', backend: svcBackend() })] })),
    'spec.rules[0].http.paths[0].path',
    `Invalid value: "/a/..": cannot end with '/..'`,
  );
  expectCause(
    create(ingress({ rules: [rule({ path: '/', pathType: 'Prefix', backend: svcBackend({}) })] })),
    'spec.rules[0].http.paths[0].backend',
    'Required value: port name or number is required',
  );
  expectCause(
    create(ingress({ rules: [rule({ path: '/', pathType: 'Prefix', backend: svcBackend({ name: 'http', number: 80 }) })] })),
    'spec.rules[0].http.paths[0].backend',
    'Invalid value: "": cannot set both port name & port number',
  );
  expectCause(
    create(ingress({ rules: [rule({ path: '/', pathType: 'Prefix', backend: {} })] })),
    'spec.rules[0].http.paths[0].backend',
    'Invalid value: "": resource or service backend is required',
  );
  expectCause(
    create(ingress({ rules: [{ host: '10.0.0.1' }], defaultBackend: svcBackend() })),
    'spec.rules[0].host',
    'Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
  );
  expectCause(
    create(ingress({ rules: [{ host: 'a.*.example' }], defaultBackend: svcBackend() })),
    'spec.rules[0].host',
    /a wildcard DNS-1123 subdomain must start with '\*\.'/,
  );
  assert.deepEqual(create(ingress({ rules: [{ host: '*.example.com' }], defaultBackend: svcBackend() })), []);
  expectCause(
    create(ingress({ defaultBackend: svcBackend(), tls: [{ hosts: ['Bad_Host'], secretName: 'tls' }] })),
    'spec.tls[0].hosts[0]',
    /a lowercase RFC 1123 subdomain/,
  );
  expectCause(
    create(
      ingress(
        { defaultBackend: svcBackend(), ingressClassName: 'nginx' },
        { name: 'web', namespace: 'default', annotations: { 'kubernetes.io/ingress.class': 'traefik' } },
      ),
    ),
    'annotations.kubernetes.io/ingress.class',
    'Invalid value: "traefik": must match `ingressClassName` when both are specified',
  );
});

test('IngressClass defaults and validation', () => {
  const ic = (spec: J): J => ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec });
  assert.equal(defaulted(ic({ controller: 'k8s.io/ingress-nginx', parameters: { kind: 'Config', name: 'c' } })).spec.parameters.scope, 'Cluster');
  assert.deepEqual(create(ic({ controller: 'k8s.io/ingress-nginx' })), []);
  expectCause(create(ic({})), 'spec.controller', 'Required value');
  expectCause(create(ic({ controller: 'nginx' })), 'spec.controller', 'Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")');
  expectCause(
    create(ic({ controller: 'k8s.io/x', parameters: { kind: 'Config', name: 'c', scope: 'Namespace' } })),
    'spec.parameters.namespace',
    "Required value: `parameters.scope` is set to 'Namespace'",
  );
  expectCause(
    create(ic({ controller: 'k8s.io/x', parameters: { kind: 'Config', name: 'c', scope: 'Cluster', namespace: 'x' } })),
    'spec.parameters.namespace',
    "Forbidden: `parameters.scope` is set to 'Cluster'",
  );
  expectCause(update(ic({ controller: 'k8s.io/b' }), ic({ controller: 'k8s.io/a' })), 'spec.controller', 'Invalid value: "k8s.io/b": field is immutable');
});

test('NetworkPolicy defaults and validation', () => {
  const np = (spec: J): J => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'default' }, spec });
  const d = defaulted(np({ podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }));
  assert.deepEqual(d.spec.policyTypes, ['Ingress']);
  assert.equal(d.spec.ingress[0].ports[0].protocol, 'TCP');
  assert.deepEqual(defaulted(np({ podSelector: {}, egress: [{}] })).spec.policyTypes, ['Ingress', 'Egress']);
  assert.deepEqual(defaulted(np({ podSelector: {}, policyTypes: ['Egress'] })).spec.policyTypes, ['Egress']);
  assert.deepEqual(
    create(np({ podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] })),
    [],
  );
  expectCause(create(np({ podSelector: {}, ingress: [{ from: [{}] }] })), 'spec.ingress[0].from[0]', 'Required value: must specify a peer');
  expectCause(
    create(np({ podSelector: {}, ingress: [{ from: [{ podSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } }] }] })),
    'spec.ingress[0].from[0]',
    'Forbidden: may not specify both ipBlock and another peer',
  );
  expectCause(
    create(np({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] } }] }] })),
    'spec.egress[0].to[0].ipBlock.except[0]',
    'Invalid value: "192.168.0.0/16": must be a strict subset of `cidr`',
  );
  expectCause(
    create(np({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] })),
    'spec.egress[0].to[0].ipBlock.cidr',
    'Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
  );
  expectCause(
    create(np({ podSelector: {}, ingress: [{ ports: [{ port: 80, endPort: 70 }] }] })),
    'spec.ingress[0].ports[0].endPort',
    'Invalid value: 70: must be greater than or equal to `port`',
  );
  expectCause(
    create(np({ podSelector: {}, ingress: [{ ports: [{ port: 'http', endPort: 90 }] }] })),
    'spec.ingress[0].ports[0].endPort',
    'Invalid value: 90: may not be specified when `port` is non-numeric',
  );
  expectCause(
    create(np({ podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP' }] }] })),
    'spec.ingress[0].ports[0].protocol',
    'Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"',
  );
  expectCause(
    create(np({ podSelector: {}, policyTypes: ['Sideways'] })),
    'spec.policyTypes[0]',
    'Unsupported value: "Sideways": supported values: "Ingress", "Egress"',
  );
  expectCause(
    create(np({ podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] })),
    'spec.policyTypes',
    'Invalid value: []networking.PolicyType{"Ingress", "Egress", "Ingress"}: may not specify more than two policyTypes',
  );
});

// ---- node.k8s.io/v1 ----

test('RuntimeClass validation', () => {
  const rc = (extra: J): J => ({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'gvisor' }, handler: 'runsc', ...extra });
  assert.deepEqual(create(rc({ overhead: { podFixed: { cpu: '250m', memory: '64Mi' } }, scheduling: { nodeSelector: { sandbox: 'true' } } })), []);
  expectCause(create(rc({ handler: 'Run_SC' })), 'handler', /a lowercase RFC 1123 label must consist of/);
  expectCause(create(rc({ overhead: { podFixed: { cpu: '-1' } } })), 'overhead.limits[cpu]', 'Invalid value: "-1": must be greater than or equal to 0');
  expectCause(
    create(rc({ scheduling: { tolerations: [{ operator: 'Equal', value: 'x' }] } })),
    'scheduling.tolerations[0].operator',
    /operator must be Exists when `key` is empty/,
  );
  expectCause(update(rc({ handler: 'kata' }), rc({})), 'handler', 'Invalid value: "kata": field is immutable');
});

// ---- certificates.k8s.io/v1 ----

const csrObject = (request: string, spec: J = {}, status?: J): J => ({
  apiVersion: 'certificates.k8s.io/v1',
  kind: 'CertificateSigningRequest',
  metadata: { name: 'alice' },
  spec: { request, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], ...spec },
  ...(status ? { status } : {}),
});

test('requests made by openssl parse, with their subject and subjectAltNames; signatures are checked', () => {
  const rsa = opensslCSR('/CN=alice/O=devs/O=ops');
  const parsed = parseCSR(rsa.pem);
  assert.equal(parsed.subject.commonName, 'alice');
  assert.deepEqual(parsed.subject.organization, ['devs', 'ops']);
  assert.equal(parsed.publicKeyAlgorithm, 'RSA');
  parsed.checkSignature();
  const ec = parseCSR(opensslCSR('/CN=system:node:n1/O=system:nodes', { key: 'ec', san: 'DNS:n1.example,IP:10.0.0.7,IP:fd00::1' }).pem);
  assert.equal(ec.publicKeyAlgorithm, 'ECDSA');
  assert.deepEqual(ec.dnsNames, ['n1.example']);
  assert.deepEqual(ec.ipAddresses, ['10.0.0.7', 'fd00::1']);
  ec.checkSignature();
  const tampered = Buffer.from(ec.raw);
  tampered[tampered.length - 5] ^= 1;
  const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${tampered.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
  assert.throws(() => parseCSR(pem).checkSignature(), /verification failure/);
  assert.throws(() => parseCSR('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), /PEM block type must be CERTIFICATE REQUEST/);
  assert.equal(
    validateKubeletClientCSR(parseCSR(opensslCSR('/CN=system:node:n1/O=system:nodes', { key: 'ec' }).pem), new Set(['digital signature', 'client auth'])),
    undefined,
  );
  assert.equal(validateKubeletClientCSR(ec, new Set(['digital signature', 'client auth'])), 'DNS subjectAltNames are not allowed');
});

test('CertificateSigningRequest validation on create', () => {
  const request = requestField(opensslCSR('/CN=alice'));
  assert.deepEqual(create(csrObject(request)), []);
  const notACSR = Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString('base64');
  expectCause(create(csrObject(notACSR)), 'spec.request', /^Invalid value: \[\]byte\{0x2d, 0x2d, .*\}: PEM block type must be CERTIFICATE REQUEST$/);
  expectCause(create(csrObject(request, { usages: [] })), 'spec.usages', 'Required value');
  expectCause(
    create(csrObject(request, { usages: ['client auth', 'flying'] })),
    'spec.usages[1]',
    /^Unsupported value: "flying": supported values: "any", "cert sign", /,
  );
  expectCause(create(csrObject(request, { usages: ['client auth', 'client auth'] })), 'spec.usages[1]', 'Duplicate value: "client auth"');
  expectCause(
    create(csrObject(request, { expirationSeconds: 60 })),
    'spec.expirationSeconds',
    'Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)',
  );
  expectCause(
    create(csrObject(request, { signerName: 'kubernetes.io/legacy-unknown' })),
    'spec.signerName',
    'Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version',
  );
  expectCause(create(csrObject(request, { signerName: '' })), 'spec.signerName', 'Required value');
  assert.deepEqual(validateSignerName('f', 'example/signer'), [
    { reason: 'FieldValueInvalid', field: 'f', message: 'Invalid value: "example": should be a domain with at least two segments separated by dots' },
  ]);
  expectCause(validateSignerName('f', 'a/b/c'), 'f', `Invalid value: "a/b/c": must be a fully qualified domain and path of the form 'example.com/signer-name'`);
});

test('CertificateSigningRequest: approval only through /approval, the certificate only through /status', () => {
  const request = requestField(opensslCSR('/CN=alice'));
  const pending = csrObject(request, {}, {});
  const approved = { type: 'Approved', status: 'True', reason: 'KubectlApprove', message: 'approved' };
  const denied = { type: 'Denied', status: 'True', reason: 'KubectlDeny' };
  // The main resource keeps spec and status as they were.
  const viaUpdate = defaulted(csrObject(request, { usages: ['server auth'] }, { conditions: [approved] }));
  strategyFor('certificates.k8s.io', 'v1', 'CertificateSigningRequest').prepareForUpdate?.(viaUpdate as KubeObject, pending as KubeObject, undefined);
  assert.deepEqual(viaUpdate.spec.usages, ['client auth']);
  assert.deepEqual(viaUpdate.status, {});
  // /status may not add approval conditions, /approval may.
  expectCause(
    update(csrObject(request, {}, { conditions: [approved] }), pending, 'status'),
    'status.conditions',
    'Forbidden: updates may not add a condition of type "Approved"',
  );
  assert.deepEqual(update(csrObject(request, {}, { conditions: [approved] }), pending, 'approval'), []);
  expectCause(
    update(csrObject(request, {}, { conditions: [approved, denied] }), pending, 'approval'),
    'status.conditions[1].type',
    'Invalid value: "Denied": Approved and Denied conditions are mutually exclusive',
  );
  expectCause(
    update(csrObject(request, {}, { conditions: [{ ...approved, status: 'False' }] }), pending, 'approval'),
    'status.conditions[0].status',
    'Unsupported value: "False": supported values: "True"',
  );
  const approvedCSR = csrObject(
    request,
    {},
    { conditions: [{ ...approved, lastUpdateTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
  );
  expectCause(
    update(csrObject(request, {}, {}), approvedCSR, 'approval'),
    'status.conditions',
    'Forbidden: updates may not remove a condition of type "Approved"',
  );
  // /approval leaves the certificate as it was; /status may set it once, never change it.
  const garbage = Buffer.from('not a certificate').toString('base64');
  expectCause(
    update(csrObject(request, {}, { conditions: approvedCSR.status.conditions, certificate: garbage }), approvedCSR, 'status'),
    'status.certificate',
    'Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block',
  );
  const viaApproval = defaulted(csrObject(request, {}, { conditions: approvedCSR.status.conditions, certificate: garbage }));
  strategyFor('certificates.k8s.io', 'v1', 'CertificateSigningRequest').prepareForUpdate?.(viaApproval as KubeObject, approvedCSR as KubeObject, 'approval');
  assert.equal(viaApproval.status.certificate, undefined);
});

test('CertificateSigningRequest create records the requester and starts without status', () => {
  const s = strategyFor('certificates.k8s.io', 'v1', 'CertificateSigningRequest');
  const obj = csrObject('x', { username: 'mallory', groups: ['system:masters'] }, { conditions: [{ type: 'Approved', status: 'True' }] }) as KubeObject;
  s.prepareForCreate?.(obj, { name: 'alice', uid: 'u-1', groups: ['devs', 'system:authenticated'], extra: new Map([['scopes', ['a']]]) });
  assert.deepEqual(obj.spec, {
    request: 'x',
    signerName: 'kubernetes.io/kube-apiserver-client',
    usages: ['client auth'],
    username: 'alice',
    uid: 'u-1',
    groups: ['devs', 'system:authenticated'],
    extra: { scopes: ['a'] },
  });
  assert.deepEqual(obj.status, {});
  const anonymous = csrObject('x', { username: 'mallory' }) as KubeObject;
  s.prepareForCreate?.(anonymous);
  assert.equal((anonymous.spec as J).username, undefined);
});
