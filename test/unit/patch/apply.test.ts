import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { applyPatch, conflictError, decodeFieldsV1, encodeFieldsV1, fieldSetOf, updateManagedFields } from '../../../pkg/registry/patch/apply.js';
import { pathString } from '../../../pkg/registry/patch/fieldpath.js';
import { deploymentSchema } from './fixtures.js';

const T1 = '2024-01-01T00:00:00Z';
const T2 = '2024-01-01T00:01:00Z';
const T3 = '2024-01-01T00:02:00Z';

function nginx(replicas = 3): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', labels: { app: 'nginx' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}

function apply(live: object | undefined, cfg: object, mgr: string, now: string, force = false) {
  return applyPatch(live, cfg, mgr, force, deploymentSchema, now);
}

function entries(o: any): any[] {
  return o.metadata.managedFields ?? [];
}

test('first apply records an Apply entry with FieldsV1 like kube-apiserver', () => {
  const { object, conflicts } = apply(undefined, nginx(), 'kubectl', T1);
  assert.equal(conflicts, undefined);
  const o = object as any;
  assert.equal(o.spec.replicas, 3);
  assert.deepEqual(entries(o), [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: T1,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"nginx"}': {
                  '.': {},
                  'f:image': {},
                  'f:name': {},
                  'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                },
              },
            },
          },
        },
      },
    },
  ]);
});

test('applying the same configuration twice is a no-op', () => {
  const first = apply(undefined, nginx(), 'kubectl', T1).object;
  const second = apply(first, nginx(), 'kubectl', T2);
  assert.equal(second.conflicts, undefined);
  assert.deepEqual(second.object, first);
});

test('a second manager changing spec.replicas conflicts (409) unless forced', () => {
  const live = apply(undefined, nginx(3), 'kubectl', T1).object;
  const hpa = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 5 } };
  const r = apply(live, hpa, 'hpa-controller', T2);
  assert.deepEqual(r.conflicts, [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', subresource: undefined, field: '.spec.replicas' }]);
  assert.deepEqual(r.object, live, 'the live object is returned unchanged');
  const err = conflictError(r.conflicts!);
  assert.equal(err.code, 409);
  assert.equal(err.reason, 'Conflict');
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
  assert.deepEqual(err.details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.replicas' }] });

  const forced = apply(live, hpa, 'hpa-controller', T2, true);
  assert.equal(forced.conflicts, undefined);
  const o = forced.object as any;
  assert.equal(o.spec.replicas, 5);
  const byMgr = Object.fromEntries(entries(o).map((e) => [e.manager, e]));
  assert.equal(byMgr.kubectl.fieldsV1['f:spec']['f:replicas'], undefined, 'ownership moved away');
  assert.deepEqual(byMgr['hpa-controller'].fieldsV1, { 'f:spec': { 'f:replicas': {} } });

  // Now the original applier conflicts when it re-applies its old value.
  const back = apply(o, nginx(3), 'kubectl', T3);
  assert.equal(back.conflicts?.[0].manager, 'hpa-controller');
});

test('applying the same value another manager owns shares ownership without conflict', () => {
  const live = apply(undefined, nginx(3), 'kubectl', T1).object;
  const r = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 3 } }, 'other', T2);
  assert.equal(r.conflicts, undefined);
  assert.equal(entries(r.object).length, 2);
  // kubectl drops replicas from its config: another manager still owns it, so it stays.
  const cfg = nginx();
  delete (cfg.spec as any).replicas;
  const after = apply(r.object, cfg, 'kubectl', T3).object as any;
  assert.equal(after.spec.replicas, 3);
});

test('removing a field from the applied configuration removes it from the object', () => {
  const cfg = nginx();
  (cfg.metadata as any).labels.tier = 'web';
  (cfg.spec as any).template.spec.containers[0].env = [{ name: 'A', value: '1' }];
  const live = apply(undefined, cfg, 'kubectl', T1).object;
  const after = apply(live, nginx(), 'kubectl', T2).object as any;
  assert.deepEqual(after.metadata.labels, { app: 'nginx' });
  assert.equal(after.spec.template.spec.containers[0].env, undefined);
  assert.equal(after.spec.template.spec.containers[0].image, 'nginx:1.14.2');
  // Dropping every label removes the labels map, not just its keys.
  const noLabels = nginx();
  delete (noLabels.metadata as any).labels;
  const bare = apply(after, noLabels, 'kubectl', T3).object as any;
  assert.equal(bare.metadata.labels, undefined);
});

