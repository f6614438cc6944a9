// The DNS server on 127.0.0.1 with real dns-packet queries over UDP and TCP.
// (dns-packet does not compress names: 60 A records of one name take ~2.8 KB.)
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Packet } from 'dns-packet';
import { ClusterDNSRecords } from '../../pkg/dns/records.js';
import { DNSServer, EDNS_UDP_SIZE } from '../../pkg/dns/server.js';
import { DNSMetrics } from '../../pkg/dns/metrics.js';

type Decoded = ReturnType<typeof dnsPacket.decode> & { rcode?: string };

function udpExchange(port: number, msg: Buffer, timeoutMs = 2000): Promise<Decoded | undefined> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const t = setTimeout(() => {
      sock.close();
      resolve(undefined);
    }, timeoutMs);
    sock.once('message', (m) => {
      clearTimeout(t);
      sock.close();
      try {
        resolve(dnsPacket.decode(m) as Decoded);
      } catch (err) {
        reject(err);
      }
    });
    sock.send(msg, port, '127.0.0.1');
  });
}

function tcpExchange(port: number, msgs: Buffer[]): Promise<Decoded[]> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const out: Decoded[] = [];
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))) as Decoded);
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (out.length === msgs.length) {
        sock.end();
        resolve(out);
      }
    });
    sock.on('error', reject);
    // All queries in one write: the server must split them by their length prefixes.
    sock.write(
      Buffer.concat(
        msgs.map((m) => {
          const framed = Buffer.alloc(2 + m.length);
          framed.writeUInt16BE(m.length, 0);
          m.copy(framed, 2);
          return framed;
        }),
      ),
    );
  });
}

const query = (name: string, type: string, extra: Partial<Packet> = {}) =>
  dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: type as 'A', name }], ...extra });

describe('DNS server', () => {
  const records = new ClusterDNSRecords();
  const metrics = new DNSMetrics();
  const server = new DNSServer({ records, bindAddress: '127.0.0.1', port: 0, metrics });

  beforeAll(async () => {
    records.setService({ metadata: { namespace: 'default', name: 'my-nginx' }, spec: { clusterIP: '10.96.0.50', ports: [{ name: 'http', port: 80 }] } });
    records.setService({ metadata: { namespace: 'default', name: 'big' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] } });
    records.setEndpointSlice({
      metadata: { namespace: 'default', name: 'big-1', labels: { 'kubernetes.io/service-name': 'big' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      endpoints: Array.from({ length: 60 }, (_, i) => ({ addresses: [`10.244.${Math.floor(i / 200)}.${i + 1}`], conditions: { ready: true } })),
    });
    await server.start();
  });
  afterAll(() => server.stop());

  it('answers over UDP: same id and question, RD echoed, authoritative', async () => {
    const res = await udpExchange(server.port, query('my-nginx.default.svc.cluster.local', 'A'));
    assert.ok(res);
    assert.equal(res.id, 4242);
    assert.equal(res.type, 'response');
    assert.equal(res.rcode, 'NOERROR');
    assert.ok(res.flag_aa);
    assert.ok(res.flag_rd);
    assert.deepEqual(res.questions, [{ name: 'my-nginx.default.svc.cluster.local', type: 'A', class: 'IN' }]);
    assert.deepEqual(
      res.answers?.map((a) => [a.name, a.type, (a as { data: unknown }).data]),
      [['my-nginx.default.svc.cluster.local', 'A', '10.96.0.50']],
    );
  });

  it('answers over TCP, several queries on one connection', async () => {
    const [a, b] = await tcpExchange(server.port, [query('my-nginx.default.svc.cluster.local', 'A'), query('missing.default.svc.cluster.local', 'A')]);
    assert.deepEqual(
      a.answers?.map((x) => (x as { data: unknown }).data),
      ['10.96.0.50'],
    );
    assert.equal(b.rcode, 'NXDOMAIN');
    assert.equal(b.authorities?.[0].type, 'SOA');
  });

  it('sets TC on a UDP answer too big for the client (keeping what fits), and gives it all over TCP', async () => {
    const udp = await udpExchange(server.port, query('big.default.svc.cluster.local', 'A'));
    assert.ok(udp?.flag_tc, 'truncated');
    assert.ok((udp?.answers?.length ?? 0) > 0 && (udp?.answers?.length ?? 0) < 60, `as many answers as fit in 512 bytes, got ${udp?.answers?.length}`);
    const [tcp] = await tcpExchange(server.port, [query('big.default.svc.cluster.local', 'A')]);
    assert.ok(!tcp.flag_tc);
    assert.equal(tcp.answers?.length, 60);
  });

  it('uses the EDNS buffer size the client offers, and answers with its own OPT', async () => {
    const opt = { type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
    const res = await udpExchange(server.port, query('big.default.svc.cluster.local', 'A', { additionals: [opt as never] }));
    assert.ok(res && !res.flag_tc);
    assert.equal(res.answers?.length, 60);
    const resOpt = res.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize: number } | undefined;
    assert.equal(resOpt?.udpPayloadSize, EDNS_UDP_SIZE);
  });

  it('refuses names outside the cluster domain at once', async () => {
    const t0 = process.hrtime.bigint();
    const res = await udpExchange(server.port, query('www.example.com', 'A'));
    assert.equal(res?.rcode, 'REFUSED');
    assert.ok(!res?.flag_aa);
    assert.ok(Number(process.hrtime.bigint() - t0) / 1e6 < 1000, 'answered, not timed out');
  });

  it('answers FORMERR to undecodable or multi-question queries, NOTIMP to other opcodes, nothing to runts', async () => {
    const garbage = Buffer.concat([query('x.cluster.local', 'A').subarray(0, 12), Buffer.from([0xff, 0xff, 0xff])]);
    assert.equal((await udpExchange(server.port, garbage))?.rcode, 'FORMERR');
    const two = dnsPacket.encode({
      type: 'query',
      id: 1,
      questions: [
        { type: 'A', name: 'a.cluster.local' },
        { type: 'A', name: 'b.cluster.local' },
      ],
    });
    assert.equal((await udpExchange(server.port, two))?.rcode, 'FORMERR');
    const notify = Buffer.from(query('cluster.local', 'SOA'));
    notify.writeUInt16BE((4 << 11) | 0x100, 2);
    assert.equal((await udpExchange(server.port, notify))?.rcode, 'NOTIMP');
    assert.equal(await udpExchange(server.port, Buffer.from([1, 2, 3]), 300), undefined);
  });

  it('counts requests and responses in coredns_dns_* metrics', async () => {
    const text = await metrics.registry.metrics();
    assert.match(text, /coredns_dns_requests_total\{proto="udp",type="A"\} \d+/);
    assert.match(text, /coredns_dns_responses_total\{rcode="REFUSED"\} [1-9]/);
  });
});
