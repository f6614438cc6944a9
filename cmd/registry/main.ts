#!/usr/bin/env node
// registry: docker-registry on a unix socket under the image cache, and the
// front (pkg/cluster/registryfront.ts) on loopback (and on any --bind-address,
// for nodes in other network namespaces) that resolves catalogue tags and
// decides who may write. Stops docker-registry when it stops.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { catalogueRepositories } from '../../pkg/cluster/images.js';
import { ensureRegistryCredentials, registryBackendSocket, registryConfigFile, registryConfigYAML, registryStorageDir } from '../../pkg/cluster/registry.js';
import { basicAuthorization, registryFront, type Credentials } from '../../pkg/cluster/registryfront.js';

const { values } = parseArgs({
  options: {
    'cache-dir': { type: 'string' },
    port: { type: 'string' },
    'auth-port': { type: 'string' },
    'bind-address': { type: 'string', default: '' },
  },
  strict: true,
});
const cacheDir = values['cache-dir'];
const port = Number(values.port);
const authPort = values['auth-port'] ? Number(values['auth-port']) : undefined;
const extraAddresses = (values['bind-address'] as string).split(',').filter((a) => a && a !== '127.0.0.1');
if (!cacheDir || !Number.isInteger(port) || port <= 0 || port > 65535 || extraAddresses.some((a) => isIP(a) === 0)) {
  process.stderr.write('usage: registry --cache-dir DIR --port PORT [--auth-port PORT] [--bind-address IP[,IP...]]\n');
  process.exit(2);
}

const credentials = ensureRegistryCredentials(cacheDir);
mkdirSync(registryStorageDir(cacheDir), { recursive: true });
const socket = registryBackendSocket(cacheDir, port);
rmSync(socket, { force: true });
const configFile = registryConfigFile(cacheDir, port);
writeFileSync(configFile, registryConfigYAML({ cacheDir, port, authPort }));
const backend = spawn('docker-registry', ['serve', configFile], { stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;
backend.on('exit', (code, signal) => {
  if (stopping) return;
  process.stderr.write(`registry: docker-registry exited (${signal ?? code})\n`);
  process.exit(1);
});

function backendAnswers(c: Credentials): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/v2/', headers: { authorization: basicAuthorization(c) }, timeout: 500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

const deadline = Date.now() + 15_000;
while (!(await backendAnswers(credentials.pull))) {
  if (Date.now() > deadline) {
    process.stderr.write(`registry: docker-registry did not answer on ${socket} within 15s\n`);
    backend.kill('SIGKILL');
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 50));
}

const catalogue = catalogueRepositories();
const servers: Server[] = [];
function listen(p: number, anonymousRead: boolean, address = '127.0.0.1'): Promise<void> {
  const server = createServer(registryFront({ backendSocket: socket, catalogue, anonymousReadAs: anonymousRead ? credentials.pull : undefined }));
  // Blob uploads can be large and slow; the registry itself has no request timeout either.
  server.requestTimeout = 0;
  // Longer than clients keep idle connections (undici: 4 s under a 5 s server), so none is reused as it closes.
  server.keepAliveTimeout = 65_000;
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(p, address, () => resolve());
  });
}
await listen(port, true);
for (const a of extraAddresses) await listen(port, true, a);
if (authPort) await listen(authPort, false);
const served = ['127.0.0.1', ...extraAddresses].map((a) => `${a}:${port}`).join(', ');
process.stdout.write(`registry: serving on ${served}${authPort ? ` (credentials required on 127.0.0.1:${authPort})` : ''}\n`);

function stop(): void {
  stopping = true;
  for (const s of servers) s.close();
  backend.once('exit', () => process.exit(0));
  backend.kill('SIGTERM');
  setTimeout(() => {
    backend.kill('SIGKILL');
    process.exit(0);
  }, 5000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
