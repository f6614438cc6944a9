// `proxy --cleanup`: removes every KUBE-* chain from the nat, filter and mangle
// tables, and every rule elsewhere that jumps into one, one iptables-restore per
// table. Nothing else in the tables is touched.
import type { Table } from './chains.js';
import { chainsFromSave, type IPTables } from './iptables.js';

export interface CleanupResult {
  /** "table/chain" of every chain removed. */
  chains: string[];
  /** Jump rules removed from other chains, as iptables-save printed them. */
  jumps: string[];
  errors: string[];
}

const KUBE = /^KUBE-/;

/** The restore input that removes the KUBE-* chains of one table's iptables-save, and the jumps into them. */
export function cleanupRestoreData(table: Table, save: string): { data: string; chains: string[]; jumps: string[] } {
  const chains = chainsFromSave(save).filter((c) => KUBE.test(c));
  if (!chains.length) return { data: '', chains, jumps: [] };
  const jumps: string[] = [];
  for (const line of save.split('\n')) {
    const m = /^-A (\S+) (.*)$/.exec(line);
    if (!m || KUBE.test(m[1])) continue;
    // Jumps (-j) and gotos (-g) into our chains from chains that are not ours.
    if (/(?:^| )-[jg] KUBE-\S+/.test(m[2])) jumps.push(line);
  }
  const lines = [`*${table}`, ...chains.map((c) => `:${c} - [0:0]`), ...jumps.map((l) => '-D' + l.slice(2)), ...chains.map((c) => `-X ${c}`), 'COMMIT'];
  return { data: lines.join('\n') + '\n', chains, jumps };
}

export async function cleanupLeftovers(ipt: IPTables): Promise<CleanupResult> {
  const result: CleanupResult = { chains: [], jumps: [], errors: [] };
  for (const table of ['nat', 'filter', 'mangle'] as const) {
    try {
      const { data, chains, jumps } = cleanupRestoreData(table, await ipt.save(table));
      if (!data) continue;
      await ipt.restoreAll(data);
      result.chains.push(...chains.map((c) => `${table}/${c}`));
      result.jumps.push(...jumps);
    } catch (err) {
      result.errors.push(`${table}: ${(err as Error).message}`);
    }
  }
  return result;
}
