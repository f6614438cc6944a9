// The kubelet server's TLS: the serving certificate from --tls-cert-file and
// --tls-private-key-file (`timonel up` gives one from the cluster CA), or a
// self-signed one kept in certDir; and, with a client CA, asking clients for a
// certificate, which OpenSSL checks against it (auth/authenticator.ts reads the
// outcome).
import { readFileSync } from 'node:fs';
import type { RequestListener, Server } from 'node:http';
import { createServer } from 'node:https';
import { hostname } from 'node:os';
import { loadOrCreateSelfSignedCert } from '../../util/certs.js';

export interface TLSOptions {
  /** The listening address; a specific one goes into the self-signed certificate. */
  address: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Where a self-signed serving certificate is kept when no files are given (kubelet.crt, kubelet.key). */
  certDir?: string;
  /** Extra names for the self-signed certificate (the node's name and IPs). */
  hostnames?: string[];
  /** Require client certificates signed by this CA (the apiserver's). */
  clientCAFile?: string;
}

function servingCertificate(o: TLSOptions): { cert: string; key: string } {
  if (o.tlsCertFile && o.tlsKeyFile) return { cert: readFileSync(o.tlsCertFile, 'utf8'), key: readFileSync(o.tlsKeyFile, 'utf8') };
  if (!o.certDir) throw new Error('kubelet server: give tlsCertFile and tlsKeyFile, or certDir for a self-signed certificate');
  const names = [
    ...new Set([hostname(), 'localhost', '127.0.0.1', ...(o.hostnames ?? []), ...(o.address !== '0.0.0.0' && o.address !== '::' ? [o.address] : [])]),
  ];
  return loadOrCreateSelfSignedCert(o.certDir, 'kubelet', `${hostname()}@${Math.floor(Date.now() / 1000)}`, names);
}

/** An HTTPS server; with a client CA it asks for client certificates but takes connections without one: the filter decides per request. */
export function createTLSServer(o: TLSOptions, onRequest: RequestListener): Server {
  const { cert, key } = servingCertificate(o);
  const ca = o.clientCAFile ? readFileSync(o.clientCAFile, 'utf8') : undefined;
  return createServer({ cert, key, ...(ca ? { ca, requestCert: true, rejectUnauthorized: false } : {}) }, onRequest);
}
