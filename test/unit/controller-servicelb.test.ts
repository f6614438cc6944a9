// The service load-balancer controller's decisions: which addresses, and who keeps a port.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { Node, Service } from '../../api/core/v1/types.js';
import { conflictingPorts, isServiceLB, nodeIngressIPs } from '../../pkg/controller/servicelb/servicelb_controller.js';

const svc = (name: string, created: string, ports: number[], extra: Partial<Service['spec']> = {}): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', creationTimestamp: created },
  spec: { type: 'LoadBalancer', ports: ports.map((port) => ({ port, protocol: 'TCP' })), ...extra },
});
const node = (name: string, addresses: { type: string; address: string }[]): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: {},
  status: { addresses },
});

describe('service load-balancer controller', () => {
  it('serves on each node’s InternalIP (ExternalIP where it has one), sorted and once', () => {
    assert.deepEqual(
      nodeIngressIPs([
        node('b', [
          { type: 'InternalIP', address: '10.244.1.1' },
          { type: 'Hostname', address: 'b' },
        ]),
        node('a', [{ type: 'InternalIP', address: '10.244.0.1' }]),
        node('c', [
          { type: 'InternalIP', address: '10.244.2.1' },
          { type: 'ExternalIP', address: '192.0.2.7' },
        ]),
        node('d', [{ type: 'Hostname', address: 'd' }]),
      ]),
      ['10.244.0.1', '10.244.1.1', '192.0.2.7'],
    );
  });

  it('takes LoadBalancer Services without a class only', () => {
    assert.equal(isServiceLB(svc('a', '2026-01-01T00:00:00Z', [80])), true);
    assert.equal(isServiceLB(svc('a', '2026-01-01T00:00:00Z', [80], { loadBalancerClass: 'example.com/lb' })), false);
    assert.equal(isServiceLB(svc('a', '2026-01-01T00:00:00Z', [80], { type: 'NodePort' })), false);
  });

  it('leaves a port to the older Service; the younger waits', () => {
    const older = svc('older', '2026-01-01T00:00:00Z', [80, 443]);
    const younger = svc('younger', '2026-01-02T00:00:00Z', [8080, 443]);
    const other = svc('other', '2026-01-03T00:00:00Z', [9000]);
    const all = [younger, other, older, svc('np', '2025-01-01T00:00:00Z', [8080], { type: 'NodePort' })];
    assert.deepEqual(conflictingPorts(older, all), []);
    assert.deepEqual(conflictingPorts(younger, all), ['TCP/443']);
    assert.deepEqual(conflictingPorts(other, all), []);
  });
});
