// The node lifecycle controller's health decision: when it last heard from a node
// (status heartbeat or Lease renewal, on its own clock), and the Unknown conditions
// it writes once the grace period has passed.
import { describe, expect, it } from '@jest/globals';
import type { Lease } from '../../api/coordination/v1/types.js';
import type { Node } from '../../api/core/v1/types.js';
import { healthUpdate } from '../../pkg/controller/nodelifecycle/health.js';

const periods = { grace: 50_000, startupGrace: 60_000 };
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

function node(conditions?: Array<{ type: string; status: string; heartbeat?: string }>): Node {
  return {
    metadata: { name: 'n1', uid: 'u', creationTimestamp: '2025-12-31T23:59:00Z' },
    spec: {},
    status: conditions && {
      conditions: conditions.map((c) => ({
        type: c.type,
        status: c.status,
        reason: 'KubeletReady',
        lastHeartbeatTime: c.heartbeat ?? '2026-01-01T00:00:00Z',
        lastTransitionTime: '2025-12-31T23:59:30Z',
      })),
    },
  };
}
const lease = (renewTime: string): Lease => ({ metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { renewTime } });
const ready = node([
  { type: 'MemoryPressure', status: 'False' },
  { type: 'Ready', status: 'True' },
]);

describe('healthUpdate', () => {
  it('leaves a node alone within the grace period from first sight', () => {
    const first = healthUpdate(ready, undefined, undefined, t0, periods);
    expect(first.conditions).toBeUndefined();
    expect(healthUpdate(ready, undefined, first.health, at(50_000), periods).conditions).toBeUndefined();
  });

  it('sets the monitored conditions to Unknown once the grace period passes without word', () => {
    const { health } = healthUpdate(ready, undefined, undefined, t0, periods);
    const { conditions } = healthUpdate(ready, undefined, health, at(50_001), periods);
    expect(conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['MemoryPressure', 'Unknown', 'NodeStatusUnknown'],
      ['Ready', 'Unknown', 'NodeStatusUnknown'],
      ['DiskPressure', 'Unknown', 'NodeStatusNeverUpdated'],
      ['PIDPressure', 'Unknown', 'NodeStatusNeverUpdated'],
    ]);
    const r = conditions?.find((c) => c.type === 'Ready');
    expect(r).toMatchObject({ message: 'Kubelet stopped posting node status.', lastTransitionTime: '2026-01-01T00:00:50Z' });
    // The last heartbeat the kubelet posted is kept.
    expect(r?.lastHeartbeatTime).toBe('2026-01-01T00:00:00Z');
  });

  it('counts a Lease renewal or a new heartbeat as word from the node', () => {
    let h = healthUpdate(ready, lease('2026-01-01T00:00:00.000000Z'), undefined, t0, periods).health;
    h = healthUpdate(ready, lease('2026-01-01T00:00:40.000000Z'), h, at(40_000), periods).health;
    expect(healthUpdate(ready, lease('2026-01-01T00:00:40.000000Z'), h, at(89_000), periods).conditions).toBeUndefined();
    const beat = node([{ type: 'Ready', status: 'True', heartbeat: '2026-01-01T00:01:20Z' }]);
    h = healthUpdate(beat, lease('2026-01-01T00:00:40.000000Z'), h, at(80_000), periods).health;
    expect(healthUpdate(beat, lease('2026-01-01T00:00:40.000000Z'), h, at(129_000), periods).conditions).toBeUndefined();
    expect(healthUpdate(beat, lease('2026-01-01T00:00:40.000000Z'), h, at(130_001), periods).conditions).toBeDefined();
  });

  it('gives a node that never posted status the startup grace, then says so', () => {
    const fresh = node();
    const { health } = healthUpdate(fresh, undefined, undefined, t0, periods);
    expect(healthUpdate(fresh, undefined, health, at(59_000), periods).conditions).toBeUndefined();
    const { conditions } = healthUpdate(fresh, undefined, health, at(60_001), periods);
    expect(conditions?.map((c) => [c.type, c.status, c.reason, c.message, c.lastHeartbeatTime])).toEqual(
      ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map((t) => [
        t,
        'Unknown',
        'NodeStatusNeverUpdated',
        'Kubelet never posted node status.',
        '2025-12-31T23:59:00Z',
      ]),
    );
  });

  it('writes nothing once every monitored condition is Unknown', () => {
    const lost = node(['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({ type, status: 'Unknown' })));
    const { health } = healthUpdate(lost, undefined, undefined, t0, periods);
    expect(healthUpdate(lost, undefined, health, at(100_000), periods).conditions).toBeUndefined();
  });
});
