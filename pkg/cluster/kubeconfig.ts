// The kubeconfig `timonel up` writes: the cluster's CA, its address, one context.
import { stringify } from 'yaml';

export function kubeconfigYAML(server: string, caCert: string, token: string, name = 'timonel'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority-data': Buffer.from(caCert).toString('base64') } }],
    users: [{ name: `${name}-admin`, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin`, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
