// Removing what a proxy mode left behind: `proxy --cleanup` removes both modes'
// rules, and a proxy starting in one mode removes the other mode's (upstream's
// platformCleanup), so a node switched between modes never runs both.
import type { CommandRunner } from './exec.js';
import { cleanupLeftovers as cleanupIPTables } from './iptables/cleanup.js';
import { IPTables } from './iptables/iptables.js';
import { NFTables } from './nftables/nftables.js';
import type { ProxyMode } from './provider.js';

export interface ModeCleanupResult {
  /** What was removed: "iptables nat/KUBE-SERVICES", "nftables table ip kube-proxy". */
  removed: string[];
  errors: string[];
}

/** Removes the rules of the given modes. */
export async function cleanupModes(runner: CommandRunner, modes: readonly ProxyMode[]): Promise<ModeCleanupResult> {
  const out: ModeCleanupResult = { removed: [], errors: [] };
  if (modes.includes('iptables')) {
    const res = await cleanupIPTables(new IPTables(runner));
    out.removed.push(...res.chains.map((c) => `iptables ${c}`));
    out.errors.push(...res.errors.map((e) => `iptables ${e}`));
  }
  if (modes.includes('nftables')) {
    const nft = new NFTables(runner);
    try {
      if (await nft.deleteTable()) out.removed.push(`nftables table ip ${nft.table}`);
    } catch (err) {
      out.errors.push(`nftables: ${(err as Error).message}`);
    }
  }
  return out;
}
