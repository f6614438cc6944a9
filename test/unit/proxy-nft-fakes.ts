// A model of one nftables table for the nftables proxier's unit tests: it
// applies `nft -f` transactions as the kernel would (all or nothing, refusing to
// flush or delete what is not there, to delete a chain or set something still
// refers to, or to change an existing set), answers the listings the proxier
// asks for, and dumps itself as knftables' fake does ("add ..." lines), so the
// result can be compared with upstream's expected rulesets.
import type { CommandResult, CommandRunner } from '../../pkg/proxy/exec.js';
import { NFTables } from '../../pkg/proxy/nftables/nftables.js';

interface Table {
  comment?: string;
  chains: Map<string, { spec: string; rules: string[] }>;
  /** Sets and maps by name, with their spec ("{ type ... ; }") and elements (key -> full text). */
  sets: Map<string, { kind: 'set' | 'map'; spec: string; elements: Map<string, string> }>;
}

const PREFIX = 'ip kube-proxy';

function clone(t: Table | undefined): Table | undefined {
  if (!t) return undefined;
  return {
    comment: t.comment,
    chains: new Map([...t.chains].map(([k, v]) => [k, { spec: v.spec, rules: [...v.rules] }])),
    sets: new Map([...t.sets].map(([k, v]) => [k, { kind: v.kind, spec: v.spec, elements: new Map(v.elements) }])),
  };
}

/** "1.2.3.4 . tcp . 80 comment \"x\" : goto c" -> its key "1.2.3.4 . tcp . 80". */
function elementKey(text: string): string {
  return text.split(/ comment | : /)[0].trim();
}

/** Chains and sets a rule or element names. */
function references(text: string): { chains: string[]; sets: string[] } {
  return {
    chains: [...text.matchAll(/(?:goto|jump) (\S+)/g)].map((m) => m[1]),
    sets: [...text.matchAll(/@(\S+)/g)].map((m) => m[1]),
  };
}

export class NftModel {
  table?: Table;

  /** Applies a transaction; throws (leaving the model as it was) at the first command the kernel would refuse. */
  apply(tx: string): void {
    let t = clone(this.table);
    const lines = tx.split('\n').filter((l) => l.trim());
    lines.forEach((line, i) => {
      const fail = (why: string) => {
        throw new Error(`line ${i + 1}: ${why}: ${line}`);
      };
      const m = /^(add|flush|delete) (table|chain|rule|set|map|element) ip kube-proxy ?(.*)$/.exec(line);
      if (!m) fail('cannot parse');
      const [, verb, kind, rest] = m as RegExpExecArray;
      if (kind === 'table') {
        if (verb === 'add') {
          t ??= { chains: new Map(), sets: new Map() };
          const c = /comment "([^"]*)"/.exec(rest);
          if (c) t.comment = c[1];
        } else if (verb === 'delete') {
          if (!t) fail('no such table');
          t = undefined;
        } else fail('unsupported');
        return;
      }
      if (!t) return fail('no such table');
      const tbl = t;
      const [name, ...more] = rest.split(' ');
      const tail = more.join(' ');
      const refsTo = (what: 'chains' | 'sets', target: string) => {
        for (const [cn, c] of tbl.chains) for (const r of c.rules) if (references(r)[what].includes(target)) return `rule in ${cn}`;
        for (const [sn, s] of tbl.sets) for (const e of s.elements.values()) if (references(e)[what].includes(target)) return `element of ${sn}`;
        return undefined;
      };
      if (kind === 'chain') {
        const c = tbl.chains.get(name);
        if (verb === 'add') {
          if (!c) tbl.chains.set(name, { spec: tail, rules: [] });
          else if (tail && c.spec !== tail) fail('chain exists with another spec');
        } else if (verb === 'flush') {
          if (!c) fail('no such chain');
          else c.rules = [];
        } else {
          if (!c) fail('no such chain');
          else if (c.rules.length) fail('chain not empty');
          const ref = refsTo('chains', name);
          if (ref) fail(`chain in use (${ref})`);
          tbl.chains.delete(name);
        }
        return;
      }
      if (kind === 'rule') {
        if (verb !== 'add') fail('unsupported');
        const c = tbl.chains.get(name);
        if (!c) return fail('no such chain');
        const refs = references(tail);
        for (const r of refs.chains) if (!tbl.chains.has(r)) fail(`no chain ${r}`);
        for (const s of refs.sets) if (!tbl.sets.has(s)) fail(`no set ${s}`);
        c.rules.push(tail);
        return;
      }
      if (kind === 'set' || kind === 'map') {
        const s = tbl.sets.get(name);
        if (verb === 'add') {
          if (!s) tbl.sets.set(name, { kind, spec: tail, elements: new Map() });
          else if (s.spec !== tail) fail('set exists with another spec');
        } else if (verb === 'flush') {
          if (!s) fail('no such set');
          else s.elements.clear();
        } else {
          if (!s) fail('no such set');
          const ref = refsTo('sets', name);
          if (ref) fail(`set in use (${ref})`);
          tbl.sets.delete(name);
        }
        return;
      }
      // element
      const s = tbl.sets.get(name);
      if (!s) return fail('no such set');
      const body = /^\{ (.*) \}$/.exec(tail)?.[1];
      if (!body) return fail('cannot parse element');
      const key = elementKey(body);
      if (verb === 'add') {
        const have = s.elements.get(key);
        if (have !== undefined && have !== body) fail('element exists with another value');
        for (const r of references(body).chains) if (!tbl.chains.has(r)) fail(`no chain ${r}`);
        s.elements.set(key, body);
      } else if (verb === 'delete') {
        if (!s.elements.has(key)) fail('no such element');
        s.elements.delete(key);
      } else fail('unsupported');
    });
    this.table = t;
  }

  /** The table as knftables' fake dumps it: one "add" line per object, rule and element. */
  dump(): string[] {
    const t = this.table;
    if (!t) return [];
    const out = [`add table ${PREFIX}${t.comment === undefined ? '' : ` { comment "${t.comment}" ; }`}`];
    for (const [name, s] of t.sets) out.push(`add ${s.kind} ${PREFIX} ${name} ${s.spec}`);
    for (const [name, c] of t.chains) out.push(`add chain ${PREFIX} ${name}${c.spec ? ' ' + c.spec : ''}`);
    for (const [name, c] of t.chains) for (const r of c.rules) out.push(`add rule ${PREFIX} ${name} ${r}`);
    for (const [name, s] of t.sets) for (const e of s.elements.values()) out.push(`add element ${PREFIX} ${name} { ${e} }`);
    return out;
  }

  listing(kind: 'chain' | 'set'): string {
    const t = this.table;
    if (!t) return '';
    const names = kind === 'chain' ? [...t.chains.keys()] : [...t.sets].filter(([, s]) => s.kind === 'set').map(([n]) => n);
    return `table ip kube-proxy {\n${names.map((n) => `\t${kind} ${n} {\n\t}\n`).join('')}}\n`;
  }
}

