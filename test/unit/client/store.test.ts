import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import {
  Indexer,
  NamespaceIndex,
  namespaceIndexFunc,
  NodeNameIndex,
  nodeNameIndexFunc,
  OwnerUIDIndex,
  ownerUIDIndexFunc,
  metaNamespaceKeyFunc,
  splitMetaNamespaceKey,
} from '../../../pkg/client/store.js';

function pod(ns: string, name: string, node?: string, owner?: string, rv = '1'): KubeObject {
  return {
    metadata: {
      namespace: ns,
      name,
      resourceVersion: rv,
      ownerReferences: owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: `uid-${owner}`, controller: true }] : undefined,
    },
    spec: { nodeName: node },
  };
}

describe('Indexer', () => {
  const make = () => new Indexer({ [NamespaceIndex]: namespaceIndexFunc, [OwnerUIDIndex]: ownerUIDIndexFunc, [NodeNameIndex]: nodeNameIndexFunc });

  it('keys by namespace/name', () => {
    assert.equal(metaNamespaceKeyFunc(pod('a', 'p')), 'a/p');
    assert.equal(metaNamespaceKeyFunc({ metadata: { name: 'n1' } }), 'n1');
    assert.deepEqual(splitMetaNamespaceKey('a/p'), { namespace: 'a', name: 'p' });
    assert.deepEqual(splitMetaNamespaceKey('n1'), { namespace: '', name: 'n1' });
  });

  it('add, update, delete keep every index current', () => {
    const ix = make();
    ix.add(pod('a', 'p1', 'node1', 'rs1'));
    ix.add(pod('a', 'p2', undefined, 'rs1'));
    ix.add(pod('b', 'p3', 'node1'));
    assert.deepEqual(
      ix
        .byIndex(NamespaceIndex, 'a')
        .map((o) => o.metadata.name)
        .sort(),
      ['p1', 'p2'],
    );
    assert.deepEqual(
      ix
        .byIndex(NodeNameIndex, 'node1')
        .map((o) => o.metadata.name)
        .sort(),
      ['p1', 'p3'],
    );
    assert.deepEqual(
      ix.byIndex(NodeNameIndex, '').map((o) => o.metadata.name),
      ['p2'],
    );
    assert.deepEqual(
      ix
        .byIndex(OwnerUIDIndex, 'uid-rs1')
        .map((o) => o.metadata.name)
        .sort(),
      ['p1', 'p2'],
    );

    // p2 gets scheduled and orphaned
    const old = ix.update(pod('a', 'p2', 'node2', undefined, '2'));
    assert.equal(old?.metadata.resourceVersion, '1');
    assert.deepEqual(ix.byIndex(NodeNameIndex, ''), []);
    assert.deepEqual(
      ix.byIndex(NodeNameIndex, 'node2').map((o) => o.metadata.name),
      ['p2'],
    );
    assert.deepEqual(
      ix.byIndex(OwnerUIDIndex, 'uid-rs1').map((o) => o.metadata.name),
      ['p1'],
    );

    ix.delete(pod('a', 'p1'));
    assert.equal(ix.getByKey('a/p1'), undefined);
    assert.deepEqual(ix.byIndex(OwnerUIDIndex, 'uid-rs1'), []);
    assert.deepEqual(
      ix.byIndex(NodeNameIndex, 'node1').map((o) => o.metadata.name),
      ['p3'],
    );
    assert.ok(!ix.listIndexFuncValues(OwnerUIDIndex).includes('uid-rs1'), 'empty index values are dropped');
    assert.equal(ix.size, 2);
  });

  it('replace swaps the contents and rebuilds the indexes', () => {
    const ix = make();
    ix.add(pod('a', 'p1', 'node1'));
    ix.replace([pod('c', 'q1', 'node9')]);
    assert.deepEqual(ix.listKeys(), ['c/q1']);
    assert.deepEqual(ix.byIndex(NodeNameIndex, 'node1'), []);
    assert.deepEqual(
      ix.byIndex(NamespaceIndex, 'c').map((o) => o.metadata.name),
      ['q1'],
    );
  });

  it('custom indexers, also added after objects are present', () => {
    const ix = new Indexer();
    ix.add({ metadata: { namespace: 'a', name: 'x', labels: { app: 'web' } } });
    ix.add({ metadata: { namespace: 'a', name: 'y', labels: { app: 'db' } } });
    ix.addIndexers({ app: (o) => (o.metadata.labels?.app ? [o.metadata.labels.app] : []) });
    assert.deepEqual(
      ix.byIndex('app', 'web').map((o) => o.metadata.name),
      ['x'],
    );
    assert.throws(() => ix.byIndex('missing', 'x'), /does not exist/);
    assert.throws(() => ix.addIndexers({ app: () => [] }), /conflict/);
  });
});
