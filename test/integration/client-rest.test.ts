// pkg/client's REST layer against a real apiserver: CRUD, patch types, errors as StatusError.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/meta/v1/status.js';
import type { ConfigMap, Event } from '../../api/core/v1/types.js';
import { Client, type ResourceClient } from '../../pkg/client/rest.js';
import { EventRecorder } from '../../pkg/client/events.js';
import { startCluster, type TestCluster } from '../support/cluster.js';

jest.setTimeout(60_000);
describe('pkg/client REST', () => {
  let c: TestCluster;
  let client: Client;
  let cms: ResourceClient<ConfigMap>;
  beforeAll(async () => {
    c = await startCluster();
    client = Client.fromFile(c.kubeconfig);
    cms = client.resource<ConfigMap>('v1', 'configmaps').namespace('default');
  });
  afterAll(async () => {
    client?.close();
    await c?.stop();
  });

  it('creates, gets, updates, lists with selectors and pages', async () => {
    for (let i = 0; i < 5; i++) await cms.create({ metadata: { name: `cm-${i}`, labels: { app: i % 2 ? 'odd' : 'even' } }, data: { i: String(i) } });
    const got = await cms.get('cm-1');
    assert.deepEqual(got.data, { i: '1' });
    got.data = { i: 'one' };
    const updated = await cms.update(got);
    assert.notEqual(updated.metadata.resourceVersion, got.metadata.resourceVersion);
    const odd = await cms.list({ labelSelector: 'app=odd' });
    assert.deepEqual(
      odd.items.map((o) => o.metadata.name),
      ['cm-1', 'cm-3'],
    );
    const byField = await cms.list({ fieldSelector: 'metadata.name=cm-4' });
    assert.deepEqual(
      byField.items.map((o) => o.metadata.name),
      ['cm-4'],
    );
    const page1 = await cms.list({ labelSelector: 'app', limit: 2 });
    assert.equal(page1.items.length, 2);
    assert.ok(page1.metadata.continue);
    const page2 = await cms.list({ labelSelector: 'app', limit: 10, continue: page1.metadata.continue });
    assert.equal(page1.items.length + page2.items.length, 5);
  });

  it('patches with merge, strategic, json and apply', async () => {
    let o = await cms.patch('cm-0', 'merge', { data: { m: 'x' } });
    assert.equal(o.data?.m, 'x');
    o = await cms.patch('cm-0', 'strategic', { data: { s: 'y' } });
    assert.equal(o.data?.s, 'y');
    o = await cms.patch('cm-0', 'json', [{ op: 'remove', path: '/data/m' }]);
    assert.equal(o.data?.m, undefined);
    o = await cms.patch('applied', 'apply', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { a: '1' } }, { fieldManager: 'test' });
    assert.equal(o.data?.a, '1');
  });

  it('surfaces failures as StatusError with the server reason', async () => {
    await assert.rejects(cms.get('missing'), (e: unknown) => e instanceof StatusError && e.code === 404 && e.reason === 'NotFound');
    await assert.rejects(
      cms.create({ metadata: { name: 'cm-0' } }),
      (e: unknown) => e instanceof StatusError && e.code === 409 && e.reason === 'AlreadyExists',
    );
    const stale = await cms.get('cm-2');
    await cms.update({ ...stale, data: { v: 'new' } });
    await assert.rejects(cms.update({ ...stale, data: { v: 'stale' } }), (e: unknown) => e instanceof StatusError && e.code === 409 && e.reason === 'Conflict');
    await assert.rejects(
      cms.create({ metadata: { name: 'Bad_Name' } }),
      (e: unknown) => e instanceof StatusError && e.code === 422 && e.reason === 'Invalid' && (e.details?.causes?.length ?? 0) > 0,
    );
  });

  it('deletes with preconditions and propagationPolicy', async () => {
    const o = await cms.get('cm-3');
    await assert.rejects(cms.delete('cm-3', { preconditions: { uid: 'not-the-uid' } }), (e: unknown) => e instanceof StatusError && e.code === 409);
    await cms.delete('cm-3', { preconditions: { uid: o.metadata.uid }, propagationPolicy: 'Background' });
    await assert.rejects(cms.get('cm-3'), (e: unknown) => e instanceof StatusError && e.code === 404);
  });

  it('the event recorder aggregates a repeat into count 2', async () => {
    const rec = new EventRecorder(client, { component: 'test-controller' });
    const target = await cms.get('cm-1');
    await rec.event({ ...target, apiVersion: 'v1', kind: 'ConfigMap' }, 'Warning', 'FailedSync', 'could not do the thing');
    await rec.event({ ...target, apiVersion: 'v1', kind: 'ConfigMap' }, 'Warning', 'FailedSync', 'could not do the thing');
    await rec.event({ ...target, apiVersion: 'v1', kind: 'ConfigMap' }, 'Normal', 'Synced', 'done');
    const events = await client.resource<Event>('v1', 'events').namespace('default').list();
    const failed = events.items.filter((e) => e.reason === 'FailedSync');
    assert.equal(failed.length, 1, 'one Event for the repeat');
    assert.equal(failed[0].count, 2);
    assert.equal(failed[0].type, 'Warning');
    assert.equal(failed[0].source?.component, 'test-controller');
    assert.deepEqual([failed[0].involvedObject.kind, failed[0].involvedObject.name, failed[0].involvedObject.uid], ['ConfigMap', 'cm-1', target.metadata.uid]);
    assert.match(failed[0].metadata.name ?? '', /^cm-1\.[0-9a-f]+$/);
    assert.ok(failed[0].firstTimestamp && failed[0].lastTimestamp);
    assert.equal(events.items.filter((e) => e.reason === 'Synced').length, 1);
  });
});
