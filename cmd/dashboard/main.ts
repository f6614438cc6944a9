// The cluster's web view (manifests/dashboard): in a pod it reads the API with its
// ServiceAccount; outside one, --server with --ca-file and a client certificate
// or --token-file. Runs on Debian's Node 18 (the node image), so it imports only
// node's own modules and the project's.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { APIClient, inClusterConfig, type APIClientConfig } from '../../pkg/dashboard/apiclient.js';
import { createDashboard } from '../../pkg/dashboard/server.js';
import { logger } from '../../pkg/util/log.js';

const { values } = parseArgs({
  options: {
    'bind-address': { type: 'string', default: '0.0.0.0' },
    port: { type: 'string', default: '8080' },
    server: { type: 'string' },
    'ca-file': { type: 'string' },
    'client-certificate': { type: 'string' },
    'client-key': { type: 'string' },
    'token-file': { type: 'string' },
    'metrics-interval-seconds': { type: 'string', default: '15' },
  },
  strict: true,
});

const log = logger('dashboard');

function apiConfig(): APIClientConfig {
  if (!values.server) return inClusterConfig();
  const read = (f: string | undefined) => (f ? readFileSync(f, 'utf8') : undefined);
  return {
    server: values.server,
    ca: read(values['ca-file']),
    cert: read(values['client-certificate']),
    key: read(values['client-key']),
    tokenFile: values['token-file'],
  };
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${JSON.stringify(values.port)}: want 0 to 65535`);
const interval = Number(values['metrics-interval-seconds']);
if (!(interval > 0)) throw new Error(`invalid --metrics-interval-seconds ${JSON.stringify(values['metrics-interval-seconds'])}`);

const dashboard = createDashboard({ api: new APIClient(apiConfig()), metricsIntervalMs: interval * 1000, log: (m) => log(m) });
dashboard.server.listen(port, values['bind-address'], () => log(`serving on ${values['bind-address']}:${port}`));
void dashboard.synced.then(() => log('nodes and pods listed; watching'));
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    void dashboard.stop().then(() => process.exit(0));
  });
}
