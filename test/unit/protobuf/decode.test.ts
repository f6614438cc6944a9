import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { decodeKubernetesProtobuf } from '../../../api/protobuf/decode.js';
import { StatusError } from '../../../api/meta/v1/status.js';
import { KUBECTL_CAPTURES, UNSUPPORTED_CAPTURES } from './kubectl-captures.js';

// A tiny protobuf writer, enough to build test messages by field number.
type Part = Buffer;

function varint(n: bigint | number): Buffer {
  let v = BigInt.asUintN(64, BigInt(n));
  const bytes: number[] = [];
  while (v > 0x7fn) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}
const tag = (field: number, wire: number): Buffer => varint((field << 3) | wire);
const int = (field: number, n: bigint | number): Part => Buffer.concat([tag(field, 0), varint(n)]);
const bool = (field: number, b: boolean): Part => int(field, b ? 1 : 0);
const bytes = (field: number, data: Buffer): Part => Buffer.concat([tag(field, 2), varint(data.length), data]);
const str = (field: number, s: string): Part => bytes(field, Buffer.from(s, 'utf8'));
const msg = (field: number, ...parts: Part[]): Part => bytes(field, Buffer.concat(parts));
const mapEntry = (field: number, key: string, value: Part): Part => msg(field, str(1, key), value);

function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const unknown = Buffer.concat([msg(1, str(1, apiVersion), str(2, kind)), bytes(2, raw), str(3, ''), str(4, '')]);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), unknown]);
}

// ObjectMeta as gogo-protobuf writes it: empty strings and zero ints included.
const objectMeta = (name: string, namespace = '', ...extra: Part[]): Part =>
  msg(1, str(1, name), str(2, ''), str(3, namespace), str(4, ''), str(5, ''), str(6, ''), int(7, 0), msg(8), ...extra);

function statusCode(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StatusError, `expected a StatusError, got ${String(err)}`);
    return err.code;
  }
  assert.fail('expected an error');
}

test('Namespace with labels decodes to its JSON form', () => {
  const raw = Buffer.concat([objectMeta('team-a', '', mapEntry(11, 'env', str(2, 'prod'))), msg(2), msg(3)]);
  const got = decodeKubernetesProtobuf(envelope('v1', 'Namespace', raw));
  assert.equal(got.apiVersion, 'v1');
  assert.equal(got.kind, 'Namespace');
  assert.deepEqual(got.object, {
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: { name: 'team-a', labels: { env: 'prod' } },
    spec: {},
    status: {},
  });
});

test('a map key "__proto__" stays an own key, as JSON.parse would make it', () => {
  const raw = Buffer.concat([objectMeta('cfg', 'ns1'), mapEntry(2, '__proto__', str(2, 'x')), mapEntry(2, 'a', str(2, 'b'))]);
  const data = decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', raw)).object.data as Record<string, unknown>;
  assert.deepEqual(Object.keys(data), ['__proto__', 'a']);
  assert.equal(Object.getPrototypeOf(data), Object.prototype);
  assert.equal(JSON.stringify(data), '{"__proto__":"x","a":"b"}');
});

test('ConfigMap keeps data, binaryData as base64 and a false immutable', () => {
  const raw = Buffer.concat([
    objectMeta('cfg', 'ns1'),
    mapEntry(2, 'a.txt', str(2, 'hello')),
    mapEntry(3, 'blob', bytes(2, Buffer.from([0, 255, 16]))),
    bool(4, false),
  ]);
  assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', raw)).object, {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: { name: 'cfg', namespace: 'ns1' },
    data: { 'a.txt': 'hello' },
    binaryData: { blob: 'AP8Q' },
    immutable: false,
  });
});

test('Secret with binary data encodes values as base64', () => {
  const raw = Buffer.concat([
    objectMeta('creds', 'default'),
    mapEntry(2, 'key', bytes(2, Buffer.from([0x00, 0x01, 0xfe, 0xff]))),
    mapEntry(2, 'empty', Buffer.alloc(0)),
    str(3, 'Opaque'),
  ]);
  assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'Secret', raw)).object, {
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: { name: 'creds', namespace: 'default' },
    data: { key: 'AAH+/w==', empty: '' },
    type: 'Opaque',
  });
});

