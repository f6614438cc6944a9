// The references and reasons of the kubelet's Events: which container an Event names
// (fieldPath), and which node status Events a change of conditions records.
import { describe, expect, it } from '@jest/globals';
import type { NodeCondition, Pod } from '../../api/core/v1/types.js';
import { containerFieldPath, containerRef } from '../../pkg/kubelet/container_ref.js';
import { kubeletNodeRef, nodeConditionEvents, nodeStatusEventMessage } from '../../pkg/kubelet/nodestatus/events.js';

const pod: Pod = {
  metadata: { name: 'web', namespace: 'ns', uid: 'u-1', resourceVersion: '7' },
  spec: {
    initContainers: [{ name: 'setup', image: 'i' }],
    containers: [
      { name: 'app', image: 'i' },
      { name: 'sidecar', image: 'i' },
    ],
    ephemeralContainers: [{ name: 'debugger', image: 'i' }],
  },
};

describe('container references', () => {
  it('names each kind of container as upstream does', () => {
    expect(containerFieldPath(pod, 'sidecar')).toBe('spec.containers{sidecar}');
    expect(containerFieldPath(pod, 'setup')).toBe('spec.initContainers{setup}');
    expect(containerFieldPath(pod, 'debugger')).toBe('spec.ephemeralContainers{debugger}');
    expect(containerFieldPath(pod, 'gone')).toBe('implicitly required container gone');
  });

  it('refers to the pod by kind, name, uid and version', () => {
    expect(containerRef(pod, 'app')).toEqual({
      kind: 'Pod',
      apiVersion: 'v1',
      namespace: 'ns',
      name: 'web',
      uid: 'u-1',
      resourceVersion: '7',
      fieldPath: 'spec.containers{app}',
    });
  });
});

const cond = (type: string, status: string): NodeCondition => ({ type, status });
const healthy = [cond('MemoryPressure', 'False'), cond('DiskPressure', 'False'), cond('PIDPressure', 'False'), cond('Ready', 'True')];

describe('node status events', () => {
  it('records every pressure condition of a fresh status, but not Ready', () => {
    expect(nodeConditionEvents(undefined, healthy)).toEqual(['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID']);
  });

  it('records nothing when nothing changed', () => {
    expect(nodeConditionEvents(healthy, healthy)).toEqual([]);
  });

  it('records Ready and pressure transitions, including back from Unknown', () => {
    const lost = healthy.map((c) => cond(c.type, 'Unknown'));
    expect(nodeConditionEvents(lost, healthy)).toEqual(['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID', 'NodeReady']);
    const pressed = [cond('MemoryPressure', 'True'), cond('DiskPressure', 'True'), cond('PIDPressure', 'True'), cond('Ready', 'False')];
    expect(nodeConditionEvents(healthy, pressed)).toEqual(['NodeHasInsufficientMemory', 'NodeHasDiskPressure', 'NodeHasInsufficientPID', 'NodeNotReady']);
  });

  it('says it as upstream, about the node by name', () => {
    expect(nodeStatusEventMessage('n1', 'NodeReady')).toBe('Node n1 status is now: NodeReady');
    expect(kubeletNodeRef('n1')).toEqual({ kind: 'Node', name: 'n1', uid: 'n1' });
  });
});