/**
 * A dump compared as upstream's tests compare: objects and elements as sets of
 * lines, each chain's rules in order; blank lines and "#" comments ignored.
 */
export function normalizeDump(lines: string[]): { objects: string[]; rules: Record<string, string[]> } {
  const objects: string[] = [];
  const rules: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^add rule ip kube-proxy (\S+) (.*)$/.exec(line);
    if (m) (rules[m[1]] ??= []).push(m[2]);
    else objects.push(line);
  }
  objects.sort();
  return { objects, rules };
}

export interface FakeNFT {
  nft: NFTables;
  runner: CommandRunner;
  model: NftModel;
  /** Every transaction, in order. */
  transactions: string[];
  commands: string[];
  failNextTransaction(): void;
}

export function newFakeNFT(model = new NftModel()): FakeNFT {
  const transactions: string[] = [];
  const commands: string[] = [];
  let fail = false;
  const ok = (stdout = ''): CommandResult => ({ code: 0, stdout, stderr: '' });
  const runner: CommandRunner = {
    description: 'fake',
    async run(cmd, args, input) {
      commands.push([cmd, ...args].join(' '));
      if (cmd === 'nft' && args[0] === '-f') {
        transactions.push(input ?? '');
        if (fail) {
          fail = false;
          return { code: 1, stdout: '', stderr: '/dev/stdin:3:1-10: Error: Could not process rule: No such file or directory' };
        }
        try {
          model.apply(input ?? '');
          return ok();
        } catch (err) {
          return { code: 1, stdout: '', stderr: (err as Error).message };
        }
      }
      if (cmd === 'nft' && args.join(' ') === '-t list chains ip') return ok(model.listing('chain'));
      if (cmd === 'nft' && args.join(' ') === '-t list sets ip') return ok(model.listing('set'));
      if (cmd === 'conntrack') return { code: 1, stdout: '', stderr: 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.' };
      return ok();
    },
  };
  return {
    nft: new NFTables(runner),
    runner,
    model,
    transactions,
    commands,
    failNextTransaction: () => {
      fail = true;
    },
  };
}