test('list-map items merge by key across managers', () => {
  const live = apply(undefined, nginx(), 'kubectl', T1).object;
  const sidecar = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx' },
    spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } },
  };
  const both = apply(live, sidecar, 'injector', T2);
  assert.equal(both.conflicts, undefined);
  const o = both.object as any;
  assert.deepEqual(
    o.spec.template.spec.containers.map((c: any) => c.name),
    ['nginx', 'sidecar'],
  );
  // Re-applying kubectl's config (which never had the sidecar) keeps it.
  const again = apply(o, nginx(), 'kubectl', T3).object as any;
  assert.deepEqual(
    again.spec.template.spec.containers.map((c: any) => c.name),
    ['nginx', 'sidecar'],
  );
  // The injector dropping its container removes it.
  const gone = apply(again, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' } }, 'injector', T3).object as any;
  assert.deepEqual(
    gone.spec.template.spec.containers.map((c: any) => c.name),
    ['nginx'],
  );
});

test('fields owned through client-side apply (Update) conflict with a server-side apply', () => {
  const created = updateManagedFields(undefined, nginx(3), 'kubectl-client-side-apply', 'Update', deploymentSchema, T1);
  const r = apply(created, nginx(5), 'kubectl', T2);
  assert.equal(r.conflicts?.length, 1);
  const err = conflictError(r.conflicts!);
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
  assert.deepEqual(err.details?.causes, [
    { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' },
  ]);
  // Same values: no conflict.
  assert.equal(apply(created, nginx(3), 'kubectl', T2).conflicts, undefined);
});

test('several conflicts are grouped by manager in the message', () => {
  const live = apply(undefined, nginx(3), 'a', T1).object;
  const cfg = nginx(4);
  (cfg.spec as any).template.spec.containers[0].image = 'nginx:2';
  const r = apply(live, cfg, 'b', T2);
  const err = conflictError(r.conflicts!);
  assert.equal(err.message, 'Apply failed with 2 conflicts: conflicts with "a":\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image');
});

test('updateManagedFields: create records changed fields, skipping system metadata and status', () => {
  const obj = {
    ...nginx(),
    metadata: { name: 'nginx', uid: 'u', resourceVersion: '1', creationTimestamp: T1, generation: 1, labels: { app: 'nginx' } },
    status: { replicas: 0 },
  };
  const o = updateManagedFields(undefined, obj, 'kubectl-create', 'Update', deploymentSchema, T1) as any;
  assert.equal(o.metadata.managedFields.length, 1);
  const e = o.metadata.managedFields[0];
  assert.equal(e.manager, 'kubectl-create');
  assert.equal(e.operation, 'Update');
  assert.equal(e.apiVersion, 'apps/v1');
  assert.equal(e.time, T1);
  assert.deepEqual(Object.keys(e.fieldsV1['f:metadata']), ['f:labels']);
  assert.deepEqual(e.fieldsV1['f:metadata']['f:labels'], { '.': {}, 'f:app': {} });
  assert.equal(e.fieldsV1['f:status'], undefined);
  assert.deepEqual(e.fieldsV1['f:spec']['f:selector'], {});
  const item = e.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}'];
  assert.deepEqual(Object.keys(item), ['.', 'f:image', 'f:name', 'f:ports']);
  assert.equal(e.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['.'], undefined, 'the list itself is not owned');
});

