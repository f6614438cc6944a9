// The cluster DNS server: UDP and TCP on one address and port, answering from
// ClusterDNSRecords. Names outside the cluster and reverse zones are REFUSED at
// once: nothing is forwarded (the machines have no upstream to forward to).
import { createSocket, type Socket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket as TCPSocket } from 'node:net';
import { performance } from 'node:perf_hooks';
import dnsPacket from 'dns-packet';
import type { Answer, Packet, Question } from 'dns-packet';
import type { Logger } from '../util/log.js';
import type { DNSMetrics } from './metrics.js';
import type { ClusterDNSRecords, RR } from './records.js';

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type RcodeName = keyof typeof RCODE;

const QR = 0x8000;
const AA = 0x400;
const TC = 0x200;
const RD = 0x100;
/** Plain DNS over UDP without EDNS (RFC 1035). */
const UDP_DEFAULT_MAX = 512;
/** The UDP payload size this server offers with EDNS (the DNS flag day 2020 value). */
export const EDNS_UDP_SIZE = 1232;
const UDP_MAX_CEILING = 4096;

export interface DNSServerOptions {
  records: ClusterDNSRecords;
  bindAddress: string;
  /** 0 picks a free port (the same for UDP and TCP). */
  port: number;
  metrics?: DNSMetrics;
  log?: Logger;
  tcpIdleTimeoutMs?: number;
}

function toAnswer(rr: RR): Answer {
  return { name: rr.name, type: rr.type, ttl: rr.ttl, class: 'IN', data: rr.data } as Answer;
}

export class DNSServer {
  private udp?: Socket;
  private tcp?: Server;
  private readonly conns = new Set<TCPSocket>();
  private boundPort = 0;

