// The pod's /etc/hosts as the kubelet writes it (kubelet_pods.go ensureHostsFile):
// a managed file with localhost, the IPv6 names and the pod's own name, or, for
// host-network pods, the node's /etc/hosts under a header; HostAliases go last.
import { readFileSync } from 'node:fs';
import { isDNS1123Label } from '../../api/util/validation.js';
import type { HostAlias, Pod } from '../../api/core/v1/types.js';

export const MANAGED_HOSTS_HEADER = '# Kubernetes-managed hosts file.\n';
export const MANAGED_HOSTS_HEADER_HOST_NETWORK = '# Kubernetes-managed hosts file (host network).\n';
/** A hostname is one DNS label: 63 characters (64 bytes with the terminating NUL). */
const HOSTNAME_MAX_LEN = 63;

type HostsPod = Pick<Pod, 'metadata'> & { spec: Pick<Pod['spec'], 'hostname' | 'subdomain' | 'hostNetwork' | 'hostAliases'> };

export interface HostsOptions {
  /** --cluster-domain, for <hostname>.<subdomain>.<ns>.svc.<domain>. Default cluster.local. */
  clusterDomain?: string;
  /** The node's hosts file, copied for host-network pods. Default /etc/hosts. */
  nodeHostsFile?: string;
}

/** truncatePodHostnameIfNeeded: cap at 63 characters, never ending in '-' or '.'. */
function truncateHostname(podName: string, hostname: string): string {
  if (hostname.length <= HOSTNAME_MAX_LEN) return hostname;
  const truncated = hostname.slice(0, HOSTNAME_MAX_LEN).replace(/[-.]+$/, '');
  if (truncated === '') throw new Error(`hostname for pod "${podName}" was invalid: "${hostname}"`);
  return truncated;
}

/**
 * GeneratePodHostNameAndDomain: the hostname (spec.hostname or the pod name) and,
 * with spec.subdomain, the domain <subdomain>.<namespace>.svc.<clusterDomain>.
 */
export function podHostnameAndDomain(pod: HostsPod, clusterDomain = 'cluster.local'): { hostname: string; domain: string } {
  const podName = pod.metadata.name ?? '';
  let hostname = podName;
  if (pod.spec.hostname) {
    const errs = isDNS1123Label(pod.spec.hostname);
    if (errs.length) throw new Error(`pod Hostname "${pod.spec.hostname}" is not a valid DNS label: ${errs.join(';')}`);
    hostname = pod.spec.hostname;
  }
  hostname = truncateHostname(podName, hostname);
  let domain = '';
  if (pod.spec.subdomain) {
    const errs = isDNS1123Label(pod.spec.subdomain);
    if (errs.length) throw new Error(`pod Subdomain "${pod.spec.subdomain}" is not a valid DNS label: ${errs.join(';')}`);
    domain = `${pod.spec.subdomain}.${pod.metadata.namespace ?? 'default'}.svc.${clusterDomain}`;
  }
  return { hostname, domain };
}

/** hostsEntriesFromHostAliases: one line per IP with all its names, tab-separated. */
export function hostAliasesEntries(hostAliases: HostAlias[] | undefined): string {
  if (!hostAliases || hostAliases.length === 0) return '';
  let out = '\n# Entries added by HostAliases.\n';
  for (const a of hostAliases) out += `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`;
  return out;
}

/** managedHostsFileContent for a pod on the pod network. */
export function managedHostsFileContent(podIPs: string[], hostname: string, domain: string, hostAliases: HostAlias[] | undefined): string {
  let out = MANAGED_HOSTS_HEADER;
  out += '127.0.0.1\tlocalhost\n';
  out += '::1\tlocalhost ip6-localhost ip6-loopback\n';
  out += 'fe00::0\tip6-localnet\n';
  out += 'fe00::0\tip6-mcastprefix\n';
  out += 'fe00::1\tip6-allnodes\n';
  out += 'fe00::2\tip6-allrouters\n';
  for (const ip of podIPs) out += domain ? `${ip}\t${hostname}.${domain}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  return out + hostAliasesEntries(hostAliases);
}

/**
 * The /etc/hosts content for the pod: the kubelet writes it to <podDir>/etc-hosts
 * (mode 0644) and bind-mounts it at /etc/hosts in every container.
 */
export function hostsFileContent(
  pod: HostsPod,
  podIPs: string[],
  hostAliases: HostAlias[] | undefined = pod.spec.hostAliases,
  opts: HostsOptions = {},
): string {
  if (pod.spec.hostNetwork) {
    const node = readFileSync(opts.nodeHostsFile ?? '/etc/hosts', 'utf8');
    return MANAGED_HOSTS_HEADER_HOST_NETWORK + node + hostAliasesEntries(hostAliases);
  }
  const { hostname, domain } = podHostnameAndDomain(pod, opts.clusterDomain);
  return managedHostsFileContent(podIPs, hostname, domain, hostAliases);
}