test('Deployment with a container, a port, probes and a rolling update', () => {
  const container = Buffer.concat([
    str(1, 'web'),
    str(2, 'nginx:1.27'),
    msg(6, str(1, ''), int(2, 0), int(3, 80), str(4, 'TCP'), str(5, '')),
    msg(7, str(1, 'LEVEL'), str(2, 'debug')),
    msg(8, mapEntry(1, 'cpu', msg(2, str(1, '500m'))), mapEntry(2, 'memory', msg(2, str(1, '64Mi')))),
    // livenessProbe: handler (inlined in JSON) with httpGet on a named port
    msg(10, msg(1, msg(2, str(1, '/healthz'), msg(2, int(1, 1), int(2, 0), str(3, 'http')))), int(2, 3), int(4, 10)),
    msg(15, bool(2, false), int(4, 1000)),
  ]);
  const spec = Buffer.concat([
    int(1, 0), // replicas: 0 is a real choice (a pointer in Go)
    msg(2, mapEntry(1, 'app', str(2, 'web'))),
    msg(3, msg(1, mapEntry(11, 'app', str(2, 'web'))), msg(2, msg(2, container), int(4, 30), str(3, 'Always'))),
    msg(4, str(1, 'RollingUpdate'), msg(2, msg(1, int(1, 1), str(3, '25%')), msg(2, int(1, 0), int(2, 2)))),
    int(5, 0),
  ]);
  const raw = Buffer.concat([objectMeta('web', 'default'), msg(2, spec), msg(3)]);
  assert.deepEqual(decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', raw)).object, {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              env: [{ name: 'LEVEL', value: 'debug' }],
              resources: { limits: { cpu: '500m' }, requests: { memory: '64Mi' } },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 3, periodSeconds: 10 },
              securityContext: { privileged: false, runAsUser: 1000 },
            },
          ],
          terminationGracePeriodSeconds: 30,
          restartPolicy: 'Always',
        },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 2 } },
    },
    status: {},
  });
});

test('times become RFC 3339, negative ints survive, unknown fields are skipped', () => {
  const seconds = Date.UTC(2026, 0, 2, 3, 4, 5) / 1000;
  const raw = Buffer.concat([
    objectMeta('p', 'default', msg(9, int(1, seconds), int(2, 500)), int(10, 30)),
    msg(2, msg(22, str(1, 'k'), str(2, 'Exists'), int(5, -1)), msg(99, str(1, 'from the future')), int(25, -5)),
    str(200, 'unknown top-level field'),
  ]);
  const obj = decodeKubernetesProtobuf(envelope('v1', 'Pod', raw)).object;
  assert.deepEqual(obj.metadata, {
    name: 'p',
    namespace: 'default',
    deletionTimestamp: '2026-01-02T03:04:05Z',
    deletionGracePeriodSeconds: 30,
  });
  assert.deepEqual(obj.spec, { tolerations: [{ key: 'k', operator: 'Exists', tolerationSeconds: -1 }], priority: -5 });
});

test('packed repeated int64 (supplementalGroups) and FieldsV1 managed fields', () => {
  const packed = Buffer.concat([varint(1), varint(2000)]);
  const podSpec = msg(2, msg(14, bytes(4, packed), int(4, 3)));
  const managed = msg(17, str(1, 'kubectl'), str(2, 'Update'), str(3, 'v1'), str(6, 'FieldsV1'), msg(7, bytes(1, Buffer.from('{"f:spec":{}}'))));
  const raw = Buffer.concat([objectMeta('p', 'default', managed), podSpec]);
  const obj = decodeKubernetesProtobuf(envelope('v1', 'Pod', raw)).object;
  assert.deepEqual((obj.spec as Record<string, unknown>).securityContext, { supplementalGroups: [1, 2000, 3] });
  assert.deepEqual((obj.metadata as Record<string, unknown>).managedFields, [
    { manager: 'kubectl', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } },
  ]);
});

test('malformed bodies are 400 BadRequest', () => {
  assert.equal(
    statusCode(() => decodeKubernetesProtobuf(Buffer.from('{"kind":"Namespace"}'))),
    400,
  );
  const good = envelope('v1', 'Namespace', objectMeta('x'));
  assert.equal(
    statusCode(() => decodeKubernetesProtobuf(good.subarray(0, good.length - 3))),
    400,
  );
  // a string field sent as a varint
  assert.equal(
    statusCode(() => decodeKubernetesProtobuf(envelope('v1', 'Namespace', msg(1, int(1, 7))))),
    400,
  );
  // no type metadata
  assert.equal(
    statusCode(() => decodeKubernetesProtobuf(Buffer.concat([Buffer.from('k8s\0', 'latin1'), bytes(2, Buffer.alloc(0))]))),
    400,
  );
});

test('a kind without a field table is 415 and names the kind', () => {
  try {
    decodeKubernetesProtobuf(envelope('storage.k8s.io/v1', 'StorageClass', objectMeta('sc')));
    assert.fail('expected an error');
  } catch (err) {
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 415);
    assert.equal(err.reason, 'UnsupportedMediaType');
    assert.match(err.message, /StorageClass/);
  }
});

