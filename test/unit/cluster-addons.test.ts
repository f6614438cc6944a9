import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ADDONS, addonObjects, applyAddon, objectPath } from '../../pkg/cluster/addons.js';

const manifests = (name: string) => fileURLToPath(new URL(`../../../manifests/${name}`, import.meta.url));

test('every add-on manifest names a built-in resource; the objects come in file order', () => {
  for (const addon of ADDONS) {
    const objects = addonObjects(manifests(addon));
    assert.ok(objects.length > 0, addon);
    for (const o of objects) assert.match(objectPath(o), /^\/apis?\//);
  }
  const kinds = addonObjects(manifests('prometheus')).map((o) => o.kind);
  assert.equal(kinds[0], 'Namespace', 'the namespace before what lives in it');
  assert.deepEqual(
    new Set(kinds),
    new Set(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'Service', 'DaemonSet']),
  );
});

test('objectPath: group, version, namespace and plural as the apiserver serves them; names are escaped', () => {
  assert.equal(objectPath({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' } }), '/api/v1/namespaces/monitoring');
  assert.equal(
    objectPath({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ne', namespace: 'monitoring' } }),
    '/apis/apps/v1/namespaces/monitoring/daemonsets/ne',
  );
  assert.equal(objectPath({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a/b' } }), '/api/v1/namespaces/default/configmaps/a%2Fb');
  assert.throws(() => objectPath({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }), /no built-in resource/);
  assert.throws(() => objectPath({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }), /no name/);
});

test('applyAddon sends each object as a forced server-side apply, and stops at the first refusal', async () => {
  const calls: string[] = [];
  const n = await applyAddon(manifests('prometheus'), async (method, path, body, contentType) => {
    calls.push(`${method} ${path} ${contentType}`);
    assert.equal(JSON.parse(body).metadata.name.length > 0, true);
    return { status: 200, body: '{}' };
  });
  assert.equal(n, calls.length);
  assert.ok(calls.every((c) => c.startsWith('PATCH ') && c.endsWith('?fieldManager=timonel&force=true application/apply-patch+yaml')));
  await assert.rejects(
    applyAddon(manifests('prometheus'), async () => ({ status: 422, body: 'Invalid' })),
    /applying Namespace monitoring: HTTP 422 Invalid/,
  );
});
