import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import {
  RangeFullError,
  allocateNextIP,
  checkRequestedIP,
  kubernetesServiceIP,
  parseCIDR,
  rangeContains,
} from '../../../pkg/registry/core/service/ipallocator.js';
import { DEFAULT_NODE_PORT_RANGE, allocateNextNodePort, checkRequestedNodePort } from '../../../pkg/registry/core/service/portallocator.js';

test('the kubernetes service owns the first address of the service CIDR', () => {
  assert.equal(kubernetesServiceIP('10.96.0.0/12'), '10.96.0.1');
  assert.equal(allocateNextIP('10.96.0.0/12', new Set(), { forKubernetesService: true }), '10.96.0.1');
});

test('allocates sequentially, skipping the reserved and used addresses', () => {
  const used = new Set<string>();
  const a = allocateNextIP('10.96.0.0/12', used);
  assert.equal(a, '10.96.0.2');
  used.add(a);
  assert.equal(allocateNextIP('10.96.0.0/12', used), '10.96.0.3');
  used.add('10.96.0.3').add('10.96.0.4');
  assert.equal(allocateNextIP('10.96.0.0/12', used), '10.96.0.5');
});

test('crosses octet boundaries', () => {
  const used = new Set<string>();
  for (let i = 2; i <= 255; i++) used.add(`10.96.0.${i}`);
  assert.equal(allocateNextIP('10.96.0.0/12', used), '10.96.1.0');
});

test('reports a full range', () => {
  // /29: network .0, broadcast .7, .1 reserved → .2-.6 allocatable.
  const used = new Set(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5']);
  assert.equal(allocateNextIP('10.0.0.0/29', used), '10.0.0.6');
  used.add('10.0.0.6');
  assert.throws(
    () => allocateNextIP('10.0.0.0/29', used),
    (e: unknown) => e instanceof RangeFullError && e.message === 'range is full',
  );
});

test('requested IPs are checked against the range and the used set', () => {
  assert.equal(checkRequestedIP('10.96.0.0/12', '10.96.5.5', new Set()), undefined);
  assert.equal(checkRequestedIP('10.96.0.0/12', '10.96.5.5', new Set(['10.96.5.5'])), 'failed to allocate IP 10.96.5.5: provided IP is already allocated');
  assert.match(checkRequestedIP('10.96.0.0/12', '192.168.0.1', new Set()) ?? '', /not in the valid range. The range of valid IPs is 10.96.0.0\/12/);
  assert.equal(rangeContains('10.96.0.0/12', '10.111.255.254'), true);
  assert.equal(rangeContains('10.96.0.0/12', '10.112.0.1'), false);
  assert.deepEqual(parseCIDR('10.96.3.4/12'), { cidr: '10.96.3.4/12', network: parseCIDR('10.96.0.0/12').network, size: 2 ** 20 });
  assert.throws(() => parseCIDR('10.96.0.0/33'));
});

test('node ports are allocated from 30000-32767', () => {
  assert.equal(allocateNextNodePort(new Set()), 30000);
  assert.equal(allocateNextNodePort(new Set([30000, 30001])), 30002);
  const all = new Set<number>();
  for (let p = 30000; p <= 32767; p++) all.add(p);
  assert.throws(() => allocateNextNodePort(all), RangeFullError);
  all.delete(32767);
  assert.equal(allocateNextNodePort(all), 32767);
  assert.equal(DEFAULT_NODE_PORT_RANGE.base + DEFAULT_NODE_PORT_RANGE.size - 1, 32767);
  assert.equal(checkRequestedNodePort(80, new Set()), 'provided port is not in the valid range. The range of valid ports is 30000-32767');
  assert.equal(checkRequestedNodePort(30080, new Set([30080])), 'provided port is already allocated');
  assert.equal(checkRequestedNodePort(30080, new Set()), undefined);
});
