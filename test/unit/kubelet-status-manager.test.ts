import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { Client } from '../../pkg/client/rest.js';
import { StatusManager } from '../../pkg/kubelet/status/status_manager.js';
import type { Pod, PodStatus } from '../../api/core/v1/types.js';
import { logger } from '../../pkg/util/log.js';

/** A fake pods client recording PATCHes; each takes `delay()` ms. */
function fakeClient(delay: () => number) {
  const patches: Array<{ name: string; body: { status: PodStatus } }> = [];
  let inFlight = 0;
  let maxInFlightPerPod = 0;
  const deletes: Array<{ name: string; opts: unknown }> = [];
  const rc = {
    namespace: () => rc,
    patch: async (name: string, _type: string, body: { status: PodStatus }) => {
      inFlight++;
      maxInFlightPerPod = Math.max(maxInFlightPerPod, inFlight);
      await new Promise((r) => setTimeout(r, delay()));
      patches.push({ name, body });
      inFlight--;
      return {};
    },
    delete: async (name: string, opts: unknown) => {
      deletes.push({ name, opts });
      return {};
    },
  };
  const client = { resource: () => rc } as unknown as Client;
  return { client, patches, deletes, maxInFlight: () => maxInFlightPerPod };
}

const pod: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [] }, status: { phase: 'Pending' } };

describe('StatusManager', () => {
  it('writes only changes, one write per pod at a time, the newest status last', async () => {
    const delays = [30, 1, 1, 1];
    const f = fakeClient(() => delays.shift() ?? 1);
    const sm = new StatusManager({ client: f.client, log: logger('test', -1) });
    sm.setPodStatus(pod, { phase: 'Pending' });
    await sm.flush();
    assert.equal(f.patches.length, 0, 'equal to what the apiserver has: no write');
    sm.setPodStatus(pod, { phase: 'Pending', message: 'a' });
    sm.setPodStatus(pod, { phase: 'Pending', message: 'b' });
    await new Promise((r) => setTimeout(r, 5));
    sm.setPodStatus(pod, { phase: 'Running', message: 'c' });
    await sm.flush();
    assert.equal(f.maxInFlight(), 1);
    const last = f.patches[f.patches.length - 1].body.status;
    assert.deepEqual(last, { phase: 'Running', message: 'c' });
    assert.ok(f.patches.length <= 2, `coalesced: ${f.patches.length} writes`);
    assert.deepEqual(sm.getPodStatus('u1'), { phase: 'Running', message: 'c' });
  });

  it('removes fields that disappeared with null (merge patch)', async () => {
    const f = fakeClient(() => 1);
    const sm = new StatusManager({ client: f.client, log: logger('test', -1) });
    sm.setPodStatus({ ...pod, status: { phase: 'Running', podIP: '10.0.0.1' } }, { phase: 'Failed' });
    await sm.flush();
    assert.deepEqual(f.patches[0].body.status, { phase: 'Failed', podIP: null });
  });

  it('never writes over a newer pod that reuses the name, and deletes with the UID precondition', async () => {
    const f = fakeClient(() => 1);
    const sm = new StatusManager({ client: f.client, log: logger('test', -1), currentUID: () => 'someone-else' });
    sm.setPodStatus(pod, { phase: 'Running' });
    await sm.flush();
    assert.equal(f.patches.length, 0);
    await sm.deletePod(pod);
    assert.deepEqual(f.deletes, [{ name: 'p', opts: { gracePeriodSeconds: 0, preconditions: { uid: 'u1' } } }]);
  });
});
