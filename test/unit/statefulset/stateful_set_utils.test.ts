import type { StatefulSet } from '../../../api/apps/v1/types.js';
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { hashControllerRevision } from '../../../pkg/controller/statefulset/controller_history.js';
import { canonicalJSON, fnv32, safeEncodeString } from '../../../pkg/util/hash.js';
import { completeRollingUpdate } from '../../../pkg/controller/statefulset/stateful_set_control.js';
import {
  applyRevision,
  getParentNameAndOrdinal,
  identityMatches,
  newRevision,
  newStatefulSetPod,
  newVersionedStatefulSetPod,
  storageMatches,
} from '../../../pkg/controller/statefulset/stateful_set_utils.js';

function set(extra: Partial<StatefulSet['spec']> = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'u1' },
    spec: {
      replicas: 3,
      serviceName: 'nginx',
      selector: { matchLabels: { app: 'x' } },
      template: {
        metadata: { labels: { app: 'x' } },
        spec: {
          containers: [{ name: 'c', image: 'i:1' }],
          volumes: [
            { name: 'www', emptyDir: {} },
            { name: 'other', emptyDir: {} },
          ],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'] } }],
      ...extra,
    },
  };
}

describe('statefulset utils', () => {
  it('FNV-1 32 matches Go hash/fnv New32 test vectors', () => {
    const enc = new TextEncoder();
    assert.equal(fnv32(enc.encode('')), 0x811c9dc5);
    assert.equal(fnv32(enc.encode('a')), 0x050c5d7e);
    assert.equal(fnv32(enc.encode('foobar')), 0x31f0b262);
  });

  it('safe-encodes without vowels and hashes deterministically regardless of key order', () => {
    assert.match(safeEncodeString('1234567890'), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(canonicalJSON({ b: 1, a: [{ d: 1, c: 2 }] }), '{"a":[{"c":2,"d":1}],"b":1}');
    assert.equal(hashControllerRevision({ a: 1, b: 2 }), hashControllerRevision({ b: 2, a: 1 }));
    assert.notEqual(hashControllerRevision({ a: 1 }, 0), hashControllerRevision({ a: 1 }, 1));
  });

  it('parses parent and ordinal from the pod name', () => {
    assert.deepEqual(getParentNameAndOrdinal({ metadata: { name: 'my-web-12' }, spec: { containers: [] } }), { parent: 'my-web', ordinal: 12 });
    assert.deepEqual(getParentNameAndOrdinal({ metadata: { name: 'web' }, spec: { containers: [] } }), { parent: '', ordinal: -1 });
  });

  it('builds a pod with identity and storage for its ordinal', () => {
    const pod = newStatefulSetPod(set(), 2);
    assert.equal(pod.metadata.name, 'web-2');
    assert.equal(pod.spec?.hostname, 'web-2');
    assert.equal(pod.spec?.subdomain, 'nginx');
    assert.deepEqual(pod.metadata.labels, { app: 'x', 'statefulset.kubernetes.io/pod-name': 'web-2', 'apps.kubernetes.io/pod-index': '2' });
    // The claim replaces the template volume of the same name; others are kept.
    assert.deepEqual(pod.spec?.volumes, [
      { name: 'www', persistentVolumeClaim: { claimName: 'www-web-2' } },
      { name: 'other', emptyDir: {} },
    ]);
    assert.ok(identityMatches(set(), pod));
    assert.ok(storageMatches(set(), pod));
    pod.metadata.labels = { app: 'x' };
    assert.ok(!identityMatches(set(), pod));
  });

  it('creates pods below the partition at the current revision', () => {
    const cur = set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
    const upd = structuredClone(cur);
    (upd.spec.template?.spec?.containers as { image: string }[])[0].image = 'i:2';
    const image = (p: ReturnType<typeof newStatefulSetPod>) => (p.spec?.containers as { image: string }[])[0].image;
    const p1 = newVersionedStatefulSetPod(cur, upd, 'web-a', 'web-b', 1, 1);
    const p2 = newVersionedStatefulSetPod(cur, upd, 'web-a', 'web-b', 2, 2);
    assert.equal(p1.metadata.labels?.['controller-revision-hash'], 'web-a');
    assert.equal(image(p1), 'i:1');
    assert.equal(p2.metadata.labels?.['controller-revision-hash'], 'web-b');
    assert.equal(image(p2), 'i:2');
  });

  it('stores the template as a replace patch and applies it back', () => {
    const s = set();
    const rev = newRevision(s, 3, 0);
    assert.equal(rev.revision, 3);
    assert.match(rev.metadata.name ?? '', /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.deepEqual(rev.metadata.ownerReferences?.[0], {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      name: 'web',
      uid: 'u1',
      controller: true,
      blockOwnerDeletion: true,
    });
    assert.equal((rev.data as { spec: { template: { $patch: string } } }).spec.template.$patch, 'replace');
    const changed = structuredClone(s);
    (changed.spec.template?.spec?.containers as { image: string }[])[0].image = 'i:9';
    assert.notEqual(newRevision(changed, 3, 0).metadata.name, rev.metadata.name);
    assert.deepEqual(applyRevision(changed, rev).spec.template, s.spec.template);
  });

  it('completes a rolling update only when every pod is updated and ready', () => {
    const s = set();
    const st = { replicas: 3, readyReplicas: 3, updatedReplicas: 2, currentReplicas: 1, currentRevision: 'a', updateRevision: 'b' };
    assert.equal(completeRollingUpdate(s, { ...st }).currentRevision, 'a');
    assert.equal(completeRollingUpdate(s, { ...st, updatedReplicas: 3 }).currentRevision, 'b');
    assert.equal(completeRollingUpdate(set({ updateStrategy: { type: 'OnDelete' } }), { ...st, updatedReplicas: 3 }).currentRevision, 'a');
  });
});
