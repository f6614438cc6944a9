// The pod's /etc/resolv.conf as CRI DNSConfig (pkg/kubelet/network/dns): the
// dnsPolicy picks the base (cluster DNS, the host's resolv.conf, or nothing),
// spec.dnsConfig is merged on top, and the result is cut to the resolver limits
// the apiserver validates (3 nameservers, 32 search paths, 2048 characters).
import { readFileSync } from 'node:fs';
import type { DNSConfig } from '../cri/client.js';
import type { Pod, PodDNSConfigOption } from '../../api/core/v1/types.js';

export const MAX_DNS_NAMESERVERS = 3;
export const MAX_DNS_SEARCH_PATHS = 32;
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;
const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
/** Larger resolv.conf files are refused (upstream's maxResolvConfLength). */
const MAX_RESOLV_CONF_LENGTH = 10 << 20;

const DEFAULT_DNS_OPTIONS = ['ndots:5'];

export interface PodDNSOptions {
  /** --cluster-dns: the cluster DNS service IPs; empty makes ClusterFirst fall back to Default. */
  clusterDNS: string[];
  /** --cluster-domain, e.g. cluster.local. */
  clusterDomain: string;
  /** --resolv-conf: the host resolv.conf path ('' means none: localhost resolver, search "."). */
  hostResolvConf: string;
  /** The node's IPs; with no resolv.conf they pick 127.0.0.1 or ::1. */
  nodeIPs?: string[];
  /** Events upstream records (DNSConfigForming, MissingClusterDNS). */
  recordEvent?: (type: 'Normal' | 'Warning', reason: string, message: string) => void;
}

export type PodDNSType = 'None' | 'Cluster' | 'Host';

type DNSPod = Pick<Pod, 'metadata'> & { spec: Pick<Pod['spec'], 'dnsPolicy' | 'dnsConfig' | 'hostNetwork'> };

/** getPodDNSType: ClusterFirst on the host network falls back to Default. */
export function podDNSType(pod: DNSPod): PodDNSType {
  switch (pod.spec.dnsPolicy ?? 'ClusterFirst') {
    case 'None':
      return 'None';
    case 'ClusterFirstWithHostNet':
      return 'Cluster';
    case 'ClusterFirst':
      return pod.spec.hostNetwork ? 'Host' : 'Cluster';
    case 'Default':
      return 'Host';
  }
  // The apiserver rejects other values; upstream falls back to ClusterFirst.
  return 'Cluster';
}

/** Splits "name:value" into its parts (value '' when absent). */
function optionParts(op: string): [string, string] {
  const i = op.indexOf(':');
  return i < 0 ? [op, ''] : [op.slice(0, i), op.slice(i + 1)];
}

/** appendOptions: a later option with the same name replaces the earlier one. */
function appendOptions(options: string[], more: string[]): string[] {
  const m = new Map<string, string>();
  for (const op of [...options, ...more]) {
    const [name, value] = optionParts(op);
    m.set(name, value);
  }
  return [...m].map(([n, v]) => (v !== '' ? `${n}:${v}` : n));
}

/** parseResolvConf: nameservers accumulate, the last search and options lines win. */
export function parseResolvConf(content: string): DNSConfig {
  const servers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  for (const line of content.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) continue;
    const fields = trimmed.split(/\s+/).filter((f) => f !== '');
    if (fields.length === 0) continue;
    if (fields[0] === 'nameserver' && fields.length >= 2) servers.push(fields[1]);
    if (fields[0] === 'search') {
      // The same domain with and without its trailing dot counts once.
      searches = fields
        .slice(1)
        .filter((s) => s !== '.')
        .map((s) => s.replace(/\.$/, ''));
    }
    if (fields[0] === 'options') options = appendOptions(options, fields.slice(1));
  }
  return { servers, searches, options };
}

function omitDuplicates(list: string[]): string[] {
  return [...new Set(list)];
}

function hostDNSConfig(path: string): DNSConfig {
  if (path === '') return { servers: [], searches: [], options: [] };
  const content = readFileSync(path);
  if (content.length > MAX_RESOLV_CONF_LENGTH) throw new Error(`resolv.conf ${path} is larger than ${MAX_RESOLV_CONF_LENGTH} bytes`);
  return parseResolvConf(content.toString('utf8'));
}

