// The names the apiserver's own serving certificate is for (upstream's
// MaybeDefaultWithSelfSignedCerts with the kubernetes Service's names): what
// clients outside dial (127.0.0.1, localhost, the advertised address) and what
// pods dial (the `kubernetes` Service by name and by its ClusterIP).
import { kubernetesServiceIP } from '../registry/core/service/ipallocator.js';

export interface ServingHostsOptions {
  serviceClusterIPRange: string;
  bindAddress: string;
  /** The address published in the `default/kubernetes` Endpoints (--advertise-address). */
  advertiseAddress?: string;
  /** The cluster's DNS domain; the Service's fully qualified name ends with it. */
  clusterDomain?: string;
}

const UNSPECIFIED = new Set(['0.0.0.0', '::', '']);

export function servingCertificateHosts(o: ServingHostsOptions): string[] {
  const hosts = [
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    `kubernetes.default.svc.${o.clusterDomain ?? 'cluster.local'}`,
    kubernetesServiceIP(o.serviceClusterIPRange),
    o.advertiseAddress ?? '',
    o.bindAddress,
    '127.0.0.1',
    'localhost',
  ];
  return hosts.filter((h, i) => !UNSPECIFIED.has(h) && hosts.indexOf(h) === i);
}
