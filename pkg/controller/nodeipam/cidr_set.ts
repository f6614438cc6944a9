// upstream's cidrset.CidrSet: the cluster CIDR cut into blocks of the node mask
// size, a bit per block. AllocateNext goes round from the block after the last
// one handed out, so a block just released is not given again at once.
import { formatCIDR, overlaps, parseCIDR, familyBits, type IPNet } from '../../util/ipnet.js';

/** Upstream's limit for IPv6 (the bitmap would be too large beyond it). */
const CLUSTER_SUBNET_MAX_DIFF = 16;

export const ErrCIDRRangeNoCIDRsRemaining = 'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range';
export const ErrCIDRSetSubNetTooBig = 'New CIDR set failed; the node CIDR size is too big';

export class CidrSet {
  readonly clusterCIDR: IPNet;
  readonly nodeMaskSize: number;
  readonly maxCIDRs: number;
  private readonly used: Uint8Array;
  private allocated = 0;
  private nextCandidate = 0;

  constructor(clusterCIDR: IPNet | string, nodeMaskSize: number) {
    this.clusterCIDR = typeof clusterCIDR === 'string' ? parseCIDR(clusterCIDR) : clusterCIDR;
    const diff = nodeMaskSize - this.clusterCIDR.prefix;
    if (diff < 0 || nodeMaskSize > familyBits(this.clusterCIDR.family)) throw new Error(ErrCIDRSetSubNetTooBig);
    // Upstream bounds IPv6 by 16 bits; IPv4 is bounded here too (by 24), so the bitmap stays small.
    if (diff > CLUSTER_SUBNET_MAX_DIFF && (this.clusterCIDR.family === 6 || diff > 24)) throw new Error(ErrCIDRSetSubNetTooBig);
    this.nodeMaskSize = nodeMaskSize;
    this.maxCIDRs = 2 ** diff;
    this.used = new Uint8Array(Math.ceil(this.maxCIDRs / 8));
  }

  /** How many blocks are in use. */
  get allocatedCount(): number {
    return this.allocated;
  }

  /** The next free block, marked used; throws ErrCIDRRangeNoCIDRsRemaining when none is left. */
  allocateNext(): IPNet {
    if (this.allocated === this.maxCIDRs) throw new Error(ErrCIDRRangeNoCIDRsRemaining);
    let candidate = this.nextCandidate;
    while (this.bit(candidate)) candidate = (candidate + 1) % this.maxCIDRs;
    this.nextCandidate = (candidate + 1) % this.maxCIDRs;
    this.setBit(candidate, true);
    return this.block(candidate);
  }

  /** Marks every block the CIDR covers as used (it may be larger or smaller than a block). */
  occupy(cidr: IPNet | string): void {
    const [begin, end] = this.indices(cidr);
    for (let i = begin; i <= end; i++) this.setBit(i, true);
  }

  /** Marks every block the CIDR covers as free. */
  release(cidr: IPNet | string): void {
    const [begin, end] = this.indices(cidr);
    for (let i = begin; i <= end; i++) this.setBit(i, false);
  }

  private block(index: number): IPNet {
    const shift = BigInt(familyBits(this.clusterCIDR.family) - this.nodeMaskSize);
    return { family: this.clusterCIDR.family, prefix: this.nodeMaskSize, base: this.clusterCIDR.base | (BigInt(index) << shift) };
  }

  /** getBeginningAndEndIndices: the first and last block the CIDR touches. */
  private indices(cidr: IPNet | string): [number, number] {
    const c = typeof cidr === 'string' ? parseCIDR(cidr) : cidr;
    if (!overlaps(c, this.clusterCIDR)) throw new Error(`cidr ${formatCIDR(c)} is out the range of cluster cidr ${formatCIDR(this.clusterCIDR)}`);
    if (c.prefix <= this.clusterCIDR.prefix) return [0, this.maxCIDRs - 1];
    const bits = familyBits(c.family);
    const index = (addr: bigint) => Number((addr ^ this.clusterCIDR.base) >> BigInt(bits - this.nodeMaskSize));
    const last = c.base | ((1n << BigInt(bits - c.prefix)) - 1n);
    return [index(c.base), index(last)];
  }

  private bit(i: number): boolean {
    return (this.used[i >> 3] & (1 << (i & 7))) !== 0;
  }

  private setBit(i: number, on: boolean): void {
    if (this.bit(i) === on) return;
    this.used[i >> 3] ^= 1 << (i & 7);
    this.allocated += on ? 1 : -1;
  }
}
