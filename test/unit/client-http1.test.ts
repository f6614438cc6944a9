// The HTTP/1.1 client under the REST client: response framing and connection reuse,
// against node's own HTTP server.
import { test, afterEach } from '@jest/globals';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP1Pool, parseChunked, parseHead } from '../../pkg/client/http1.js';

// What a test opened, closed after it whether it passed or not.
const cleanups: (() => unknown)[] = [];
const afterThisTest = (fn: () => unknown) => cleanups.push(fn);
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

function head(text: string, method = 'GET') {
  const buf = Buffer.from(text, 'latin1');
  return parseHead(buf, buf.indexOf('\r\n\r\n'), method);
}

test('parseHead reads the status, headers and framing', () => {
  const h = head('HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 12\r\nX-A: 1\r\nx-a: 2\r\n\r\n');
  assert.equal(h.status, 201);
  assert.equal(h.framing, 12);
  assert.equal(h.keepAlive, true);
  assert.equal(h.headers['content-type'], 'application/json');
  assert.equal(h.headers['x-a'], '1, 2');
  assert.equal(head('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n').framing, 'chunked');
  assert.equal(head('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').keepAlive, false);
  assert.equal(head('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').keepAlive, false);
  assert.equal(head('HTTP/1.1 204 No Content\r\n\r\n').framing, 0);
  assert.equal(head('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', 'HEAD').framing, 0);
  assert.throws(() => head('HTTP/1.1 200 OK\r\n\r\n'), /without Content-Length/);
  assert.throws(() => head('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'), /malformed Content-Length/);
  assert.throws(() => head('HTTP/2 200\r\n\r\n'), /malformed response status line/);
  assert.throws(() => head('HTTP/1.1 200 OK\r\nno colon\r\n\r\n'), /malformed response header/);
});

test('parseChunked waits for the last chunk and skips trailers', () => {
  const full = Buffer.from('5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n');
  for (let cut = 0; cut < full.length; cut++) assert.equal(parseChunked(full.subarray(0, cut)), undefined, `complete at ${cut} bytes`);
  const done = parseChunked(full);
  assert.equal(done?.body.toString(), 'hello, world');
  assert.equal(done?.used, full.length);
  assert.equal(parseChunked(Buffer.from('0\r\n\r\n'))?.body.length, 0);
  assert.throws(() => parseChunked(Buffer.from('zz\r\n')), /malformed chunk size/);
});

test('HTTP1Pool reuses a kept-alive connection and reads every framing', async () => {
  const sockets = new Set<unknown>();
  const server = http.createServer((req, res) => {
    sockets.add(req.socket);
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      if (req.url === '/chunked') {
        res.write('part one, ');
        setImmediate(() => res.end('part two'));
        return;
      }
      if (req.url === '/empty') {
        res.statusCode = 204;
        res.end();
        return;
      }
      const text = JSON.stringify({
        method: req.method,
        url: req.url,
        body,
        auth: req.headers.authorization,
        length: req.headers['content-length'] ?? null,
        big: req.url === '/big' ? 'x'.repeat(1 << 20) : undefined,
      });
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Content-Length', Buffer.byteLength(text));
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  afterThisTest(() => server.close());
  const pool = new HTTP1Pool({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  afterThisTest(() => pool.close());

  const post = await pool.request('POST', '/a?x=1', { authorization: 'Bearer t' }, '{"ü":1}');
  assert.equal(post.status, 200);
  assert.deepEqual(JSON.parse(post.body.toString()), {
    method: 'POST',
    url: '/a?x=1',
    body: '{"ü":1}',
    auth: 'Bearer t',
    length: String(Buffer.byteLength('{"ü":1}')),
  });
  const get = JSON.parse((await pool.request('GET', '/b', {})).body.toString()) as { length: string | null };
  assert.equal(get.length, null, 'a GET without a body sends no Content-Length');
  assert.equal((await pool.request('GET', '/chunked', {})).body.toString(), 'part one, part two');
  assert.equal((await pool.request('DELETE', '/empty', {})).status, 204);
  const big = JSON.parse((await pool.request('GET', '/big', {})).body.toString()) as { big: string };
  assert.equal(big.big.length, 1 << 20);
  assert.equal(sockets.size, 1, 'one connection served every request in turn');

  // Concurrent requests each get a connection; all come back.
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.request('PUT', `/c${i}`, {}, String(i))));
  assert.deepEqual(
    answers.map((a) => (JSON.parse(a.body.toString()) as { body: string }).body),
    Array.from({ length: 20 }, (_, i) => String(i)),
  );
});

test('HTTP1Pool sends an idempotent request again when the server closed the idle connection', async () => {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  afterThisTest(() => server.close());
  const pool = new HTTP1Pool({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  afterThisTest(() => pool.close());
  assert.equal((await pool.request('GET', '/', {})).body.toString(), 'ok');
  // The server drops its kept-alive connection; the next GET must still succeed.
  server.closeIdleConnections();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await pool.request('GET', '/', {})).body.toString(), 'ok');
  assert.equal(requests, 2);
});

test('HTTP1Pool rejects when the server answers without framing or goes away mid-answer', async () => {
  const net = await import('node:net');
  const server = net.createServer((sock) => {
    sock.once('data', (d: Buffer) => {
      if (d.toString().startsWith('GET /noframing')) sock.end('HTTP/1.1 200 OK\r\n\r\nbody');
      else sock.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  afterThisTest(() => server.close());
  const pool = new HTTP1Pool({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  afterThisTest(() => pool.close());
  await assert.rejects(pool.request('GET', '/noframing', {}), /without Content-Length/);
  await assert.rejects(pool.request('POST', '/short', {}, 'x'), /closed/);
});
