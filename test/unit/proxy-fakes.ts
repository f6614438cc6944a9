// Test helpers for the proxy: Service/EndpointSlice builders, a fake command
// runner standing in for iptables/conntrack/sysctl, and a parser for
// iptables-restore input.
import type { CommandResult, CommandRunner } from '../../pkg/proxy/exec.js';
import { IPTables } from '../../pkg/proxy/iptables/iptables.js';
import type { Service, ServiceSpec } from '../../api/core/v1/types.js';
import type { Endpoint, EndpointPort, EndpointSlice } from '../../api/discovery/v1/types.js';

let rv = 1;

export function svc(namespace: string, name: string, spec: ServiceSpec): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name, resourceVersion: String(rv++) }, spec };
}

export function slice(namespace: string, service: string, endpoints: Endpoint[], ports: EndpointPort[], name = `${service}-abcde`): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name, resourceVersion: String(rv++), labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints,
    ports,
  };
}

export interface FakeIPTables {
  ipt: IPTables;
  runner: CommandRunner;
  /** Every iptables-restore input, in order. */
  restores: string[];
  /** Every command as "cmd arg arg ...". */
  commands: string[];
  /** Makes the next iptables-restore fail. */
  failNextRestore(): void;
}

export function newFakeIPTables(opts: { jumpsPresent?: boolean; save?: string } = {}): FakeIPTables {
  const restores: string[] = [];
  const commands: string[] = [];
  let fail = false;
  const ok = (stdout = ''): CommandResult => ({ code: 0, stdout, stderr: '' });
  const runner: CommandRunner = {
    description: 'fake',
    async run(cmd, args, input) {
      commands.push([cmd, ...args].join(' '));
      if (cmd === 'iptables-restore') {
        restores.push(input ?? '');
        if (fail) {
          fail = false;
          return { code: 1, stdout: '', stderr: 'iptables-restore: line 3 failed' };
        }
        return ok();
      }
      if (cmd === 'iptables-save') return ok(opts.save ?? '');
      if (cmd === 'iptables' && args.includes('-C')) return opts.jumpsPresent === false ? { code: 1, stdout: '', stderr: 'Bad rule' } : ok();
      if (cmd === 'conntrack') return { code: 1, stdout: '', stderr: 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.' };
      return ok();
    },
  };
  return {
    ipt: new IPTables(runner),
    runner,
    restores,
    commands,
    failNextRestore: () => {
      fail = true;
    },
  };
}

export interface ParsedRestore {
  /** table -> chain -> rule specs (after "-A CHAIN ") in order. */
  rules: Map<string, Map<string, string[]>>;
  /** table -> chains declared with ":CHAIN". */
  declared: Map<string, Set<string>>;
  /** table -> every other line (-I, -D, -X), verbatim. */
  other: Map<string, string[]>;
}

export function parseRestore(data: string): ParsedRestore {
  const out: ParsedRestore = { rules: new Map(), declared: new Map(), other: new Map() };
  let table = '';
  for (const line of data.split('\n')) {
    if (!line || line === 'COMMIT') continue;
    if (line.startsWith('*')) {
      table = line.slice(1);
      if (!out.rules.has(table)) out.rules.set(table, new Map());
      if (!out.declared.has(table)) out.declared.set(table, new Set());
      if (!out.other.has(table)) out.other.set(table, []);
      continue;
    }
    if (line.startsWith(':')) {
      const chain = line.slice(1).split(' ')[0];
      out.declared.get(table)?.add(chain);
      const chains = out.rules.get(table) as Map<string, string[]>;
      if (!chains.has(chain)) chains.set(chain, []);
      continue;
    }
    const m = /^-A (\S+) ?(.*)$/.exec(line);
    if (m) {
      const chains = out.rules.get(table) as Map<string, string[]>;
      const list = chains.get(m[1]) ?? [];
      list.push(m[2]);
      chains.set(m[1], list);
      continue;
    }
    out.other.get(table)?.push(line);
  }
  return out;
}

/**
 * A model of the kernel's tables under `iptables-restore --noflush`: ":C" creates
 * or flushes C, -A/-I/-D/-X as iptables does (a -D with no matching rule, or an
 * -X of a chain still jumped to, fails the whole input, leaving the tables as
 * they were).
 */
export class RulesetModel {
  readonly tables = new Map<string, Map<string, string[]>>();

  apply(data: string): void {
    const next = new Map([...this.tables].map(([t, chains]) => [t, new Map([...chains].map(([c, r]) => [c, [...r]]))]));
    let table = '';
    const lines = data.split('\n');
    lines.forEach((line, i) => {
      const fail = (why: string) => {
        throw new Error(`line ${i + 1} (${line}): ${why}`);
      };
      if (!line || line === 'COMMIT') return;
      if (line.startsWith('*')) {
        table = line.slice(1);
        if (!next.has(table)) next.set(table, new Map());
        return;
      }
      const chains = next.get(table) as Map<string, string[]>;
      if (line.startsWith(':')) {
        chains.set(line.slice(1).split(' ')[0], []);
        return;
      }
      let m = /^-A (\S+) ?(.*)$/.exec(line);
      if (m) {
        if (!chains.has(m[1])) chains.set(m[1], []);
        (chains.get(m[1]) as string[]).push(m[2]);
        return;
      }
      m = /^-I (\S+) (\d+) (.*)$/.exec(line);
      if (m) {
        if (!chains.has(m[1])) chains.set(m[1], []);
        (chains.get(m[1]) as string[]).splice(Number(m[2]) - 1, 0, m[3]);
        return;
      }
      m = /^-D (\S+) (.*)$/.exec(line);
      if (m) {
        const rules = chains.get(m[1]);
        const at = rules ? rules.indexOf(m[2]) : -1;
        if (!rules || at < 0) fail('no such rule');
        (rules as string[]).splice(at, 1);
        return;
      }
      m = /^-X (\S+)$/.exec(line);
      if (m) {
        if (!chains.has(m[1])) fail('no such chain');
        for (const [c, rules] of chains) if (c !== m[1] && rules.some((r) => r.split(' ').includes(m![1]))) fail(`chain still referenced from ${c}`);
        chains.delete(m[1]);
        return;
      }
      fail('unknown line');
    });
    this.tables.clear();
    for (const [t, c] of next) this.tables.set(t, c);
  }

  /** iptables-save of one table (chains and -A lines). */
  save(table: string): string {
    const chains = this.tables.get(table) ?? new Map<string, string[]>();
    return [
      `*${table}`,
      ...[...chains.keys()].map((c) => `:${c} - [0:0]`),
      ...[...chains].flatMap(([c, rules]) => rules.map((r) => `-A ${c} ${r}`)),
      'COMMIT',
      '',
    ].join('\n');
  }

  /** The KUBE-* chains, with each chain's rules sorted where order carries no meaning (entries of the top-level dispatch chains). */
  normalized(): Record<string, Record<string, string[]>> {
    const out: Record<string, Record<string, string[]>> = {};
    for (const [t, chains] of this.tables) {
      out[t] = {};
      for (const [c, rules] of [...chains].sort(([a], [b]) => a.localeCompare(b))) {
        if (!c.startsWith('KUBE-')) continue;
        const unordered = c === 'KUBE-SERVICES' || c === 'KUBE-NODEPORTS' || c === 'KUBE-EXTERNAL-SERVICES' || c === 'KUBE-PROXY-FIREWALL';
        out[t][c] = unordered ? [...rules].sort() : rules;
      }
    }
    return out;
  }
}

/** A fake runner whose iptables-restore/-save work on a RulesetModel. */
export function newModelIPTables(model = new RulesetModel()): FakeIPTables & { model: RulesetModel } {
  const fake = newFakeIPTables();
  const restores: string[] = [];
  let fail = false;
  const runner: CommandRunner = {
    description: 'model',
    async run(cmd, args, input) {
      if (cmd === 'iptables-restore') {
        fake.commands.push([cmd, ...args].join(' '));
        restores.push(input ?? '');
        if (fail) {
          fail = false;
          return { code: 1, stdout: '', stderr: 'iptables-restore: line 1 failed' };
        }
        try {
          model.apply(input ?? '');
          return { code: 0, stdout: '', stderr: '' };
        } catch (err) {
          return { code: 1, stdout: '', stderr: (err as Error).message };
        }
      }
      if (cmd === 'iptables-save') return { code: 0, stdout: model.save(args[args.indexOf('-t') + 1] ?? 'filter'), stderr: '' };
      return fake.runner.run(cmd, args, input);
    },
  };
  return {
    ...fake,
    ipt: new IPTables(runner),
    runner,
    restores,
    model,
    failNextRestore: () => {
      fail = true;
    },
  };
}

/** The Services and EndpointSlices of upstream's TestOverallIPTablesRules / TestOverallNFTablesRules (node is the proxy's hostname). */
export function upstreamOverallObjects(node: string): { services: Service[]; slices: EndpointSlice[] } {
  const port80 = (extra: Record<string, unknown> = {}) => [{ name: 'p80', port: 80, protocol: 'TCP' as const, ...extra }];
  const services: Service[] = [
    svc('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: port80() }),
    {
      ...svc('ns2', 'svc2', {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
        clusterIP: '172.30.0.42',
        ports: port80({ nodePort: 3001 }),
        externalIPs: ['192.168.99.22'],
        healthCheckNodePort: 30000,
      }),
      status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    },
    svc('ns3', 'svc3', { type: 'NodePort', clusterIP: '172.30.0.43', ports: port80({ nodePort: 3003 }) }),
    svc('ns4', 'svc4', { type: 'NodePort', clusterIP: '172.30.0.44', externalIPs: ['192.168.99.33'], ports: port80({ targetPort: 80 }) }),
    {
      ...svc('ns5', 'svc5', {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Cluster',
        clusterIP: '172.30.0.45',
        ports: port80({ nodePort: 3002 }),
        healthCheckNodePort: 30000,
        loadBalancerSourceRanges: [' 203.0.113.0/25'],
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
      }),
      status: { loadBalancer: { ingress: [{ ip: '5.6.7.8' }] } },
    },
    svc('ns6', 'svc6', { type: 'ClusterIP', clusterIP: '172.30.0.46', ports: port80({ targetPort: 80 }) }),
  ];
  const p80 = [{ name: 'p80', port: 80, protocol: 'TCP' as const }];
  const slices: EndpointSlice[] = [
    slice('ns1', 'svc1', [{ addresses: ['10.180.0.1'] }], p80),
    slice('ns2', 'svc2', [{ addresses: ['10.180.0.2'] }], p80),
    slice('ns3', 'svc3', [{ addresses: ['10.180.0.3'] }], p80),
    slice('ns4', 'svc4', [{ addresses: ['10.180.0.4'] }, { addresses: ['10.180.0.5'], nodeName: node }], p80),
    slice('ns5', 'svc5', [{ addresses: ['10.180.0.3'] }], p80),
  ];
  return { services, slices };
}
