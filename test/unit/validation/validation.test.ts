import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import type { StatusCause } from '../../../api/meta/v1/status.js';
import { newInvalid } from '../../../api/meta/v1/status.js';
import { strategyFor } from '../../../pkg/registry/strategies.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test fixtures

function gvOf(obj: J): [string, string] {
  const av = String(obj.apiVersion ?? 'v1');
  return av.includes('/') ? (av.split('/') as [string, string]) : ['', av];
}

function create(obj: J): StatusCause[] {
  const o = structuredClone(obj) as KubeObject;
  const [g, v] = gvOf(obj);
  const s = strategyFor(g, v, String(o.kind));
  s.defaults?.(o);
  return s.validate?.(o) ?? [];
}

function update(obj: J, old: J): StatusCause[] {
  const [g, v] = gvOf(obj);
  const s = strategyFor(g, v, String(obj.kind));
  const o = structuredClone(obj) as KubeObject;
  const prev = structuredClone(old) as KubeObject;
  s.defaults?.(prev);
  s.defaults?.(o);
  return [...(s.validate?.(o) ?? []), ...(s.validateUpdate?.(o, prev) ?? [])];
}

function expectCause(causes: StatusCause[], field: string, message: string | RegExp): void {
  const hit = causes.find((c) => c.field === field && (typeof message === 'string' ? c.message === message : message.test(c.message)));
  assert.ok(hit, `no cause ${field}: ${String(message)} in ${JSON.stringify(causes, null, 1)}`);
}

const container = { name: 'app', image: 'nginx:1.25' };
const pod = (spec: J, meta: J = { name: 'p' }): J => ({ apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: { containers: [container], ...spec } });
const deploy = (spec: J): J => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } }, ...spec },
});

test('a valid pod has no causes', () => {
  assert.deepEqual(create(pod({})), []);
});

test('metadata: names, labels and annotations', () => {
  expectCause(create(pod({}, {})), 'metadata.name', 'Required value: name or generateName is required');
  expectCause(create(pod({}, { name: 'Bad_Name' })), 'metadata.name', /^Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/);
  assert.deepEqual(create(pod({}, { generateName: 'web-' })), []);
  expectCause(
    create(pod({}, { name: 'p', labels: { 'bad key!': 'x' } })),
    'metadata.labels',
    /^Invalid value: "bad key!": name part must consist of alphanumeric characters/,
  );
  expectCause(
    create(pod({}, { name: 'p', labels: { ok: 'bad value!' } })),
    'metadata.labels',
    /^Invalid value: "bad value!": a valid label must be an empty string/,
  );
  expectCause(create(pod({}, { name: 'p', labels: { ok: 'x'.repeat(64) } })), 'metadata.labels', /must be no more than 63 characters/);
  expectCause(create(pod({}, { name: 'p', annotations: { big: 'x'.repeat(256 * 1024) } })), 'metadata.annotations', 'Too long: must have at most 262144 bytes');
  expectCause(create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }), 'metadata.name', 'Invalid value: "a.b": must not contain dots');
  expectCause(create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'A-b' } }), 'metadata.name', /a lowercase RFC 1123 label must consist of/);
  expectCause(
    create({ apiVersion: 'v1', kind: 'Service', metadata: { name: '1abc' }, spec: { ports: [{ port: 80 }] } }),
    'metadata.name',
    /^Invalid value: "1abc": a DNS-1035 label must consist of/,
  );
});