test('CertificateSigningRequest: the request and certificate bytes as base64, condition times, the approval kubectl adds', () => {
  const pem = Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n');
  const seconds = Date.UTC(2026, 4, 6, 7, 8, 9) / 1000;
  const spec = msg(
    2,
    bytes(1, pem),
    str(2, 'alice'),
    str(3, ''),
    str(4, 'devs'),
    str(5, 'client auth'),
    str(5, 'digital signature'),
    str(7, 'kubernetes.io/kube-apiserver-client'),
    int(8, 3600),
  );
  const approved = msg(
    1,
    str(1, 'Approved'),
    str(2, 'KubectlApprove'),
    str(3, 'This CSR was approved by kubectl certificate approve.'),
    msg(4, int(1, seconds)),
    msg(5),
    str(6, 'True'),
  );
  const status = msg(3, approved, bytes(2, Buffer.from('cert')));
  const obj = decodeKubernetesProtobuf(
    envelope('certificates.k8s.io/v1', 'CertificateSigningRequest', Buffer.concat([objectMeta('csr-1'), spec, status])),
  ).object;
  assert.deepEqual(obj.spec, {
    request: pem.toString('base64'),
    username: 'alice',
    groups: ['devs'],
    usages: ['client auth', 'digital signature'],
    signerName: 'kubernetes.io/kube-apiserver-client',
    expirationSeconds: 3600,
  });
  assert.deepEqual(obj.status, {
    conditions: [
      {
        type: 'Approved',
        reason: 'KubectlApprove',
        message: 'This CSR was approved by kubectl certificate approve.',
        lastUpdateTime: '2026-05-06T07:08:09Z',
        status: 'True',
      },
    ],
    certificate: Buffer.from('cert').toString('base64'),
  });
});

test('NetworkPolicy ports (IntOrString, endPort) and peers; RuntimeClass overhead and scheduling', () => {
  const selector = msg(1, mapEntry(1, 'app', str(2, 'web')));
  const port = msg(1, str(1, 'TCP'), msg(2, int(1, 0), int(2, 8080)), int(3, 8090));
  const named = msg(1, str(1, 'UDP'), msg(2, int(1, 1), str(3, 'dns')));
  const peer = msg(2, msg(3, str(1, '10.0.0.0/8'), str(2, '10.1.0.0/16')));
  const spec = msg(2, selector, msg(2, port, named, peer), str(4, 'Ingress'));
  const np = decodeKubernetesProtobuf(envelope('networking.k8s.io/v1', 'NetworkPolicy', Buffer.concat([objectMeta('np', 'default'), spec]))).object;
  assert.deepEqual(np.spec, {
    podSelector: { matchLabels: { app: 'web' } },
    ingress: [
      {
        ports: [
          { protocol: 'TCP', port: 8080, endPort: 8090 },
          { protocol: 'UDP', port: 'dns' },
        ],
        from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }],
      },
    ],
    policyTypes: ['Ingress'],
  });
  const overhead = msg(3, mapEntry(1, 'cpu', msg(2, str(1, '250m'))));
  const scheduling = msg(4, mapEntry(1, 'sandbox', str(2, 'true')), msg(2, str(1, 'sandbox'), str(2, 'Exists'), str(4, 'NoSchedule')));
  const rc = decodeKubernetesProtobuf(
    envelope('node.k8s.io/v1', 'RuntimeClass', Buffer.concat([objectMeta('gvisor'), str(2, 'runsc'), overhead, scheduling])),
  ).object;
  assert.deepEqual(rc, {
    kind: 'RuntimeClass',
    apiVersion: 'node.k8s.io/v1',
    metadata: { name: 'gvisor' },
    handler: 'runsc',
    overhead: { podFixed: { cpu: '250m' } },
    scheduling: { nodeSelector: { sandbox: 'true' }, tolerations: [{ key: 'sandbox', operator: 'Exists', effect: 'NoSchedule' }] },
  });
});

for (const [name, c] of Object.entries(KUBECTL_CAPTURES)) {
  test(`real kubectl capture: ${c.command}`, () => {
    const got = decodeKubernetesProtobuf(Buffer.from(c.body, 'base64'));
    assert.equal(got.kind, c.expected.kind, name);
    assert.equal(got.apiVersion, c.expected.apiVersion, name);
    assert.deepEqual(got.object, c.expected);
  });
}

for (const c of Object.values(UNSUPPORTED_CAPTURES)) {
  test(`real kubectl capture without a table is 415: ${c.command}`, () => {
    assert.equal(
      statusCode(() => decodeKubernetesProtobuf(Buffer.from(c.body, 'base64'))),
      415,
    );
  });
}
