import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { applyJSONPatch } from '../../../pkg/registry/patch/jsonpatch.js';
import { StatusError } from '../../../api/meta/v1/status.js';
import { patchDemo } from './fixtures.js';

test('applies RFC 6902 operations without mutating the input', () => {
  const obj = patchDemo();
  const before = JSON.stringify(obj);
  const out = applyJSONPatch(obj, [
    { op: 'replace', path: '/spec/replicas', value: 3 },
    { op: 'add', path: '/metadata/labels', value: { tier: 'web' } },
    { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'sidecar', image: 'busybox' } },
    { op: 'remove', path: '/spec/template/spec/tolerations' },
    { op: 'test', path: '/spec/template/spec/containers/0/image', value: 'nginx' },
  ]) as any;
  assert.equal(JSON.stringify(obj), before);
  assert.equal(out.spec.replicas, 3);
  assert.deepEqual(out.metadata.labels, { tier: 'web' });
  assert.deepEqual(
    out.spec.template.spec.containers.map((c: any) => c.name),
    ['patch-demo-ctr', 'sidecar'],
  );
  assert.equal(out.spec.template.spec.tolerations, undefined);
});

test('a body that is not a list of operations is 400 BadRequest', () => {
  for (const bad of [{ op: 'add' }, 'x', [1]]) {
    assert.throws(
      () => applyJSONPatch(patchDemo(), bad),
      (e: unknown) => e instanceof StatusError && e.code === 400 && e.reason === 'BadRequest',
    );
  }
});

test('a failing test op or an unresolvable path is 422 Invalid', () => {
  const isInvalid = (e: unknown): boolean =>
    e instanceof StatusError && e.code === 422 && e.reason === 'Invalid' && e.message === 'the server rejected our request due to an error in our request';
  assert.throws(() => applyJSONPatch(patchDemo(), [{ op: 'test', path: '/spec/replicas', value: 5 }]), isInvalid);
  assert.throws(() => applyJSONPatch(patchDemo(), [{ op: 'remove', path: '/spec/nope' }]), isInvalid);
  assert.throws(() => applyJSONPatch(patchDemo(), [{ op: 'frobnicate', path: '/spec' }]), isInvalid);
  const obj = patchDemo();
  // The first op succeeds before the second fails: the input stays intact.
  assert.throws(() =>
    applyJSONPatch(obj, [
      { op: 'replace', path: '/spec/replicas', value: 9 },
      { op: 'test', path: '/x', value: 1 },
    ]),
  );
  assert.equal((obj.spec as any).replicas, 2);
});

test('more than 10000 operations is 413', () => {
  const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/kind', value: 'Deployment' }));
  assert.throws(
    () => applyJSONPatch(patchDemo(), ops),
    (e: unknown) => e instanceof StatusError && e.code === 413,
  );
});
