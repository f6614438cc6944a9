import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch } from '../../../pkg/registry/patch/strategic.js';
import { StatusError } from '../../../api/meta/v1/status.js';
import { deploymentSchema, patchDemo, podSchema } from './fixtures.js';

const containersOf = (o: any): string[] => o.spec.template.spec.containers.map((c: any) => c.name);

test('adding a container keeps the existing one (docs: strategic merge patch)', () => {
  const obj = patchDemo();
  const out = applyStrategicMergePatch(
    obj,
    { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr-2', image: 'redis' }] } } } },
    deploymentSchema,
  ) as any;
  // Upstream orders patch items not in the live list first; the docs' output shows the same order.
  assert.deepEqual(containersOf(out), ['patch-demo-ctr-2', 'patch-demo-ctr']);
  assert.equal(out.spec.template.spec.containers[0].image, 'redis');
  assert.deepEqual(containersOf(obj), ['patch-demo-ctr'], 'input untouched');
});

test('without schema metadata the same list is replaced', () => {
  const out = applyStrategicMergePatch(
    patchDemo(),
    { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr-2', image: 'redis' }] } } } },
    undefined,
  ) as any;
  assert.deepEqual(containersOf(out), ['patch-demo-ctr-2']);
});

test('tolerations have no patch strategy: the list is replaced (docs example)', () => {
  const out = applyStrategicMergePatch(
    patchDemo(),
    { spec: { template: { spec: { tolerations: [{ effect: 'NoSchedule', key: 'disktype', value: 'ssd' }] } } } },
    deploymentSchema,
  ) as any;
  assert.deepEqual(out.spec.template.spec.tolerations, [{ effect: 'NoSchedule', key: 'disktype', value: 'ssd' }]);
});

test('merging an existing item by key merges its fields; nested lists merge by their own key', () => {
  const pod = { spec: { containers: [{ name: 'a', image: 'nginx', ports: [{ containerPort: 80 }], env: [{ name: 'X', value: '1' }] }] } };
  const out = applyStrategicMergePatch(
    pod,
    {
      spec: {
        containers: [
          {
            name: 'a',
            image: 'nginx:1.25',
            ports: [{ containerPort: 443 }],
            env: [
              { name: 'X', value: '2' },
              { name: 'Y', value: '3' },
            ],
          },
        ],
      },
    },
    podSchema,
  ) as any;
  assert.deepEqual(out.spec.containers, [
    {
      name: 'a',
      image: 'nginx:1.25',
      ports: [{ containerPort: 443 }, { containerPort: 80 }],
      env: [
        { name: 'X', value: '2' },
        { name: 'Y', value: '3' },
      ],
    },
  ]);
});

test('$patch: delete removes a list item by merge key', () => {
  const obj = applyStrategicMergePatch(
    patchDemo(),
    { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr-2', image: 'redis' }] } } } },
    deploymentSchema,
  );
  const out = applyStrategicMergePatch(
    obj,
    { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr', $patch: 'delete' }] } } } },
    deploymentSchema,
  ) as any;
  assert.deepEqual(containersOf(out), ['patch-demo-ctr-2']);
});

test('$patch: delete without the merge key is a 500 naming the key, like upstream', () => {
  assert.throws(
    () => applyStrategicMergePatch(patchDemo(), { spec: { template: { spec: { containers: [{ $patch: 'delete' }] } } } }, deploymentSchema),
    (e: unknown) => e instanceof StatusError && e.code === 500 && /does not contain declared merge key: name/.test(e.message),
  );
});

test('$patch: replace in a list replaces it; in a map replaces the map', () => {
  const out = applyStrategicMergePatch(
    patchDemo(),
    { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'busybox' }] } } } },
    deploymentSchema,
  ) as any;
  assert.deepEqual(out.spec.template.spec.containers, [{ name: 'only', image: 'busybox' }]);
  const out2 = applyStrategicMergePatch(
    { metadata: { labels: { a: '1', b: '2' } } },
    { metadata: { labels: { $patch: 'replace', c: '3' } } },
    podSchema,
  ) as any;
  assert.deepEqual(out2.metadata.labels, { c: '3' });
});

test('$patch: delete on a map removes it; $patch: merge is plain merging', () => {
  const out = applyStrategicMergePatch(
    { spec: { nodeSelector: { a: '1' }, restartPolicy: 'Always' } },
    { spec: { nodeSelector: { $patch: 'delete' } } },
    podSchema,
  ) as any;
  assert.deepEqual(out.spec, { restartPolicy: 'Always' });
  const out2 = applyStrategicMergePatch({ metadata: { labels: { a: '1' } } }, { metadata: { labels: { $patch: 'merge', b: '2' } } }, podSchema) as any;
  assert.deepEqual(out2.metadata.labels, { a: '1', b: '2' });
});

