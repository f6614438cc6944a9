// The kubelet's container environment: $(VAR) expansion, valueFrom, envFrom and
// the service link variables, checked against upstream's rules and messages.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { CreateContainerConfigError, expandVars, formatMap, mappingFuncFor, resolveEnv, serviceEnv } from '../../pkg/kubelet/envvars.js';
import type { ConfigMap, Container, Pod, Secret, Service } from '../../api/core/v1/types.js';
import type { ObjectLookup } from '../../pkg/kubelet/types.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function lookupOf(cms: ConfigMap[], secrets: Secret[] = []): ObjectLookup & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async configMap(ns, name) {
      calls.push(`cm ${ns}/${name}`);
      return cms.find((c) => c.metadata.namespace === ns && c.metadata.name === name);
    },
    async secret(ns, name) {
      calls.push(`secret ${ns}/${name}`);
      return secrets.find((c) => c.metadata.namespace === ns && c.metadata.name === name);
    },
  };
}

function podWith(container: Container, extra: Partial<Pod['spec']> = {}): Pod {
  return {
    metadata: { name: 'web-0', namespace: 'shop', uid: 'u-123', labels: { app: 'web', tier: 'front' }, annotations: { note: 'say "hi"\n' } },
    spec: { nodeName: 'node-a', serviceAccountName: 'builder', containers: [container], ...extra },
    status: { hostIP: '10.0.0.5', hostIPs: [{ ip: '10.0.0.5' }], podIP: '10.244.1.7', podIPs: [{ ip: '10.244.1.7' }] },
  };
}

const env = (list: Array<{ key: string; value: string }>) => Object.fromEntries(list.map((e) => [e.key, e.value]));

describe('expandVars', () => {
  const m = mappingFuncFor({ A: 'a', EMPTY: '' });
  it('expands known references and keeps unknown ones as written', () => {
    assert.equal(expandVars('x$(A)y', m), 'xay');
    assert.equal(expandVars('$(B)', m), '$(B)');
    assert.equal(expandVars('[$(EMPTY)]', m), '[]');
  });
  it('treats $$ as an escaped $ and leaves lone or unterminated operators alone', () => {
    assert.equal(expandVars('$$(A)', m), '$(A)');
    assert.equal(expandVars('$$$(A)', m), '$a');
    assert.equal(expandVars('cost $5', m), 'cost $5');
    assert.equal(expandVars('end$', m), 'end$');
    assert.equal(expandVars('$(A', m), '$(A');
    // A reference runs to the first ')': the name here is "$(A", which is unknown.
    assert.equal(expandVars('$($(A)', m), '$($(A)');
    assert.equal(expandVars('$(A)$(A)', m), 'aa');
  });
});