test('updateManagedFields: a later update moves changed fields to the new manager; no change keeps entries as they were', () => {
  const created = updateManagedFields(undefined, nginx(3), 'kubectl-create', 'Update', deploymentSchema, T1) as any;
  const same = updateManagedFields(created, nginx(3), 'kubectl-edit', 'Update', deploymentSchema, T2) as any;
  assert.deepEqual(same.metadata.managedFields, created.metadata.managedFields);

  const scaled = updateManagedFields(
    created,
    { ...nginx(5), metadata: { ...(nginx().metadata as object), managedFields: created.metadata.managedFields } },
    'kubectl-edit',
    'Update',
    deploymentSchema,
    T2,
  ) as any;
  const byMgr = Object.fromEntries(scaled.metadata.managedFields.map((e: any) => [e.manager, e]));
  assert.deepEqual(byMgr['kubectl-edit'].fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.equal(byMgr['kubectl-create'].fieldsV1['f:spec']['f:replicas'], undefined);
  // Apply entries sort before Update entries, Update entries by time.
  assert.deepEqual(
    scaled.metadata.managedFields.map((e: any) => e.manager),
    ['kubectl-create', 'kubectl-edit'],
  );
});

test('updateManagedFields: removed fields leave every manager; [] in the request resets', () => {
  const created = updateManagedFields(undefined, nginx(3), 'kubectl-create', 'Update', deploymentSchema, T1) as any;
  const noLabels = nginx(3);
  delete (noLabels.metadata as any).labels;
  const o = updateManagedFields(created, noLabels, 'kubectl-edit', 'Update', deploymentSchema, T2) as any;
  assert.equal(o.metadata.managedFields.length, 1);
  assert.equal(o.metadata.managedFields[0].fieldsV1['f:metadata'], undefined);
  const reset = updateManagedFields(
    created,
    { ...nginx(3), metadata: { name: 'nginx', labels: { app: 'nginx' }, managedFields: [] } },
    'x',
    'Update',
    deploymentSchema,
    T2,
  ) as any;
  assert.equal(reset.metadata.managedFields, undefined);
});

test('status subresource tracks only status; the main resource never tracks status', () => {
  const created = updateManagedFields(undefined, nginx(3), 'kubectl-create', 'Update', deploymentSchema, T1) as any;
  const withStatus = { ...nginx(3), metadata: created.metadata, status: { replicas: 3, readyReplicas: 3 } };
  const o = updateManagedFields(created, withStatus, 'kube-controller-manager', 'Update', deploymentSchema, T2, 'status') as any;
  const e = o.metadata.managedFields.find((x: any) => x.manager === 'kube-controller-manager');
  assert.equal(e.subresource, 'status');
  assert.deepEqual(e.fieldsV1, { 'f:status': { 'f:readyReplicas': {}, 'f:replicas': {} } });
});

test('FieldsV1 encode/decode round-trips, with "." for members that have children', () => {
  const set = fieldSetOf({ metadata: { labels: { a: 'b' } }, spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }] } } } }, deploymentSchema);
  const enc = encodeFieldsV1(set);
  assert.deepEqual(decodeFieldsV1(enc), set);
  assert.deepEqual(enc['f:spec'], { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } });
  assert.deepEqual(decodeFieldsV1({ 'f:metadata': { 'f:finalizers': { '.': {}, 'v:"x"': {} } } }).size, 2);
  assert.equal(
    pathString(['f:spec', 'f:containers', 'k:{"name":"c"}', 'f:ports', 'k:{"containerPort":80,"protocol":"TCP"}']),
    '.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"]',
  );
  assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"x"']), '.metadata.finalizers[="x"]');
});

test('set lists (finalizers) are owned item by item with v: elements', () => {
  const a = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', finalizers: ['example.com/a'] } };
  const b = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', finalizers: ['example.com/b'] } };
  const live = apply(apply(undefined, a, 'ma', T1).object, b, 'mb', T2).object as any;
  assert.deepEqual(live.metadata.finalizers, ['example.com/a', 'example.com/b']);
  const ma = live.metadata.managedFields.find((e: any) => e.manager === 'ma');
  assert.deepEqual(ma.fieldsV1, { 'f:metadata': { 'f:finalizers': { 'v:"example.com/a"': {} } } });
  const dropped = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' } }, 'ma', T3).object as any;
  assert.deepEqual(dropped.metadata.finalizers, ['example.com/b']);
});
