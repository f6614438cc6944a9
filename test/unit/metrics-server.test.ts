// pkg/metrics/server: bind addresses, /metrics from a prom-client registry, the
// component's own paths, the 404 and a port in use; on loopback.
import { afterAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Counter, Registry } from 'prom-client';
import { parseBindAddress, requestPath, serveHandler, serveMetrics } from '../../pkg/metrics/server.js';

describe('parseBindAddress', () => {
  it('splits host:port, [v6]:port and a bare port', () => {
    assert.deepEqual(parseBindAddress('127.0.0.1:10259', '0.0.0.0'), { host: '127.0.0.1', port: 10259 });
    assert.deepEqual(parseBindAddress('[::1]:9153', '0.0.0.0'), { host: '::1', port: 9153 });
    assert.deepEqual(parseBindAddress(':10249', '0.0.0.0'), { host: '0.0.0.0', port: 10249 });
    assert.deepEqual(parseBindAddress('8080', '127.0.0.1'), { host: '127.0.0.1', port: 8080 });
  });

  it('rejects what is not a port', () => {
    assert.throws(() => parseBindAddress('localhost:http', '0.0.0.0'), /bad bind address "localhost:http": want host:port/);
    assert.throws(() => parseBindAddress('127.0.0.1:70000', '0.0.0.0'), /bad bind address/);
  });
});

describe('serveMetrics', () => {
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));
  const base = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

  it('serves the registry, the extra paths, and 404 for the rest', async () => {
    const registry = new Registry();
    new Counter({ name: 'test_requests_total', help: 'Requests.', registers: [registry] }).inc(3);
    const s = await serveMetrics('127.0.0.1:0', registry, {
      handle(req, res) {
        if (requestPath(req) !== '/healthz') return false;
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
        return true;
      },
    });
    servers.push(s);
    const metrics = await fetch(`${base(s)}/metrics?x=1`);
    assert.equal(metrics.status, 200);
    assert.equal(metrics.headers.get('content-type'), registry.contentType);
    assert.match(await metrics.text(), /^test_requests_total 3$/m);
    const healthz = await fetch(`${base(s)}/healthz`);
    assert.deepEqual([healthz.status, await healthz.text()], [200, 'ok']);
    const other = await fetch(`${base(s)}/readyz`);
    assert.deepEqual([other.status, await other.text()], [404, '404 page not found\n']);
  });

  it('serveHandler has no /metrics', async () => {
    const s = await serveHandler('127.0.0.1:0', () => false);
    servers.push(s);
    assert.equal((await fetch(`${base(s)}/metrics`)).status, 404);
  });

  it('says plainly that a port is in use, and rejects a bad address', async () => {
    const s = await serveMetrics('127.0.0.1:0', new Registry());
    servers.push(s);
    const port = (s.address() as AddressInfo).port;
    await assert.rejects(serveMetrics(`127.0.0.1:${port}`, new Registry()), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
    await assert.rejects(serveMetrics('127.0.0.1:nope', new Registry()), /bad bind address/);
  });
});
