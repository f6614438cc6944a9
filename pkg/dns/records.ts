// The records of Kubernetes' DNS-based service discovery specification
// (kubernetes/dns docs/specification.md, schema 1.1.0), kept from Services and
// EndpointSlices as they change, and looked up per question:
//   <svc>.<ns>.svc.<zone>            A/AAAA: cluster IP(s); headless: ready endpoint IPs; ExternalName: CNAME
//   <host>.<svc>.<ns>.svc.<zone>     A/AAAA: a headless service's endpoint (its hostname, else its dashed IP)
//   _<port>._<proto>.<svc>.<ns>.svc.<zone>  SRV for named ports
//   <a-b-c-d>.<ns>.pod.<zone>        A (as CoreDNS's "pods insecure")
//   reverse names                     PTR for cluster IPs and endpoint IPs
//   dns-version.<zone>               TXT "1.1.0"
import { isIPv4, isIPv6 } from 'node:net';
import type { Service } from '../../api/core/v1/types.js';
import type { EndpointSlice } from '../../api/discovery/v1/types.js';
import { SERVICE_NAME_LABEL } from '../../api/discovery/v1/wellknownlabels.js';

export type RRType = 'A' | 'AAAA' | 'CNAME' | 'SRV' | 'PTR' | 'TXT' | 'SOA' | 'NS';

export interface RR {
  name: string;
  type: RRType;
  ttl: number;
  /** A/AAAA/CNAME/PTR/NS: a string; SRV/SOA: fields; TXT: the text. */
  data:
    | string
    | { priority: number; weight: number; port: number; target: string }
    | { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };
}

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'REFUSED';

export interface LookupResult {
  rcode: Rcode;
  /** The server speaks for the name (cluster or reverse zone): authoritative answer. */
  authoritative: boolean;
  answers: RR[];
  authorities: RR[];
  additionals: RR[];
}

interface EndpointRecord {
  ip: string;
  /** The endpoint's hostname, or its address with dashes (10-244-1-5). */
  host: string;
  ports: Array<{ name: string; protocol: string; port: number }>;
}

interface ServiceEntry {
  namespace: string;
  name: string;
  kind: 'ClusterIP' | 'Headless' | 'ExternalName';
  clusterIPs: string[];
  externalName: string;
  ports: Array<{ name: string; protocol: string; port: number }>;
  /** Ready endpoints (headless services only use them for A/SRV; PTR uses all services'). */
  endpoints: EndpointRecord[];
}

export interface RecordsOptions {
  clusterDomain?: string;
  /** TTL of every answer (CoreDNS's kubernetes plugin default: 5). */
  ttl?: number;
}

export const SCHEMA_VERSION = '1.1.0';

/** 10.244.1.5 -> 10-244-1-5; IPv6 colons become dashes too. */
export function dashed(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

/** The reverse-lookup name of an address, lower case, without the trailing dot. */
export function reverseName(ip: string): string | undefined {
  if (isIPv4(ip)) return ip.split('.').reverse().join('.') + '.in-addr.arpa';
  if (!isIPv6(ip)) return undefined;
  return expandIPv6(ip).replace(/:/g, '').split('').reverse().join('.') + '.ip6.arpa';
}

function expandIPv6(ip: string): string {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups
    .map((g) => g.padStart(4, '0'))
    .join(':')
    .toLowerCase();
}

/** The address a reverse name stands for, or undefined if it is not a whole address. */
export function addressFromReverse(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
    return parts.reverse().map(Number).join('.');
  }
  if (name.endsWith('.ip6.arpa')) {
    const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
    const hex = nibbles.reverse().join('');
    return expandIPv6(hex.match(/.{4}/g)!.join(':'));
  }
  return undefined;
}

export class ClusterDNSRecords {
  readonly zone: string;
  readonly ttl: number;
  private readonly services = new Map<string, Service>();
  private readonly slicesByService = new Map<string, Map<string, EndpointSlice>>();
  private readonly sliceService = new Map<string, string>();
  private readonly entries = new Map<string, ServiceEntry>();
  /** Per namespace, how many services it has: "<ns>.svc.<zone>" exists (NODATA, not NXDOMAIN) while it has any. */
  private readonly namespaces = new Map<string, number>();
  /** address -> the names (service, or endpoint of a service) it is known by. */
  private readonly reverse = new Map<string, Map<string, number>>();
  private serial = Math.floor(Date.now() / 1000);