test('pod spec validation', () => {
  expectCause(create(pod({ containers: [] })), 'spec.containers', 'Required value');
  expectCause(create(pod({ containers: [container, { ...container }] })), 'spec.containers[1].name', 'Duplicate value: "app"');
  expectCause(create(pod({ containers: [{ name: 'App', image: 'x' }] })), 'spec.containers[0].name', /RFC 1123 label/);
  expectCause(create(pod({ containers: [{ name: 'app' }] })), 'spec.containers[0].image', 'Required value');
  expectCause(
    create(pod({ containers: [{ ...container, ports: [{ containerPort: 70000 }] }] })),
    'spec.containers[0].ports[0].containerPort',
    'Invalid value: 70000: must be between 1 and 65535, inclusive',
  );
  expectCause(
    create(pod({ containers: [{ ...container, ports: [{ containerPort: 80, name: 'a-very-long-port-name' }] }] })),
    'spec.containers[0].ports[0].name',
    'Invalid value: "a-very-long-port-name": must be no more than 15 characters',
  );
  expectCause(
    create(pod({ restartPolicy: 'Sometimes' })),
    'spec.restartPolicy',
    'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
  );
  expectCause(
    create(
      pod({
        volumes: [
          { name: 'v', emptyDir: {} },
          { name: 'v', emptyDir: {} },
        ],
      }),
    ),
    'spec.volumes[1].name',
    'Duplicate value: "v"',
  );
  expectCause(
    create(pod({ containers: [{ ...container, volumeMounts: [{ name: 'missing', mountPath: '/m' }] }] })),
    'spec.containers[0].volumeMounts[0].name',
    'Not found: "missing"',
  );
  expectCause(
    create(pod({ containers: [{ ...container, resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] })),
    'spec.containers[0].resources.requests',
    'Invalid value: "2": must be less than or equal to cpu limit of 1',
  );
  expectCause(
    create(pod({ tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule', tolerationSeconds: 5 }] })),
    'spec.tolerations[0].effect',
    /effect must be 'NoExecute' when `tolerationSeconds` is set/,
  );
});

test('pod updates may only change images, deadlines and tolerations', () => {
  const old = pod({});
  assert.deepEqual(update(pod({ containers: [{ ...container, image: 'nginx:1.26' }] }), old), []);
  const causes = update(pod({ containers: [{ ...container, ports: [{ containerPort: 80 }] }] }), old);
  expectCause(
    causes,
    'spec',
    'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
  );
  assert.deepEqual(update(pod({ tolerations: [{ key: 'x', operator: 'Exists' }] }), old), []);
  // The scheduler may bind an unbound pod.
  assert.deepEqual(update(pod({ nodeName: 'node-1' }), old), []);
  expectCause(update(pod({ nodeName: 'node-2' }), pod({ nodeName: 'node-1' })), 'spec', /^Forbidden: pod updates may not change/);
});

test('workload selectors and templates', () => {
  const mismatch = deploy({ template: { metadata: { labels: { app: 'x' } }, spec: { containers: [container] } } });
  const causes = create(mismatch);
  expectCause(causes, 'spec.template.metadata.labels', 'Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`');
  const err = newInvalid('Deployment', 'apps', 'web', causes);
  assert.equal(err.code, 422);
  assert.match(
    err.message,
    /^Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map\[string\]string\{"app":"x"\}: `selector` does not match template `labels`$/,
  );
  const noSelector = deploy({});
  delete noSelector.spec.selector;
  expectCause(create(noSelector), 'spec.selector', 'Required value');
  expectCause(create(deploy({ selector: {} })), 'spec.selector', /empty selector is invalid for deployment/);
  expectCause(create(deploy({ replicas: -1 })), 'spec.replicas', 'Invalid value: -1: must be greater than or equal to 0');
  expectCause(
    create(deploy({ template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container], restartPolicy: 'Never' } } })),
    'spec.template.spec.restartPolicy',
    'Unsupported value: "Never": supported values: "Always"',
  );
  expectCause(
    create(deploy({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } })),
    'spec.strategy.rollingUpdate.maxUnavailable',
    'Invalid value: 0: may not be 0 when `maxSurge` is 0',
  );
  expectCause(
    create(deploy({ strategy: { type: 'Recreate', rollingUpdate: {} } })),
    'spec.strategy.rollingUpdate',
    "Forbidden: may not be specified when strategy `type` is 'Recreate'",
  );
  const moved = deploy({
    selector: { matchLabels: { app: 'web', tier: 'fe' } },
    template: { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [container] } },
  });
  expectCause(
    update(moved, deploy({})),
    'spec.selector',
    'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"fe"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  );
  assert.deepEqual(update(deploy({ replicas: 5 }), deploy({})), []);
});

