// The cluster DNS server (the add-on kube-dns/CoreDNS is in Kubernetes): answers
// for the cluster domain from Services and EndpointSlices, refuses the rest.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { runClusterDNS, type RunningClusterDNS } from '../../pkg/dns/app.js';
import { logger } from '../../pkg/util/log.js';

function flags() {
  try {
    return parseArgs({
      options: {
        kubeconfig: { type: 'string' },
        'bind-address': { type: 'string', default: '0.0.0.0' },
        port: { type: 'string', default: '53' },
        'cluster-domain': { type: 'string', default: 'cluster.local' },
        ttl: { type: 'string', default: '5' },
        'metrics-bind-address': { type: 'string', default: '127.0.0.1:9153' },
        // Running on the node (not in a pod): keep an EndpointSlice for this Service pointing here.
        'publish-service': { type: 'string' },
        'advertise-address': { type: 'string' },
        'node-name': { type: 'string' },
        v: { type: 'string', short: 'v', default: '0' },
      },
      strict: true,
    });
  } catch (err) {
    process.stderr.write(`dns: ${(err as Error).message}\n`);
    process.exit(2);
  }
}

const { values } = flags();

const log = logger('dns', Number(values.v));

async function main(): Promise<void> {
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${values.port}`);
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 0) throw new Error(`--ttl must be a whole number of seconds, got ${values.ttl}`);
  let dns: RunningClusterDNS | undefined;
  const shutdown = async (sig: string) => {
    log(`received ${sig}, shutting down`);
    await dns?.stop();
    process.exit(0);
  };
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => void shutdown(sig));
  dns = await runClusterDNS({
    kubeconfig: values.kubeconfig as string | undefined,
    bindAddress: values['bind-address'] as string,
    port,
    clusterDomain: values['cluster-domain'] as string,
    ttl,
    metricsBindAddress: values['metrics-bind-address'] as string,
    publishService: values['publish-service'] as string | undefined,
    advertiseAddress: values['advertise-address'] as string | undefined,
    nodeName: (values['node-name'] as string | undefined) ?? hostname().toLowerCase(),
    log,
  });
}

main().catch((err: Error) => {
  log(`failed to start: ${err.message}`);
  process.exit(1);
});
