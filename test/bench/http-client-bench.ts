// The REST client's own HTTP/1.1 transport (pkg/client/http1.ts) against undici 7,
// in one run against one apiserver child over HTTPS with keep-alive: client CPU
// (process.cpuUsage) per request and requests/s for GETs and POSTs of pods, one
// at a time and `concurrency` at a time. Each answer is read and parsed as
// pkg/client/rest.ts does (status, body as text, JSON.parse). undici runs twice:
// `undici.request` on a Pool, and Pool.dispatch with a handler that only keeps the
// body chunks (its lowest-level API).
// Run: node dist/test/bench/http-client-bench.js [requests per case] [concurrency] [blocks]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { Pool } from 'undici';
import { HTTP1Pool } from '../../pkg/client/http1.js';
import { startEtcd } from '../support/etcd.js';
import { startAPIServerProcess } from './apiserver-process.js';
import { podBody, podsPath } from './pods.js';

interface Transport {
  name: string;
  send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

function http1(url: URL, ca: string): Transport {
  const pool = new HTTP1Pool({ host: url.hostname, port: Number(url.port), tls: { secureContext: createSecureContext({ ca }) } });
  return {
    name: 'http1',
    async send(method, path, headers, body) {
      const r = await pool.request(method, path, headers, body);
      return { status: r.status, text: r.body.toString() };
    },
    async close() {
      pool.close();
    },
  };
}

function undici(url: URL, ca: string): Transport {
  const pool = new Pool(url.origin, { connect: { secureContext: createSecureContext({ ca }) }, keepAliveTimeout: 60_000 });
  return {
    name: 'undici',
    async send(method, path, headers, body) {
      const r = await pool.request({ method: method as 'GET', path, headers, body });
      return { status: r.statusCode, text: await r.body.text() };
    },
    async close() {
      await pool.close();
    },
  };
}

// undici's lowest level: a dispatch handler that keeps the chunks and joins them once.
function undiciDispatch(url: URL, ca: string): Transport {
  const pool = new Pool(url.origin, { connect: { secureContext: createSecureContext({ ca }) }, keepAliveTimeout: 60_000 });
  return {
    name: 'undici-dispatch',
    send(method, path, headers, body) {
      return new Promise((resolve, reject) => {
        let status = 0;
        const chunks: Buffer[] = [];
        pool.dispatch(
          { method: method as 'GET', path, headers, body },
          {
            onRequestStart: () => undefined,
            onResponseStart: (_c, code) => void (status = code),
            onResponseData: (_c, chunk) => void chunks.push(chunk),
            onResponseEnd: () => resolve({ status, text: (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString() }),
            onResponseError: (_c, err) => reject(err),
          },
        );
      });
    },
    async close() {
      await pool.close();
    },
  };
}

const HEADERS = { 'user-agent': 'http-client-bench', authorization: 'Bearer unused', accept: 'application/json' };
const NS = 'default';

async function phase(t: Transport, kind: 'GET' | 'POST', n: number, concurrency: number, tag: string): Promise<{ cpuUs: number; rps: number }> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const r =
        kind === 'GET'
          ? await t.send('GET', `${podsPath(NS)}/fixed`, HEADERS)
          : await t.send('POST', podsPath(NS), { ...HEADERS, 'content-type': 'application/json' }, podBody(`${t.name}-${tag}-${i}`));
      if (r.status !== (kind === 'GET' ? 200 : 201)) throw new Error(`${kind}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
      JSON.parse(r.text);
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: (cpu.user + cpu.system) / n, rps: n / (wallUs / 1e6) };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 6000);
  const concurrency = Number(process.argv[3] ?? 16);
  const blocks = Number(process.argv[4] ?? 10);
  const dir = mkdtempSync(join(tmpdir(), 'timonel-http-bench-'));
  const etcd = await startEtcd();
  const server = await startAPIServerProcess({ etcdEndpoint: etcd.endpoint, dir });
  try {
    const url = new URL(server.url);
    const setup = http1(url, server.caCert);
    const fixed = await setup.send('POST', podsPath(NS), { ...HEADERS, 'content-type': 'application/json' }, podBody('fixed'));
    if (fixed.status !== 201) throw new Error(`creating the fixed pod: HTTP ${fixed.status} ${fixed.text}`);
    await setup.close();
    const transports = [http1, undici, undiciDispatch].map((make) => make(url, server.caCert));
    for (const t of transports) {
      await phase(t, 'GET', 1000, concurrency, 'warm');
      await phase(t, 'POST', 300, concurrency, 'warm');
      await phase(t, 'GET', 300, 1, 'warm');
    }
    // Short blocks, each transport in turn (order alternating), so all see the same
    // load on a shared machine; totals over all blocks.
    const block = Math.max(100, Math.floor(n / blocks));
    for (const [kind, c] of [
      ['GET', 1],
      ['GET', concurrency],
      ['POST', 1],
      ['POST', concurrency],
    ] as const) {
      const totals = transports.map(() => ({ cpuUs: 0, wallUs: 0, requests: 0 }));
      for (let b = 0; b < blocks; b++) {
        const order = transports.map((_, i) => i);
        if (b % 2) order.reverse();
        for (const i of order) {
          const r = await phase(transports[i], kind, block, c, `b${b}c${c}`);
          totals[i].cpuUs += r.cpuUs * block;
          totals[i].wallUs += (block / r.rps) * 1e6;
          totals[i].requests += block;
        }
      }
      const base = totals[0];
      transports.forEach((t, i) => {
        const x = totals[i];
        const cpu = x.cpuUs / x.requests;
        const rps = x.requests / (x.wallUs / 1e6);
        process.stdout.write(
          JSON.stringify({
            bench: 'http-client',
            transport: t.name,
            method: kind,
            concurrency: c,
            requests: x.requests,
            cpuUsPerRequest: Math.round(cpu),
            requestsPerSecond: Math.round(rps),
            cpuVsHttp1: +(cpu / (base.cpuUs / base.requests)).toFixed(2),
            rpsVsHttp1: +(rps / (base.requests / (base.wallUs / 1e6))).toFixed(2),
          }) + '\n',
        );
      });
    }
    for (const t of transports) await t.close();
  } finally {
    await server.stop(5000);
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
