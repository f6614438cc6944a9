// The stored text of an object and its JSON with a resourceVersion, without a second serialisation.
import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta/v1/types.js';
import { copyJSON, encodeStored, objectJSON, rememberJSON, replaceResourceVersion, withResourceVersion } from '../../pkg/storage/objectjson.js';
import { CachedObject } from '../../pkg/storage/cacher.js';

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  spec: { containers: [{ name: 'c', image: 'busybox', env: [{ name: 'X', value: '"metadata":{"resourceVersion":"1"}' }] }] },
  metadata: { name: 'p', namespace: 'default', resourceVersion: '7', labels: { a: 'b' } },
  status: {},
};

test('encodeStored writes metadata first and drops resourceVersion', () => {
  const text = encodeStored(pod);
  assert.ok(text.startsWith('{"metadata":{"name":"p"'));
  const back = JSON.parse(text) as KubeObject;
  assert.equal(back.metadata.resourceVersion, undefined);
  assert.deepEqual({ ...back, metadata: { ...back.metadata, resourceVersion: '7' } }, pod);
});

test('withResourceVersion gives the JSON of the object at that revision', () => {
  for (const obj of [
    pod,
    { metadata: {} } as KubeObject,
    { metadata: { name: 'only' } } as KubeObject,
    { apiVersion: 'v1', kind: 'Namespace', metadata: {} } as KubeObject,
  ]) {
    const json = withResourceVersion(encodeStored(obj), 42);
    assert.ok(json);
    assert.deepEqual(JSON.parse(json), { ...obj, metadata: { ...obj.metadata, resourceVersion: '42' } });
  }
  // Text not written with metadata first (an older layout) is left to JSON.stringify.
  assert.equal(withResourceVersion(JSON.stringify({ apiVersion: 'v1', metadata: { name: 'x' } }), 1), undefined);
  assert.equal(withResourceVersion('{"spec":{"metadata":{}},"metadata":{}}', 1), undefined);
});

test('objectJSON uses a remembered text, carried to a copy, else serialises', () => {
  const a = { x: 1 };
  assert.equal(objectJSON(a), '{"x":1}');
  rememberJSON(a, '{"x":1,"remembered":true}');
  assert.equal(objectJSON(a), '{"x":1,"remembered":true}');
  const b = { ...a };
  assert.equal(objectJSON(b), '{"x":1}');
  copyJSON(a, b);
  assert.equal(objectJSON(b), '{"x":1,"remembered":true}');
  assert.equal(objectJSON('s'), '"s"');
  assert.equal(objectJSON(null), 'null');
});

test('replaceResourceVersion moves text made by withResourceVersion to another revision, and nothing else', () => {
  const at7 = withResourceVersion(encodeStored(pod), 7) as string;
  const at9 = replaceResourceVersion(at7, 7, 9);
  assert.deepEqual(JSON.parse(at9 as string), { ...pod, metadata: { ...pod.metadata, resourceVersion: '9' } });
  assert.equal(replaceResourceVersion(at7, 8, 9), undefined);
  assert.equal(replaceResourceVersion(JSON.stringify(pod), 7, 9), undefined);
});

test('a cached object is decoded only when asked, and its copies are its own', () => {
  let decoded = 0;
  const decode = () => {
    decoded++;
    return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'foreign', resourceVersion: '3' } } as KubeObject;
  };
  const own = CachedObject.fromStored({ key: '/registry/pods/default/p', value: Buffer.from(encodeStored(pod)), modRevision: 7 }, decode);
  assert.equal(own.json(), withResourceVersion(encodeStored(pod), 7));
  assert.equal(own.object.metadata.resourceVersion, '7');
  const copy = own.copy();
  copy.metadata.name = 'changed';
  assert.equal(own.object.metadata.name, 'p');
  assert.equal(own.at(9).object.metadata.resourceVersion, '9');
  assert.equal(decoded, 0);
  // A value in another layout goes through the decoder once.
  const foreign = CachedObject.fromStored(
    { key: '/registry/pods/default/f', value: Buffer.from('{"kind":"Pod","metadata":{"name":"foreign"}}'), modRevision: 3 },
    decode,
  );
  assert.equal(decoded, 1);
  assert.equal(JSON.parse(foreign.json()).metadata.resourceVersion, '3');
  assert.equal(foreign.at(5).object.metadata.resourceVersion, '5');
});
