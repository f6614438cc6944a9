// A kubelet API server for integration tests: node `nodeName`'s serving certificate
// from the test cluster's CA, the CA for client certificates, a free loopback port,
// and no container runtime behind it (streaming and logs answer 404).
import { join } from 'node:path';
import type { CRIClient } from '../../pkg/cri/client.js';
import { startKubeletServer, type KubeletServer, type KubeletServerOptions } from '../../pkg/kubelet/server/server.js';
import { loadOrCreateSignedCert } from '../../pkg/util/certs.js';
import type { TestCluster } from './cluster.js';

export function startTestKubeletServer(c: Pick<TestCluster, 'dir' | 'ca'>, nodeName: string, opts: Partial<KubeletServerOptions> = {}): Promise<KubeletServer> {
  const pki = join(c.dir, 'pki');
  loadOrCreateSignedCert(pki, 'kubelet-serving', { commonName: `system:node:${nodeName}`, usage: 'server', hosts: [nodeName, '127.0.0.1'] }, c.ca);
  return startKubeletServer({
    address: '127.0.0.1',
    port: 0,
    tlsCertFile: join(pki, 'kubelet-serving.crt'),
    tlsKeyFile: join(pki, 'kubelet-serving.key'),
    clientCAFile: join(pki, 'ca.crt'),
    cri: {} as CRIClient,
    locator: { find: async () => ({ code: 404, error: 'none' }), findSandbox: async () => ({ code: 404, error: 'none' }) },
    pods: () => [],
    ...opts,
  });
}