  constructor(opts: RecordsOptions = {}) {
    this.zone = (opts.clusterDomain ?? 'cluster.local').toLowerCase().replace(/^\.+|\.+$/g, '');
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(this.zone))
      throw new Error(`bad cluster domain ${JSON.stringify(opts.clusterDomain)}`);
    this.ttl = opts.ttl ?? 5;
  }

  // --- informer events ---

  setService(svc: Service): void {
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    if (!this.services.has(key)) this.namespaces.set(svc.metadata.namespace ?? '', (this.namespaces.get(svc.metadata.namespace ?? '') ?? 0) + 1);
    this.services.set(key, svc);
    this.rebuild(key);
  }

  deleteService(svc: Service): void {
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    if (this.services.delete(key)) {
      const ns = svc.metadata.namespace ?? '';
      const n = (this.namespaces.get(ns) ?? 1) - 1;
      if (n > 0) this.namespaces.set(ns, n);
      else this.namespaces.delete(ns);
    }
    this.rebuild(key);
  }

  setEndpointSlice(slice: EndpointSlice): void {
    const sliceKey = `${slice.metadata.namespace}/${slice.metadata.name}`;
    const svcName = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    const key = svcName ? `${slice.metadata.namespace}/${svcName}` : undefined;
    const prev = this.sliceService.get(sliceKey);
    if (prev && prev !== key) {
      this.slicesByService.get(prev)?.delete(sliceKey);
      this.rebuild(prev);
    }
    if (!key) {
      this.sliceService.delete(sliceKey);
      return;
    }
    this.sliceService.set(sliceKey, key);
    let m = this.slicesByService.get(key);
    if (!m) this.slicesByService.set(key, (m = new Map()));
    m.set(sliceKey, slice);
    this.rebuild(key);
  }

  deleteEndpointSlice(slice: EndpointSlice): void {
    const sliceKey = `${slice.metadata.namespace}/${slice.metadata.name}`;
    const key = this.sliceService.get(sliceKey);
    this.sliceService.delete(sliceKey);
    if (!key) return;
    const m = this.slicesByService.get(key);
    m?.delete(sliceKey);
    if (m && m.size === 0) this.slicesByService.delete(key);
    this.rebuild(key);
  }

  private rebuild(key: string): void {
    this.serial = Math.max(this.serial + 1, Math.floor(Date.now() / 1000));
    const old = this.entries.get(key);
    if (old) this.indexReverse(old, -1);
    const svc = this.services.get(key);
    if (!svc) {
      this.entries.delete(key);
      return;
    }
    const entry = buildEntry(svc, [...(this.slicesByService.get(key)?.values() ?? [])]);
    this.entries.set(key, entry);
    this.indexReverse(entry, 1);
  }

  private indexReverse(e: ServiceEntry, delta: 1 | -1): void {
    const base = `${e.name}.${e.namespace}.svc.${this.zone}`;
    const add = (ip: string, name: string) => {
      let m = this.reverse.get(ip);
      if (!m) this.reverse.set(ip, (m = new Map()));
      const n = (m.get(name) ?? 0) + delta;
      if (n > 0) m.set(name, n);
      else m.delete(name);
      if (m.size === 0) this.reverse.delete(ip);
    };
    for (const ip of e.clusterIPs) add(normalizeIP(ip), base);
    // Endpoint names exist only under headless services, so only their endpoints have PTRs.
    if (e.kind === 'Headless') for (const ep of e.endpoints) add(normalizeIP(ep.ip), `${ep.host}.${base}`);
  }

  // --- lookups ---

  /** Whether name (lower case, no trailing dot) is one this server answers for. */
  inZone(name: string): 'cluster' | 'reverse' | undefined {
    if (name === this.zone || name.endsWith('.' + this.zone)) return 'cluster';
    if (name === 'in-addr.arpa' || name.endsWith('.in-addr.arpa') || name === 'ip6.arpa' || name.endsWith('.ip6.arpa')) return 'reverse';
    return undefined;
  }

  soa(zoneName: string): RR {
    return {
      name: zoneName,
      type: 'SOA',
      ttl: this.ttl,
      data: {
        mname: `ns.dns.${this.zone}`,
        rname: `hostmaster.${this.zone}`,
        serial: this.serial,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: this.ttl,
      },
    };
  }

  /** Answers one question; qname in any case, with or without the trailing dot. */
  lookup(qname: string, qtype: string): LookupResult {
    const name = qname.toLowerCase().replace(/\.$/, '');
    const where = this.inZone(name);
    if (!where) return { rcode: 'REFUSED', authoritative: false, answers: [], authorities: [], additionals: [] };
    if (where === 'reverse') return this.lookupReverse(name, qtype);
    const rel = name === this.zone ? [] : name.slice(0, -(this.zone.length + 1)).split('.');
    const found = this.resolve(rel, qtype);
    const soaZone = this.zone;
    if (found === 'nxdomain') return { rcode: 'NXDOMAIN', authoritative: true, answers: [], authorities: [this.soa(soaZone)], additionals: [] };
    const answers = found.answers.map((a) => ({ ...a, name: a.name === '' ? name : a.name }));
    return { rcode: 'NOERROR', authoritative: true, answers, authorities: answers.length ? [] : [this.soa(soaZone)], additionals: found.additionals };
  }

  private rr(name: string, type: RRType, data: RR['data']): RR {
    return { name, type, ttl: this.ttl, data };
  }

  /** The labels of a name under the zone, right to left handled here; answers for "" mean the asked name. */
  private resolve(rel: string[], qtype: string): { answers: RR[]; additionals: RR[] } | 'nxdomain' {
    const none = { answers: [], additionals: [] };
    const n = rel.length;
    // The zone apex.
    if (n === 0) {
      if (qtype === 'SOA') return { answers: [this.soa(this.zone)], additionals: [] };
      if (qtype === 'NS') return { answers: [this.rr('', 'NS', `ns.dns.${this.zone}`)], additionals: [] };
      return none;
    }
    if (n === 1 && rel[0] === 'dns-version') return qtype === 'TXT' ? { answers: [this.rr('', 'TXT', SCHEMA_VERSION)], additionals: [] } : none;
    const top = rel[n - 1];
    if (top === 'svc') return this.resolveService(rel.slice(0, -1), qtype);
    if (top === 'pod') {
      if (n === 1) return none;
      if (n !== 3) return 'nxdomain';
      const ip = podIP(rel[0]);
      if (!ip) return 'nxdomain';
      const family = isIPv4(ip) ? 'A' : 'AAAA';
      return qtype === family || qtype === 'ANY' ? { answers: [this.rr('', family, ip)], additionals: [] } : none;
    }
    return 'nxdomain';
  }

  /** rel: the labels before "svc". */
  private resolveService(rel: string[], qtype: string): { answers: RR[]; additionals: RR[] } | 'nxdomain' {
    const none = { answers: [], additionals: [] };
    const n = rel.length;
    if (n === 0) return none;
    const ns = rel[n - 1];
    if (n === 1) return this.namespaces.has(ns) ? none : 'nxdomain';
    const e = this.entries.get(`${ns}/${rel[n - 2]}`);
    if (!e) return 'nxdomain';
    const base = `${e.name}.${e.namespace}.svc.${this.zone}`;
    if (n === 2) return this.serviceRecords(e, base, qtype);
    if (n === 3) {
      // <host>.<svc>.<ns>.svc: one endpoint of a headless service.
      if (e.kind !== 'Headless') return 'nxdomain';
      const eps = e.endpoints.filter((ep) => ep.host === rel[0]);
      if (!eps.length) return 'nxdomain';
      return { answers: eps.filter((ep) => matchesFamily(ep.ip, qtype)).map((ep) => this.rr('', familyOf(ep.ip), ep.ip)), additionals: [] };
    }
    if (n === 4 && rel[0].startsWith('_') && rel[1].startsWith('_')) {
      // _<port>._<proto>.<svc>.<ns>.svc
      const portName = rel[0].slice(1);
      const proto = rel[1].slice(1);
      const port = e.ports.find((p) => p.name.toLowerCase() === portName && p.protocol.toLowerCase() === proto);
      if (!port) return 'nxdomain';
      if (qtype !== 'SRV' && qtype !== 'ANY') return none;
      return this.srv(e, base, [port]);
    }
    return 'nxdomain';
  }

  private serviceRecords(e: ServiceEntry, base: string, qtype: string): { answers: RR[]; additionals: RR[] } {
    if (e.kind === 'ExternalName') return { answers: e.externalName ? [this.rr('', 'CNAME', e.externalName)] : [], additionals: [] };
    if (qtype === 'SRV')
      return this.srv(
        e,
        base,
        e.ports.filter((p) => p.name),
      );
    const ips = e.kind === 'Headless' ? [...new Set(e.endpoints.map((ep) => ep.ip))] : e.clusterIPs;
    return { answers: ips.filter((ip) => matchesFamily(ip, qtype)).map((ip) => this.rr('', familyOf(ip), ip)), additionals: [] };
  }

  /** SRV answers (with the targets' addresses as additionals), weights spread as CoreDNS spreads them. */
  private srv(e: ServiceEntry, base: string, ports: ServiceEntry['ports']): { answers: RR[]; additionals: RR[] } {
    const answers: RR[] = [];
    const additionals: RR[] = [];
    if (e.kind === 'Headless') {
      const targets: Array<{ port: number; ep: EndpointRecord }> = [];
      for (const p of ports) {
        for (const ep of e.endpoints) {
          const epPort = ep.ports.find((q) => q.name === p.name && q.protocol === p.protocol);
          if (epPort) targets.push({ port: epPort.port, ep });
        }
      }
      const weight = targets.length ? Math.floor(100 / targets.length) : 0;
      const seen = new Set<string>();
      for (const { port, ep } of targets) {
        const target = `${ep.host}.${base}`;
        answers.push(this.rr('', 'SRV', { priority: 0, weight, port, target }));
        if (!seen.has(target)) {
          seen.add(target);
          additionals.push(this.rr(target, familyOf(ep.ip), ep.ip));
        }
      }
      return { answers, additionals };
    }
    const weight = ports.length ? Math.floor(100 / ports.length) : 0;
    for (const p of ports) answers.push(this.rr('', 'SRV', { priority: 0, weight, port: p.port, target: base }));
    if (answers.length) for (const ip of e.clusterIPs) additionals.push(this.rr(base, familyOf(ip), ip));
    return { answers, additionals };
  }

  private lookupReverse(name: string, qtype: string): LookupResult {
    const zoneName = name.endsWith('.ip6.arpa') || name === 'ip6.arpa' ? 'ip6.arpa' : 'in-addr.arpa';
    const ip = addressFromReverse(name);
    const names = ip ? this.reverse.get(normalizeIP(ip)) : undefined;
    if (!names || names.size === 0) {
      // Partial reverse names (e.g. 10.in-addr.arpa) exist as parents of real ones; answering them NXDOMAIN is what CoreDNS does too.
      return { rcode: 'NXDOMAIN', authoritative: true, answers: [], authorities: [this.soa(zoneName)], additionals: [] };
    }
    if (qtype !== 'PTR' && qtype !== 'ANY') return { rcode: 'NOERROR', authoritative: true, answers: [], authorities: [this.soa(zoneName)], additionals: [] };
    return {
      rcode: 'NOERROR',
      authoritative: true,
      answers: [...names.keys()].sort().map((target) => this.rr(name, 'PTR', target)),
      authorities: [],
      additionals: [],
    };
  }

  /** How many services are known (for logs and tests). */
  get size(): number {
    return this.entries.size;
  }
}

