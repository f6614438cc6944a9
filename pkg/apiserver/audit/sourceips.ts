// An audit event's sourceIPs, as k8s.io/apimachinery's utilnet.SourceIPs finds
// them: every valid address of X-Forwarded-For, then X-Real-Ip unless already
// listed, then the connection's own address (which cannot be spoofed) unless it is
// already the last one. Addresses are written as Go writes a net.IP.
import { isIPv4, isIPv6 } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** Go's ParseIPSloppy then IP.String(): undefined for anything that is not an address. */
export function canonicalIP(text: string): string | undefined {
  const s = text.trim();
  // Sloppy: leading zeros in an IPv4 octet are read as decimal.
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const octets = v4.slice(1).map(Number);
    return octets.every((o) => o <= 255) ? octets.join('.') : undefined;
  }
  if (!s.includes(':') || s.includes('%') || !isIPv6(s)) return undefined;
  // An IPv4-mapped address is written as the IPv4 address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  const host = new URL(`http://[${s}]/`).hostname.slice(1, -1);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (hex) {
    const a = parseInt(hex[1], 16);
    const b = parseInt(hex[2], 16);
    return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
  }
  return host;
}

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

export function sourceIPs(req: IncomingMessage): string[] {
  const ips: string[] = [];
  const forwardedFor = header(req, 'x-forwarded-for');
  if (forwardedFor) {
    for (const part of forwardedFor.split(',')) {
      const ip = canonicalIP(part);
      if (ip) ips.push(ip);
    }
  }
  const realIP = header(req, 'x-real-ip');
  if (realIP) {
    const ip = canonicalIP(realIP);
    if (ip && !ips.includes(ip)) ips.push(ip);
  }
  const remote = req.socket?.remoteAddress ? canonicalIP(req.socket.remoteAddress) : undefined;
  if (remote && (ips.length === 0 || ips[ips.length - 1] !== remote)) ips.push(remote);
  return ips;
}