test('StatefulSet updates are limited to a few fields', () => {
  const sts = (spec: J): J => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db' },
    spec: {
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [container] } },
      ...spec,
    },
  });
  assert.deepEqual(update(sts({ replicas: 3 }), sts({})), []);
  expectCause(
    update(sts({ serviceName: 'other' }), sts({})),
    'spec',
    "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  );
  expectCause(create(sts({ podManagementPolicy: 'Random' })), 'spec.podManagementPolicy', "Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'");
});

test('Job and CronJob validation', () => {
  const job = (spec: J): J => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', uid: 'u1' },
    spec: { template: { spec: { containers: [container], restartPolicy: 'Never' } }, ...spec },
  });
  const prepared = (j: J): J => {
    const o = structuredClone(j) as KubeObject;
    const s = strategyFor('batch', 'v1', 'Job');
    s.defaults?.(o);
    s.prepareForCreate?.(o);
    return o as J;
  };
  assert.deepEqual(create(job({})), []);
  expectCause(
    create(job({ template: { spec: { containers: [container] } } })),
    'spec.template.spec.restartPolicy',
    'Unsupported value: "Always": supported values: "OnFailure", "Never"',
  );
  expectCause(create(job({ parallelism: -1 })), 'spec.parallelism', 'Invalid value: -1: must be greater than or equal to 0');
  expectCause(
    create(job({ completionMode: 'Indexed', completions: null, parallelism: 2 })),
    'spec.completions',
    'Required value: when completion mode is Indexed',
  );
  expectCause(create(job({ manualSelector: true })), 'spec.selector', 'Required value');
  const base = prepared(job({}));
  const changed = structuredClone(base);
  changed.spec.template.spec.containers[0].image = 'nginx:2';
  expectCause(update(changed, base), 'spec.template', /field is immutable$/);
  const reselected = structuredClone(base);
  reselected.spec.selector = { matchLabels: { other: 'x' } };
  expectCause(update(reselected, base), 'spec.selector', /field is immutable$/);
  const cron = (spec: J, name = 'c'): J => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { containers: [container], restartPolicy: 'OnFailure' } } } }, ...spec },
  });
  assert.deepEqual(create(cron({})), []);
  expectCause(create(cron({ schedule: '' })), 'spec.schedule', 'Required value');
  expectCause(create(cron({ schedule: 'every minute' })), 'spec.schedule', /^Invalid value: "every minute": expected exactly 5 fields, found 2/);
  expectCause(create(cron({ schedule: '61 * * * *' })), 'spec.schedule', /end of range \(61\) above maximum \(59\)/);
  expectCause(create(cron({}, 'x'.repeat(53))), 'metadata.name', /must be no more than 52 characters/);
  assert.deepEqual(create(cron({ schedule: '@hourly' })), []);
});