describe('resolveEnv', () => {
  it('expands only variables defined earlier and the service variables', async () => {
    const c: Container = {
      name: 'app',
      env: [
        { name: 'A', value: 'one' },
        { name: 'B', value: '$(A)-two' },
        { name: 'C', value: '$(LATER)' },
        { name: 'D', value: '$$(A)' },
        { name: 'E', value: 'http://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)' },
        { name: 'LATER', value: 'x' },
        { name: 'EMPTY' },
      ],
    };
    const out = await resolveEnv(podWith(c), c, lookupOf([]), { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' });
    assert.deepEqual(out.slice(0, 7), [
      { key: 'A', value: 'one' },
      { key: 'B', value: 'one-two' },
      { key: 'C', value: '$(LATER)' },
      { key: 'D', value: '$(A)' },
      { key: 'E', value: 'http://10.96.0.1:443' },
      { key: 'LATER', value: 'x' },
      { key: 'EMPTY', value: '' },
    ]);
    // The service variables follow the container's own.
    assert.deepEqual(out.slice(7), [
      { key: 'KUBERNETES_SERVICE_HOST', value: '10.96.0.1' },
      { key: 'KUBERNETES_SERVICE_PORT', value: '443' },
    ]);
  });

  it('lets the container override a service variable without duplicating it', async () => {
    const c: Container = { name: 'app', env: [{ name: 'KUBERNETES_SERVICE_HOST', value: 'mine' }] };
    const out = await resolveEnv(podWith(c), c, lookupOf([]), { KUBERNETES_SERVICE_HOST: '10.96.0.1' });
    assert.deepEqual(out, [{ key: 'KUBERNETES_SERVICE_HOST', value: 'mine' }]);
  });

  it('reads configMapKeyRef and secretKeyRef (base64-decoded), fetching each object once', async () => {
    const lookup = lookupOf(
      [{ metadata: { namespace: 'shop', name: 'cfg' }, data: { mode: 'fast', size: '3' } }],
      [{ metadata: { namespace: 'shop', name: 'creds' }, data: { password: b64('s3cr=t\n') } }],
    );
    const c: Container = {
      name: 'app',
      env: [
        { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
        { name: 'SIZE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'size' } } },
        { name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
        { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'absent', optional: true } } },
        { name: 'OPT2', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } },
      ],
    };
    const out = env(await resolveEnv(podWith(c), c, lookup));
    assert.deepEqual(out, { MODE: 'fast', SIZE: '3', PASS: 's3cr=t\n' });
    assert.deepEqual(lookup.calls, ['cm shop/cfg', 'secret shop/creds', 'secret shop/nope']);
  });

  it('fails with upstream messages for missing objects and keys', async () => {
    const lookup = lookupOf([{ metadata: { namespace: 'shop', name: 'cfg' }, data: { a: '1' } }], [{ metadata: { namespace: 'shop', name: 's' }, data: {} }]);
    const cases: Array<[Container['env'], string]> = [
      [[{ name: 'X', valueFrom: { configMapKeyRef: { name: 'missing', key: 'a' } } }], 'configmap "missing" not found'],
      [[{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'b' } } }], "couldn't find key b in ConfigMap shop/cfg"],
      [[{ name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'a' } } }], 'secret "gone" not found'],
      [[{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'a' } } }], "couldn't find key a in Secret shop/s"],
      // Keys are data: Object's members are no entries of a ConfigMap or Secret.
      [[{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'constructor' } } }], "couldn't find key constructor in ConfigMap shop/cfg"],
      [[{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'toString' } } }], "couldn't find key toString in Secret shop/s"],
      [[{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.containers' } } }], 'unsupported fieldPath: spec.containers'],
      [[{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }], 'unsupported container resource : limits.gpu'],
    ];
    for (const [list, message] of cases) {
      const c: Container = { name: 'app', env: list };
      await assert.rejects(resolveEnv(podWith(c), c, lookup), (err: unknown) => {
        assert.ok(err instanceof CreateContainerConfigError);
        assert.equal(err.reason, 'CreateContainerConfigError');
        assert.equal(err.message, message);
        return true;
      });
    }
    const c: Container = { name: 'app', envFrom: [{ configMapRef: { name: 'nocm' } }] };
    await assert.rejects(resolveEnv(podWith(c), c, lookup), { message: 'configmap "nocm" not found' });
  });

  it('leaves a variable unset when its optional source or key is missing, whatever the key is called', async () => {
    const lookup = lookupOf([{ metadata: { namespace: 'shop', name: 'cfg' }, data: { a: '1' } }], [{ metadata: { namespace: 'shop', name: 's' }, data: {} }]);
    const c: Container = {
      name: 'app',
      env: [
        { name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'a', optional: true } } },
        { name: 'B', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'constructor', optional: true } } },
        { name: 'C', valueFrom: { secretKeyRef: { name: 's', key: '__proto__', optional: true } } },
        { name: 'D', valueFrom: { configMapKeyRef: { name: 'missing', key: 'a', optional: true } } },
        { name: 'E', valueFrom: { fieldRef: { fieldPath: "metadata.labels['constructor']" } } },
      ],
    };
    assert.deepEqual(await resolveEnv(podWith(c), c, lookup), [
      { key: 'A', value: '1' },
      { key: 'E', value: '' },
    ]);
  });

  it('resolves fieldRef paths, the IPs from the kubelet first', async () => {
    const paths = [
      'metadata.name',
      'metadata.namespace',
      'metadata.uid',
      "metadata.labels['app']",
      "metadata.annotations['note']",
      "metadata.labels['missing']",
      'metadata.labels',
      'spec.nodeName',
      'spec.serviceAccountName',
      'status.hostIP',
      'status.hostIPs',
      'status.podIP',
      'status.podIPs',
    ];
    const c: Container = { name: 'app', env: paths.map((p, i) => ({ name: `F${i}`, valueFrom: { fieldRef: { fieldPath: p } } })) };
    const pod = podWith(c);
    const fromStatus = env(await resolveEnv(pod, c, lookupOf([])));
    assert.deepEqual(Object.values(fromStatus), [
      'web-0',
      'shop',
      'u-123',
      'web',
      'say "hi"\n',
      '',
      'app="web"\ntier="front"',
      'node-a',
      'builder',
      '10.0.0.5',
      '10.0.0.5',
      '10.244.1.7',
      '10.244.1.7',
    ]);
    const fromKubelet = env(await resolveEnv(pod, c, lookupOf([]), {}, { podIPs: ['10.244.9.9', 'fd00::9'], hostIPs: ['192.168.1.2'] }));
    assert.equal(fromKubelet.F11, '10.244.9.9');
    assert.equal(fromKubelet.F12, '10.244.9.9,fd00::9');
    assert.equal(fromKubelet.F9, '192.168.1.2');
  });

  it('formats whole label/annotation maps as sorted key="value" lines with Go quoting', () => {
    assert.equal(formatMap({ b: 'x', a: 'say "hi"\n\ttab', c: 'é' }), 'a="say \\"hi\\"\\n\\ttab"\nb="x"\nc="é"');
    assert.equal(formatMap({}), '');
  });

  it('computes resourceFieldRef values with divisors, rounding up, and node allocatable for missing limits', async () => {
    const c: Container = {
      name: 'app',
      resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m' } },
      env: [
        { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'CPU_LIMIT_M', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
        { name: 'MEM_LIMIT_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'MEM_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
        { name: 'CPU_REQ_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'MEM_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
        { name: 'EPH_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.ephemeral-storage', divisor: '1Gi' } } },
        { name: 'OTHER', valueFrom: { resourceFieldRef: { containerName: 'side', resource: 'limits.cpu', divisor: '100m' } } },
      ],
    };
    const side: Container = { name: 'side', resources: {} };
    const pod = podWith(c);
    pod.spec.containers.push(side);
    const out = env(await resolveEnv(pod, c, lookupOf([]), {}, { nodeAllocatable: { cpu: '3', memory: '4Gi', 'ephemeral-storage': '10Gi' } }));
    assert.deepEqual(out, {
      CPU_LIMIT: '1',
      CPU_LIMIT_M: '500',
      MEM_LIMIT_MI: '128',
      MEM_LIMIT: String(128 * 1024 * 1024),
      CPU_REQ_M: '250',
      MEM_REQ: '0',
      EPH_LIMIT: '10',
      OTHER: '30',
    });
    const bad: Container = { name: 'app', env: [{ name: 'X', valueFrom: { resourceFieldRef: { containerName: 'ghost', resource: 'limits.cpu' } } }] };
    await assert.rejects(resolveEnv(podWith(bad), bad, lookupOf([])), { message: 'container ghost not found' });
  });

  it('applies envFrom first (with prefixes), lets env override it, and skips unusable names with a warning', async () => {
    const lookup = lookupOf(
      [{ metadata: { namespace: 'shop', name: 'cfg' }, data: { HOST: 'db', PORT: '5432', 'bad=key': 'x' } }],
      [{ metadata: { namespace: 'shop', name: 'sec' }, data: { TOKEN: b64('t0k') } }],
    );
    const events: string[] = [];
    const c: Container = {
      name: 'app',
      envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'DB_' }, { secretRef: { name: 'sec' } }, { configMapRef: { name: 'absent', optional: true } }],
      env: [
        { name: 'DB_PORT', value: '6000' },
        { name: 'URL', value: '$(DB_HOST):$(DB_PORT)/$(TOKEN)' },
      ],
    };
    const out = await resolveEnv(podWith(c), c, lookup, {}, { recordEvent: (type, reason, msg) => events.push(`${type} ${reason} ${msg}`) });
    assert.deepEqual(out, [
      { key: 'DB_HOST', value: 'db' },
      { key: 'DB_PORT', value: '6000' },
      { key: 'TOKEN', value: 't0k' },
      { key: 'URL', value: 'db:6000/t0k' },
    ]);
    assert.deepEqual(events, [
      'Warning InvalidEnvironmentVariableNames Keys [DB_bad=key] from the EnvFrom configMap shop/cfg were skipped since they are considered invalid environment variable names.',
    ]);
  });
});

