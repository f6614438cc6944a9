// The few nft operations the proxier needs (upstream uses knftables): one
// transaction through `nft -f -`, and the names of the table's chains and sets.
// Through a CommandRunner, so tests and benchmarks can target a network namespace.
import type { CommandRunner } from '../exec.js';
import { KUBE_PROXY_TABLE } from './names.js';

export class NFTables {
  constructor(
    readonly runner: CommandRunner,
    readonly table = KUBE_PROXY_TABLE,
  ) {}

  /** Runs one transaction: everything in it is applied, or nothing. */
  async run(tx: string): Promise<void> {
    const res = await this.runner.run('nft', ['-f', '-'], tx);
    if (res.code === 0) return;
    // nft names the failing command as "/dev/stdin:LINE:COLS: Error: ...".
    const m = /:(\d+):\d+(?:-\d+)?: Error/.exec(res.stderr);
    let context = '';
    if (m) {
      const line = Number(m[1]);
      context = '\n' + (tx.split('\n')[line - 1] ?? '');
    }
    throw new Error(`nft -f failed (exit ${res.code}): ${res.stderr.trim().split('\n').slice(0, 6).join('\n')}${context}`);
  }

  private async list(what: 'chains' | 'sets'): Promise<string[]> {
    const res = await this.runner.run('nft', ['-t', 'list', what, 'ip']);
    if (res.code !== 0) throw new Error(`nft list ${what} ip failed (exit ${res.code}): ${res.stderr.trim()}`);
    return namesInTable(res.stdout, this.table, what === 'chains' ? 'chain' : 'set');
  }

  /** The table's chain names ([] without the table). */
  listChains(): Promise<string[]> {
    return this.list('chains');
  }

  /** The table's set names (not maps). */
  listSets(): Promise<string[]> {
    return this.list('sets');
  }

  /** From the chain listing: `nft list tables` reads every set of every table (1.5 s with 6,000 services here). */
  async tableExists(): Promise<boolean> {
    const res = await this.runner.run('nft', ['-t', 'list', 'chains', 'ip']);
    if (res.code !== 0) throw new Error(`nft list chains ip failed (exit ${res.code}): ${res.stderr.trim()}`);
    return res.stdout.split('\n').some((l) => l === `table ip ${this.table} {`);
  }

  /** Deletes the table and everything in it; false if there was none. */
  async deleteTable(): Promise<boolean> {
    if (!(await this.tableExists())) return false;
    await this.run(`delete table ip ${this.table}\n`);
    return true;
  }
}

/** The names of one kind of object ("chain", "set") declared in one ip table of `nft list` output. */
export function namesInTable(text: string, table: string, kind: 'chain' | 'set' | 'map'): string[] {
  const out: string[] = [];
  let current = '';
  const decl = new RegExp(`^\\s+${kind} (\\S+) \\{`);
  for (const line of text.split('\n')) {
    const t = /^table ip (\S+) \{/.exec(line);
    if (t) {
      current = t[1];
      continue;
    }
    const c = decl.exec(line);
    if (c && current === table) out.push(c[1]);
  }
  return out;
}