/** mergeDNSOptions: spec.dnsConfig options replace same-named ones; a value-less option has no ':'. */
function mergeDNSOptions(existing: string[], extra: PodDNSConfigOption[]): string[] {
  const m = new Map<string, string>();
  for (const op of existing) {
    const [n, v] = optionParts(op);
    m.set(n, v);
  }
  for (const op of extra) m.set(op.name ?? '', op.value ?? '');
  return [...m].map(([n, v]) => (v !== '' ? `${n}:${v}` : n));
}

function fitSearches(searches: string[], warn: (msg: string) => void): string[] {
  let exceeded = false;
  let out = searches;
  if (out.length > MAX_DNS_SEARCH_PATHS) {
    out = out.slice(0, MAX_DNS_SEARCH_PATHS);
    exceeded = true;
  }
  // Some resolvers (glibc 2.28) abort on a search path longer than 255 characters.
  const kept = out.filter((s) => s.length <= DNS1123_SUBDOMAIN_MAX_LENGTH);
  if (kept.length !== out.length) exceeded = true;
  out = kept;
  const lineLen = out.join(' ').length;
  if (lineLen > MAX_DNS_SEARCH_LIST_CHARS) {
    let cut = 0;
    let cutLen = 0;
    for (let i = out.length - 1; i >= 0; i--) {
      cutLen += out[i].length + 1;
      cut++;
      if (lineLen - cutLen <= MAX_DNS_SEARCH_LIST_CHARS) break;
    }
    out = out.slice(0, out.length - cut);
    exceeded = true;
  }
  if (exceeded) warn(`Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${out.join(' ')}`);
  return out;
}

/** GetPodDNS: the CRI DNSConfig for the pod's sandbox. */
export function podDNSConfig(pod: DNSPod, opts: PodDNSOptions): DNSConfig {
  const warn = (reason: string, msg: string) => opts.recordEvent?.('Warning', reason, msg);
  let dns = hostDNSConfig(opts.hostResolvConf);
  let type = podDNSType(pod);
  if (type === 'None') {
    dns = { servers: [], searches: [], options: [] };
  } else if (type === 'Cluster') {
    if (opts.clusterDNS.length > 0) {
      // The cluster DNS server is the only nameserver; it forwards what it cannot answer.
      dns.servers = [...opts.clusterDNS];
      if (opts.clusterDomain) {
        const d = opts.clusterDomain;
        const ns = pod.metadata.namespace ?? 'default';
        dns.searches = omitDuplicates([`${ns}.svc.${d}`, `svc.${d}`, d, ...dns.searches]);
      }
      dns.options = [...DEFAULT_DNS_OPTIONS];
    } else {
      warn(
        'MissingClusterDNS',
        `pod: "${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? ''}(${pod.metadata.uid ?? ''})". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`,
      );
      type = 'Host';
    }
  }
  if (type === 'Host' && opts.hostResolvConf === '') {
    // No resolv.conf: point at the local resolver and disable search.
    const ips = opts.nodeIPs ?? [];
    dns.servers = ips.map((ip) => (ip.includes(':') ? '::1' : '127.0.0.1'));
    if (dns.servers.length === 0) dns.servers = ['127.0.0.1'];
    dns.searches = ['.'];
  }
  const extra = pod.spec.dnsConfig;
  if (extra) {
    dns.servers = omitDuplicates([...dns.servers, ...(extra.nameservers ?? [])]);
    dns.searches = omitDuplicates([...dns.searches, ...(extra.searches ?? [])]);
    dns.options = mergeDNSOptions(dns.options, extra.options ?? []);
  }
  if (dns.servers.length > MAX_DNS_NAMESERVERS) {
    dns.servers = dns.servers.slice(0, MAX_DNS_NAMESERVERS);
    warn('DNSConfigForming', `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${dns.servers.join(' ')}`);
  }
  dns.searches = fitSearches(dns.searches, (msg) => warn('DNSConfigForming', msg));
  return dns;
}

/** The resolv.conf text a DNSConfig stands for (what containerd writes into the sandbox). */
export function resolvConfContent(dns: DNSConfig): string {
  const lines: string[] = [];
  if (dns.searches.length > 0) lines.push(`search ${dns.searches.join(' ')}`);
  for (const s of dns.servers) lines.push(`nameserver ${s}`);
  if (dns.options.length > 0) lines.push(`options ${dns.options.join(' ')}`);
  return lines.join('\n') + '\n';
}