describe('serviceEnv', () => {
  const services: Service[] = [
    { metadata: { namespace: 'default', name: 'kubernetes' }, spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] } },
    {
      metadata: { namespace: 'shop', name: 'redis-primary' },
      spec: { clusterIP: '10.96.3.4', ports: [{ port: 6379 }, { name: 'metrics', port: 9121, protocol: 'TCP' }] },
    },
    { metadata: { namespace: 'shop', name: 'dns' }, spec: { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] } },
    { metadata: { namespace: 'shop', name: 'headless' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } },
    { metadata: { namespace: 'other', name: 'elsewhere' }, spec: { clusterIP: '10.96.9.9', ports: [{ port: 80 }] } },
  ];

  it('makes the docker-link variables of the namespace services and the master service', () => {
    const m = serviceEnv(services, 'shop');
    assert.deepEqual(Object.fromEntries(Object.entries(m).filter(([k]) => k.startsWith('REDIS_PRIMARY'))), {
      REDIS_PRIMARY_SERVICE_HOST: '10.96.3.4',
      REDIS_PRIMARY_SERVICE_PORT: '6379',
      REDIS_PRIMARY_SERVICE_PORT_METRICS: '9121',
      REDIS_PRIMARY_PORT: 'tcp://10.96.3.4:6379',
      REDIS_PRIMARY_PORT_6379_TCP: 'tcp://10.96.3.4:6379',
      REDIS_PRIMARY_PORT_6379_TCP_PROTO: 'tcp',
      REDIS_PRIMARY_PORT_6379_TCP_PORT: '6379',
      REDIS_PRIMARY_PORT_6379_TCP_ADDR: '10.96.3.4',
      REDIS_PRIMARY_PORT_9121_TCP: 'tcp://10.96.3.4:9121',
      REDIS_PRIMARY_PORT_9121_TCP_PROTO: 'tcp',
      REDIS_PRIMARY_PORT_9121_TCP_PORT: '9121',
      REDIS_PRIMARY_PORT_9121_TCP_ADDR: '10.96.3.4',
    });
    assert.equal(m.KUBERNETES_SERVICE_HOST, '10.96.0.1');
    assert.equal(m.KUBERNETES_SERVICE_PORT, '443');
    assert.equal(m.KUBERNETES_SERVICE_PORT_HTTPS, '443');
    assert.equal(m.KUBERNETES_PORT, 'tcp://10.96.0.1:443');
    assert.equal(m.DNS_PORT_53_UDP, 'udp://10.96.0.10:53');
    assert.equal(m.DNS_PORT_53_UDP_PROTO, 'udp');
    assert.ok(!Object.keys(m).some((k) => k.startsWith('HEADLESS') || k.startsWith('ELSEWHERE')));
  });

  it('keeps only the master service when enableServiceLinks is false', () => {
    const m = serviceEnv(services, 'shop', false);
    assert.ok(Object.keys(m).length > 0);
    assert.ok(Object.keys(m).every((k) => k.startsWith('KUBERNETES_')));
  });

  it('gives pods in the default namespace their own services too', () => {
    const m = serviceEnv([...services, { metadata: { namespace: 'default', name: 'web' }, spec: { clusterIP: 'fd00::5', ports: [{ port: 80 }] } }], 'default');
    assert.equal(m.WEB_PORT, 'tcp://[fd00::5]:80');
    assert.equal(m.KUBERNETES_SERVICE_HOST, '10.96.0.1');
  });
});
