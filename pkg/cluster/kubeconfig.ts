// The kubeconfigs `timonel up` writes: the cluster's CA, its address, one user
// (a client certificate, or a bearer token) and one context.
import { stringify } from 'yaml';
import type { CertKeyPair } from '../util/certs.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** credentials: a client certificate and its key, or a bearer token. */
export function kubeconfigYAML(server: string, caCert: string, credentials: CertKeyPair | string, name = 'timonel', userName = `${name}-admin`): string {
  const user =
    typeof credentials === 'string' ? { token: credentials } : { 'client-certificate-data': b64(credentials.cert), 'client-key-data': b64(credentials.key) };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority-data': b64(caCert) } }],
    users: [{ name: userName, user }],
    contexts: [{ name, context: { cluster: name, user: userName, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

/** The kubeconfig kube-public/cluster-info carries (kubeadm's): the cluster only, no user. */
export function clusterInfoKubeconfigYAML(server: string, caCert: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: '', cluster: { server, 'certificate-authority-data': b64(caCert) } }],
    contexts: [],
    'current-context': '',
    preferences: {},
    users: [],
  });
}
