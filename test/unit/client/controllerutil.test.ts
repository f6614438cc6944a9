import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { ControllerExpectations, controllerRef, isControlledBy, newControllerRef } from '../../../pkg/client/controllerutil.js';

describe('owner references', () => {
  const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'd', uid: 'u1' } };
  it('newControllerRef / controllerRef / isControlledBy', () => {
    const ref = newControllerRef(rs, { apiVersion: 'apps/v1', kind: 'ReplicaSet' });
    assert.deepEqual(ref, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true });
    const pod = { metadata: { name: 'p', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'other', uid: 'u0' }, ref] } };
    assert.equal(controllerRef(pod)?.uid, 'u1');
    assert.ok(isControlledBy(pod, rs));
    assert.ok(!isControlledBy(pod, { metadata: { name: 'other', uid: 'u0' } }), 'a non-controller owner does not control');
    assert.equal(controllerRef({ metadata: { name: 'orphan' } }), undefined);
  });
});

describe('ControllerExpectations', () => {
  it('is satisfied with no record, then only after every expected event is observed', () => {
    const e = new ControllerExpectations();
    assert.ok(e.satisfied('d/web'));
    e.expectCreations('d/web', 2);
    assert.ok(!e.satisfied('d/web'));
    e.creationObserved('d/web');
    assert.ok(!e.satisfied('d/web'));
    e.creationObserved('d/web');
    assert.ok(e.satisfied('d/web'));
    e.expectDeletions('d/web', 1);
    assert.ok(!e.satisfied('d/web'));
    e.deletionObserved('d/web');
    assert.ok(e.satisfied('d/web'));
    e.deleteExpectations('d/web');
    assert.equal(e.getExpectations('d/web'), undefined);
  });

  it('expires after 5 minutes so a lost watch event cannot stall the controller', () => {
    let now = 1_000_000;
    const e = new ControllerExpectations(() => now);
    e.expectCreations('k', 3);
    now += 5 * 60_000;
    assert.ok(!e.satisfied('k'));
    now += 1;
    assert.ok(e.satisfied('k'));
  });
});
