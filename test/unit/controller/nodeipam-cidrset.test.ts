// The node IPAM pieces without a cluster: IP networks of both families, the CIDR
// set's round-robin allocation, occupy/release of larger and smaller ranges, and
// the flag checks kube-controller-manager makes.
import { describe, expect, test } from '@jest/globals';
import { CidrSet, ErrCIDRRangeNoCIDRsRemaining, ErrCIDRSetSubNetTooBig } from '../../../pkg/controller/nodeipam/cidr_set.js';
import { clusterCIDRsAndMasks } from '../../../pkg/controller/nodeipam/node_ipam_controller.js';
import { formatCIDR, formatIP, parseCIDR, parseIP } from '../../../pkg/util/ipnet.js';

describe('ipnet', () => {
  test.each([
    ['10.244.3.7', '10.244.3.7'],
    ['fd00::1', 'fd00::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::', '::'],
    ['::ffff:1.2.3.4', '::ffff:102:304'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ])('%s round-trips as %s', (text, want) => {
    const ip = parseIP(text)!;
    expect(formatIP(ip.family, ip.value)).toBe(want);
  });

  test('a CIDR is its network; garbage is refused', () => {
    expect(formatCIDR(parseCIDR('10.244.1.9/16'))).toBe('10.244.0.0/16');
    expect(formatCIDR(parseCIDR('fd00:1:2:3::5/48'))).toBe('fd00:1:2::/48');
    for (const bad of ['10.244.0.0', '10.244.0.0/33', '10.244.0.0/x', 'nope/8', '::/129']) expect(() => parseCIDR(bad)).toThrow(`invalid CIDR address: ${bad}`);
  });
});

describe('CidrSet', () => {
  test('hands out blocks in order, goes round after the last, and reports a full range', () => {
    const s = new CidrSet('10.244.0.0/22', 24);
    const got = [0, 1, 2, 3].map(() => formatCIDR(s.allocateNext()));
    expect(got).toEqual(['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24']);
    expect(() => s.allocateNext()).toThrow(ErrCIDRRangeNoCIDRsRemaining);
    s.release('10.244.1.0/24');
    expect(formatCIDR(s.allocateNext())).toBe('10.244.1.0/24');
    expect(s.allocatedCount).toBe(4);
  });

  test('a released block is not given again before the others', () => {
    const s = new CidrSet('10.244.0.0/16', 24);
    s.allocateNext();
    s.allocateNext();
    s.release('10.244.0.0/24');
    expect(formatCIDR(s.allocateNext())).toBe('10.244.2.0/24');
  });

  test('occupy marks every block a range covers, and skips them after', () => {
    const s = new CidrSet('10.96.0.0/12', 24);
    s.occupy('10.96.0.0/22');
    expect(s.allocatedCount).toBe(4);
    expect(formatCIDR(s.allocateNext())).toBe('10.96.4.0/24');
    s.occupy('10.96.4.0/24'); // already used: counted once
    expect(s.allocatedCount).toBe(5);
    s.occupy('10.96.5.128/25'); // smaller than a block: the whole block
    expect(formatCIDR(s.allocateNext())).toBe('10.96.6.0/24');
    expect(() => s.occupy('10.0.0.0/24')).toThrow('cidr 10.0.0.0/24 is out the range of cluster cidr 10.96.0.0/12');
    s.occupy('10.0.0.0/8'); // contains the cluster CIDR: all of it
    expect(s.allocatedCount).toBe(s.maxCIDRs);
  });

  test('IPv6 blocks', () => {
    const s = new CidrSet('fd00:10:244::/56', 64);
    expect(formatCIDR(s.allocateNext())).toBe('fd00:10:244::/64');
    expect(formatCIDR(s.allocateNext())).toBe('fd00:10:244:1::/64');
    expect(() => new CidrSet('fd00::/32', 64)).toThrow(ErrCIDRSetSubNetTooBig);
  });
});

describe('nodeipam flags', () => {
  test('defaults: /24 for IPv4, /64 for IPv6; dual-stack takes one of each', () => {
    expect(clusterCIDRsAndMasks({ clusterCIDR: '10.244.0.0/16' }).masks).toEqual([24]);
    expect(clusterCIDRsAndMasks({ clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 26 }).masks).toEqual([26]);
    expect(clusterCIDRsAndMasks({ clusterCIDR: '10.244.0.0/16,fd00::/48' }).masks).toEqual([24, 64]);
  });

  test('the errors kube-controller-manager gives', () => {
    expect(() => clusterCIDRsAndMasks({})).toThrow('Controller: Must specify --cluster-cidr if --allocate-node-cidrs is set');
    expect(() => clusterCIDRsAndMasks({ clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 8 })).toThrow(
      'Controller: Invalid --cluster-cidr, mask size of cluster CIDR must be less than or equal to --node-cidr-mask-size configured for CIDR family',
    );
    expect(() => clusterCIDRsAndMasks({ clusterCIDR: '10.0.0.0/16,10.1.0.0/16' })).toThrow('one of each IP family');
    expect(() => clusterCIDRsAndMasks({ clusterCIDR: '10.0.0.0/16,fd00::/48', nodeCIDRMaskSize: 24 })).toThrow(
      'usage of --node-cidr-mask-size is not allowed with dual-stack clusters',
    );
    expect(() => clusterCIDRsAndMasks({ clusterCIDR: 'banana' })).toThrow('Invalid --cluster-cidr');
  });
});