test('null deletes a map key', () => {
  const out = applyStrategicMergePatch({ metadata: { labels: { a: '1', b: '2' } } }, { metadata: { labels: { a: null } } }, podSchema) as any;
  assert.deepEqual(out.metadata.labels, { b: '2' });
});

test('$retainKeys: strategy RollingUpdate -> Recreate drops rollingUpdate (docs example)', () => {
  const dep = { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '30%' } } } };
  const plain = applyStrategicMergePatch(dep, { spec: { strategy: { type: 'Recreate' } } }, deploymentSchema) as any;
  assert.deepEqual(plain.spec.strategy, { type: 'Recreate', rollingUpdate: { maxSurge: '30%' } }, 'without $retainKeys the old key stays');
  const out = applyStrategicMergePatch(dep, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, deploymentSchema) as any;
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
});

test('$retainKeys on volumes switches the volume source', () => {
  const pod = { spec: { volumes: [{ name: 'v', hostPath: { path: '/data' } }] } };
  const out = applyStrategicMergePatch(pod, { spec: { volumes: [{ name: 'v', $retainKeys: ['name', 'emptyDir'], emptyDir: {} }] } }, podSchema) as any;
  assert.deepEqual(out.spec.volumes, [{ name: 'v', emptyDir: {} }]);
});

test('a key missing from $retainKeys is 400', () => {
  assert.throws(
    () => applyStrategicMergePatch({}, { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }, deploymentSchema),
    (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'invalid patch format of retainKeys',
  );
});

test('primitive merge lists are an ordered set union; $deleteFromPrimitiveList removes values', () => {
  const obj = { metadata: { finalizers: ['a', 'b'] } };
  const added = applyStrategicMergePatch(obj, { metadata: { finalizers: ['b', 'c'] } }, podSchema) as any;
  assert.deepEqual(added.metadata.finalizers, ['a', 'b', 'c']);
  const removed = applyStrategicMergePatch(added, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a', 'c'] } }, podSchema) as any;
  assert.deepEqual(removed.metadata.finalizers, ['b']);
});

test('$setElementOrder reorders a merged list (as kubectl sends it)', () => {
  const pod = {
    spec: {
      containers: [
        { name: 'a', image: '1' },
        { name: 'b', image: '1' },
      ],
    },
  };
  const out = applyStrategicMergePatch(
    pod,
    {
      spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'b' }, { name: 'a' }], containers: [{ name: 'c', image: '2' }] },
    },
    podSchema,
  ) as any;
  assert.deepEqual(
    out.spec.containers.map((c: any) => c.name),
    ['c', 'b', 'a'],
  );
  const fin = applyStrategicMergePatch(
    { metadata: { finalizers: ['x', 'y'] } },
    { metadata: { '$setElementOrder/finalizers': ['y', 'z', 'x'], finalizers: ['z'] } },
    podSchema,
  ) as any;
  assert.deepEqual(fin.metadata.finalizers, ['y', 'z', 'x']);
});

test('directives never leak into new fields', () => {
  const out = applyStrategicMergePatch(
    {},
    {
      spec: {
        containers: [
          {
            name: 'a',
            env: [
              { name: 'gone', $patch: 'delete' },
              { name: 'E', value: 'v' },
            ],
          },
        ],
      },
    },
    podSchema,
  ) as any;
  assert.deepEqual(out, { spec: { containers: [{ name: 'a', env: [{ name: 'E', value: 'v' }] }] } });
});

test('lists of lists are 422', () => {
  const schema = { type: 'object' as const, properties: { l: { type: 'array' as const, patchStrategy: 'merge' } } };
  assert.throws(
    () => applyStrategicMergePatch({ l: [[1]] }, { l: [[2]] }, schema),
    (e: unknown) => e instanceof StatusError && e.code === 422,
  );
});

test('order normalisation matches upstream mergeSortedSlice', () => {
  const pod = { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } };
  const out = applyStrategicMergePatch(
    pod,
    {
      spec: {
        containers: [
          { name: 'c', image: 'x' },
          { name: 'a', image: 'y' },
        ],
      },
    },
    podSchema,
  ) as any;
  // Patched items take the patch order (c before a); server-only b goes ahead of c because it was ahead of c live.
  assert.deepEqual(
    out.spec.containers.map((c: any) => c.name),
    ['b', 'c', 'a'],
  );
});