test('Service validation', () => {
  const svc = (spec: J): J => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ...spec } });
  expectCause(create(svc({})), 'spec.ports', 'Required value');
  assert.deepEqual(create(svc({ clusterIP: 'None' })), []);
  assert.deepEqual(create(svc({ type: 'ExternalName', externalName: 'example.com' })), []);
  expectCause(create(svc({ ports: [{ port: 0 }] })), 'spec.ports[0].port', 'Invalid value: 0: must be between 1 and 65535, inclusive');
  expectCause(create(svc({ ports: [{ port: 80 }, { port: 81, name: 'b' }] })), 'spec.ports[0].name', 'Required value');
  expectCause(
    create(
      svc({
        ports: [
          { port: 80, name: 'a' },
          { port: 81, name: 'a' },
        ],
      }),
    ),
    'spec.ports[1].name',
    'Duplicate value: "a"',
  );
  expectCause(
    create(svc({ ports: [{ port: 80, protocol: 'HTTP' }] })),
    'spec.ports[0].protocol',
    'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
  );
  expectCause(
    create(svc({ type: 'Fancy', ports: [{ port: 80 }] })),
    'spec.type',
    'Unsupported value: "Fancy": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  );
  expectCause(create(svc({ ports: [{ port: 80, nodePort: 30080 }] })), 'spec.ports[0].nodePort', "Forbidden: may not be used when `type` is 'ClusterIP'");
  expectCause(
    create(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] })),
    'spec.ports[0].nodePort',
    'Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
  );
  assert.deepEqual(create(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })), []);
  const old = svc({ clusterIP: '10.96.0.10', ports: [{ port: 80 }] });
  expectCause(
    update(svc({ clusterIP: '10.96.0.11', ports: [{ port: 80 }] }), old),
    'spec.clusterIPs[0]',
    'Invalid value: []string{"10.96.0.11"}: may not change once set',
  );
  assert.deepEqual(update(svc({ ports: [{ port: 80 }] }), old), []);
});

test('ConfigMap and Secret validation', () => {
  const cm = (extra: J): J => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, ...extra });
  expectCause(
    create(cm({ data: { 'bad key': 'x' } })),
    'data[bad key]',
    /^Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.'/,
  );
  expectCause(
    update(cm({ immutable: true, data: { a: '2' } }), cm({ immutable: true, data: { a: '1' } })),
    'data',
    'Forbidden: field is immutable when `immutable` is set',
  );
  expectCause(
    update(cm({ data: { a: '1' } }), cm({ immutable: true, data: { a: '1' } })),
    'immutable',
    'Forbidden: field is immutable when `immutable` is set',
  );
  assert.deepEqual(update(cm({ data: { a: '2' } }), cm({ data: { a: '1' } })), []);
  const secret = (extra: J): J => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, ...extra });
  expectCause(create(secret({ data: { big: Buffer.alloc(1024 * 1024 + 1).toString('base64') } })), 'data', 'Too long: must have at most 1048576 bytes');
  expectCause(create(secret({ type: 'kubernetes.io/tls', data: {} })), 'data[tls.crt]', 'Required value');
  expectCause(
    update(secret({ immutable: true, data: { a: 'Yg==' } }), secret({ immutable: true, data: { a: 'YQ==' } })),
    'data',
    'Forbidden: field is immutable when `immutable` is set',
  );
  expectCause(update(secret({ type: 'Other' }), secret({})), 'type', 'Invalid value: "Other": field is immutable');
});

test('RBAC, PDB, PVC and HPA validation', () => {
  expectCause(
    create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['pods'] }] }),
    'rules[0].verbs',
    'Required value: verbs must contain at least one value',
  );
  expectCause(
    create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] }),
    'rules[0].nonResourceURLs',
    'Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
  );
  expectCause(
    create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'b' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'x' },
      subjects: [],
    }),
    'roleRef.kind',
    'Unsupported value: "Role": supported values: "ClusterRole"',
  );
  const rb = (name: string): J => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'b' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'User', name: 'jane' }],
  });
  assert.deepEqual(create(rb('x')), []);
  expectCause(update(rb('y'), rb('x')), 'roleRef', /cannot change roleRef$/);
  expectCause(
    create({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'p' },
      spec: { minAvailable: 1, maxUnavailable: 1, selector: { matchLabels: { a: 'b' } } },
    }),
    'spec',
    /minAvailable and maxUnavailable cannot be both set$/,
  );
  expectCause(
    create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { resources: { requests: { storage: '1Gi' } } } }),
    'spec.accessModes',
    'Required value: at least 1 access mode is required',
  );
  expectCause(
    create({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'h' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'd' }, minReplicas: 5, maxReplicas: 2 },
    }),
    'spec.maxReplicas',
    'Invalid value: 2: must be greater than or equal to `minReplicas`',
  );
});