  constructor(private readonly opts: DNSServerOptions) {}

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    const family = isIPv6(this.opts.bindAddress) ? 'udp6' : 'udp4';
    // With port 0 the UDP port is picked first; TCP then takes the same number (retrying if it is taken).
    for (let attempt = 0; ; attempt++) {
      const udp = createSocket({ type: family, reuseAddr: false });
      await new Promise<void>((resolve, reject) => {
        udp.once('error', (err: NodeJS.ErrnoException) =>
          reject(
            new Error(`cannot listen on udp ${this.opts.bindAddress}:${this.opts.port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`),
          ),
        );
        udp.bind(this.opts.port, this.opts.bindAddress, () => resolve());
      });
      const port = udp.address().port;
      const tcp = createServer((sock) => this.onConnection(sock));
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', (err: NodeJS.ErrnoException) =>
            reject(new Error(`cannot listen on tcp ${this.opts.bindAddress}:${port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`)),
          );
          tcp.listen(port, this.opts.bindAddress, () => resolve());
        });
      } catch (err) {
        udp.close();
        if (this.opts.port === 0 && attempt < 5) continue;
        throw err;
      }
      udp.on('message', (msg, rinfo) => this.onDatagram(udp, msg, rinfo.address, rinfo.port));
      udp.on('error', (err) => this.opts.log?.(`udp socket error: ${err.message}`));
      tcp.on('error', (err) => this.opts.log?.(`tcp server error: ${err.message}`));
      this.udp = udp;
      this.tcp = tcp;
      this.boundPort = port;
      return;
    }
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.destroy();
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
    ]);
    this.udp = undefined;
    this.tcp = undefined;
  }

  private onDatagram(sock: Socket, msg: Buffer, address: string, port: number): void {
    const reply = this.respond(msg, 'udp');
    if (reply) sock.send(reply, port, address);
  }

  private onConnection(sock: TCPSocket): void {
    this.conns.add(sock);
    sock.setTimeout(this.opts.tcpIdleTimeoutMs ?? 10_000, () => sock.destroy());
    sock.on('close', () => this.conns.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf: Buffer = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      // Each message is preceded by its length in two bytes (RFC 1035 4.2.2); several may arrive at once.
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        const reply = this.respond(msg, 'tcp');
        if (!reply) continue;
        const framed = Buffer.allocUnsafe(2 + reply.length);
        framed.writeUInt16BE(reply.length, 0);
        reply.copy(framed, 2);
        sock.write(framed);
      }
    });
  }

  /** The reply to one message, or undefined when it deserves none (too short to answer, or itself a response). */
  respond(msg: Buffer, proto: 'udp' | 'tcp'): Buffer | undefined {
    const start = performance.now();
    if (msg.length < 12) return undefined;
    const id = msg.readUInt16BE(0);
    const rawFlags = msg.readUInt16BE(2);
    if (rawFlags & QR) return undefined;
    const opcode = (rawFlags >> 11) & 0xf;
    const rd = rawFlags & RD;
    let query: Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return this.finish(this.encodeError(id, opcode, rd, [], 'FORMERR'), proto, 'FORMERR', 'unknown', start);
    }
    const questions = (query.questions ?? []) as Question[];
    if (opcode !== 0) return this.finish(this.encodeError(id, opcode, rd, questions, 'NOTIMP'), proto, 'NOTIMP', 'unknown', start);
    if (questions.length !== 1) return this.finish(this.encodeError(id, opcode, rd, questions, 'FORMERR'), proto, 'FORMERR', 'unknown', start);
    const q = questions[0];
    const qtype = String(q.type);
    if (q.class && q.class !== 'IN' && q.class !== 'ANY')
      return this.finish(this.encodeError(id, opcode, rd, questions, 'REFUSED'), proto, 'REFUSED', qtype, start);

    const optIn = (query.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
    const optOut: Answer[] = optIn
      ? [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_UDP_SIZE, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] } as Answer]
      : [];
    const res = this.opts.records.lookup(q.name, qtype);
    const flags = (opcode << 11) | (res.authoritative ? AA : 0) | rd | RCODE[res.rcode];
    const packet: Packet = {
      id,
      type: 'response',
      flags,
      questions: [q],
      answers: res.answers.map(toAnswer),
      authorities: res.authorities.map(toAnswer),
      additionals: [...res.additionals.map(toAnswer), ...optOut],
    };
    let out = dnsPacket.encode(packet);
    if (proto === 'udp') {
      const max = optIn ? Math.min(UDP_MAX_CEILING, Math.max(UDP_DEFAULT_MAX, optIn.udpPayloadSize ?? UDP_DEFAULT_MAX)) : UDP_DEFAULT_MAX;
      if (out.length > max) {
        // Too big for this client over UDP: as many answers as fit and TC, so a client that can retries over TCP
        // and one that cannot (older musl) still gets some.
        const answers = packet.answers ?? [];
        const fit = (k: number) => dnsPacket.encode({ ...packet, flags: flags | TC, answers: answers.slice(0, k), authorities: [], additionals: optOut });
        let lo = 0;
        let hi = answers.length;
        while (lo < hi) {
          const mid = Math.ceil((lo + hi) / 2);
          if (fit(mid).length <= max) lo = mid;
          else hi = mid - 1;
        }
        out = fit(lo);
      }
    }
    if (this.opts.log) this.opts.log.v(4)(`${proto} ${q.name} ${qtype} -> ${res.rcode} (${res.answers.length} answers)`);
    return this.finish(out, proto, res.rcode, qtype, start);
  }

  private encodeError(id: number, opcode: number, rd: number, questions: Question[], rcode: RcodeName): Buffer {
    return dnsPacket.encode({ id, type: 'response', flags: (opcode << 11) | rd | RCODE[rcode], questions, answers: [], authorities: [], additionals: [] });
  }

  private finish(out: Buffer, proto: 'udp' | 'tcp', rcode: string, qtype: string, start: number): Buffer {
    const m = this.opts.metrics;
    if (m) {
      m.requests.labels(proto, qtype).inc();
      m.responses.labels(rcode).inc();
      m.duration.labels(qtype).observe((performance.now() - start) / 1000);
    }
    return out;
  }
}