function normalizeIP(ip: string): string {
  return isIPv6(ip) ? expandIPv6(ip) : ip;
}

function familyOf(ip: string): 'A' | 'AAAA' {
  return isIPv4(ip) ? 'A' : 'AAAA';
}

function matchesFamily(ip: string, qtype: string): boolean {
  return qtype === 'ANY' || qtype === familyOf(ip);
}

/** "10-244-1-5" -> "10.244.1.5"; IPv6 dashed forms are accepted too. */
function podIP(label: string): string | undefined {
  const v4 = label.replace(/-/g, '.');
  if (isIPv4(v4)) return v4;
  const v6 = label.replace(/-/g, ':');
  return isIPv6(v6) ? v6 : undefined;
}

function buildEntry(svc: Service, slices: EndpointSlice[]): ServiceEntry {
  const spec = svc.spec ?? {};
  const namespace = (svc.metadata.namespace ?? '').toLowerCase();
  const name = (svc.metadata.name ?? '').toLowerCase();
  const clusterIPs = [...new Set([...(spec.clusterIPs ?? []), ...(spec.clusterIP ? [spec.clusterIP] : [])])].filter(
    (ip) => ip !== 'None' && (isIPv4(ip) || isIPv6(ip)),
  );
  const kind: ServiceEntry['kind'] = spec.type === 'ExternalName' ? 'ExternalName' : clusterIPs.length ? 'ClusterIP' : 'Headless';
  const ports = (spec.ports ?? []).map((p) => ({ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port }));
  const byIP = new Map<string, EndpointRecord>();
  const sorted = [...slices].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const s of sorted) {
    if (s.addressType !== 'IPv4' && s.addressType !== 'IPv6') continue;
    const slicePorts = (s.ports ?? []).filter((p) => p.port).map((p) => ({ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port as number }));
    for (const ep of s.endpoints ?? []) {
      // Only ready endpoints are published (publishNotReadyAddresses makes the controller mark them ready).
      if (ep.conditions?.ready === false) continue;
      for (const ip of ep.addresses ?? []) {
        if (!isIPv4(ip) && !isIPv6(ip)) continue;
        const prev = byIP.get(ip);
        if (prev) {
          for (const p of slicePorts) if (!prev.ports.some((q) => q.name === p.name && q.protocol === p.protocol)) prev.ports.push(p);
          continue;
        }
        byIP.set(ip, { ip, host: ep.hostname ? ep.hostname.toLowerCase() : dashed(ip), ports: [...slicePorts] });
      }
    }
  }
  return { namespace, name, kind, clusterIPs, externalName: (spec.externalName ?? '').replace(/\.$/, ''), ports, endpoints: [...byIP.values()] };
}
