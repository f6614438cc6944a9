// The resources the garbage collector watches and the namespace controller empties:
// only those that can be listed (and watched) and deleted, never the create-only reviews.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { BUILTIN_RESOURCES } from '../../../api/resources.js';
import { isCreateOnly } from '../../../api/resourceinfo.js';
import { builtinGCResources } from '../../../pkg/controller/garbagecollector/restmapper.js';
import { namespacedResources } from '../../../pkg/controller/namespace/namespace_controller.js';

describe('resource sets of the garbage collector and the namespace controller', () => {
  const createOnly = BUILTIN_RESOURCES.filter(isCreateOnly).map((r) => `${r.group}/${r.plural}`);

  it('the catalogue has create-only resources to leave out', () => {
    assert.ok(createOnly.includes('authentication.k8s.io/tokenreviews'), createOnly.join(' '));
  });

  it('the garbage collector watches pods and deployments, and no create-only resource', () => {
    const gc = builtinGCResources().map((r) => `${r.group}/${r.resource}`);
    assert.ok(gc.includes('/pods') && gc.includes('apps/deployments'));
    assert.deepEqual(
      gc.filter((r) => createOnly.includes(r)),
      [],
    );
  });

  it('the namespace controller empties configmaps and pods, and no create-only resource', () => {
    const ns = namespacedResources().map((r) => `${r.group}/${r.resource}`);
    assert.ok(ns.includes('/configmaps') && ns.includes('/pods'));
    assert.deepEqual(
      ns.filter((r) => createOnly.includes(r)),
      [],
    );
  });
});
