import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { applyMergePatch } from '../../../pkg/registry/patch/mergepatch.js';
import { StatusError } from '../../../api/meta/v1/status.js';
import { patchDemo } from './fixtures.js';

test('merge patch replaces the containers list (kubectl patch --type merge docs example)', () => {
  const obj = patchDemo();
  const out = applyMergePatch(obj, {
    spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr-3', image: 'gcr.io/google-samples/hello-app:2.0' }] } } },
  }) as any;
  assert.deepEqual(out.spec.template.spec.containers, [{ name: 'patch-demo-ctr-3', image: 'gcr.io/google-samples/hello-app:2.0' }]);
  assert.equal(out.spec.replicas, 2);
  assert.deepEqual((obj.spec as any).template.spec.containers[0].name, 'patch-demo-ctr');
});

test('RFC 7386: null deletes, nested objects merge, nulls inside new objects are dropped', () => {
  const out = applyMergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null }, n: { x: 1, y: null } });
  assert.deepEqual(out, { a: 'z', c: { d: 'e' }, n: { x: 1 } });
});

test('a patch that is not an object is 400', () => {
  assert.throws(
    () => applyMergePatch({}, [1, 2]),
    (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'Invalid JSON Patch',
  );
});
