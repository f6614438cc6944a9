// Calling one webhook (upstream's webhook ClientManager and its REST client): a
// POST of the AdmissionReview over TLS, verified against the webhook's caBundle,
// to its URL or to its Service. A Service is reached at one of its ready
// endpoints (as kube-apiserver with --enable-aggregator-routing), so the call does
// not depend on a proxy on the apiserver's host; the certificate must still name
// <service>.<namespace>.svc. Every failure is a CallError, which the webhook's
// failurePolicy decides about.
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import type { WebhookClientConfig } from '../../../../api/admissionregistration/v1/types.js';

/** Upstream's ErrCallingWebhook: the call itself failed (not a refusal by the webhook). */
export class CallError extends Error {
  constructor(
    readonly webhookName: string,
    reason: string,
  ) {
    super(`failed calling webhook "${webhookName}": ${reason}`);
  }
}

/** An address the apiserver connects to for a Service's port, or an error message. */
export type ServiceResolver = (namespace: string, name: string, port: number) => Promise<{ host: string; port: number } | { error: string }>;

/** Answers larger than this are refused: a webhook is not trusted to bound itself. */
const MAX_RESPONSE_BYTES = 3 << 20;

export async function callWebhook(
  webhookName: string,
  config: WebhookClientConfig,
  timeoutSeconds: number,
  body: string,
  resolveService: ServiceResolver,
): Promise<unknown> {
  let url: URL;
  let connectTo: { host: string; port: number } | undefined;
  let servername: string;
  if (config.url !== undefined) {
    url = new URL(config.url);
    servername = url.hostname;
  } else {
    const svc = config.service;
    if (!svc) throw new CallError(webhookName, 'no url or service in clientConfig');
    const port = svc.port ?? 443;
    servername = `${svc.name}.${svc.namespace}.svc`;
    url = new URL(`https://${servername}:${port}${svc.path ?? ''}`);
    const resolved = await resolveService(svc.namespace, svc.name, port);
    if ('error' in resolved) throw new CallError(webhookName, `failed to call webhook: ${resolved.error}`);
    connectTo = resolved;
  }
  url.searchParams.set('timeout', `${timeoutSeconds}s`);
  const ca = config.caBundle ? Buffer.from(config.caBundle, 'base64').toString() : undefined;
  const where = `Post "${url.toString()}"`;
  return new Promise((resolve, reject) => {
    const fail = (reason: string) => reject(new CallError(webhookName, `failed to call webhook: ${where}: ${reason}`));
    const options: RequestOptions = {
      method: 'POST',
      host: connectTo?.host ?? url.hostname.replace(/^\[|\]$/g, ''),
      port: connectTo?.port ?? (url.port ? Number(url.port) : 443),
      path: `${url.pathname}${url.search}`,
      agent: false,
      headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
    };
    if (ca) options.ca = ca;
    if (!isIP(servername)) options.servername = servername;
    // The Service's name is what the certificate must show, whatever address was dialled.
    if (connectTo) options.checkServerIdentity = (_host, cert) => checkServerIdentity(servername, cert);
    const req = httpsRequest(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size > MAX_RESPONSE_BYTES) {
          req.destroy();
          fail(`the response is larger than ${MAX_RESPONSE_BYTES} bytes`);
          return;
        }
        chunks.push(d);
      });
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString();
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) > 299) {
          reject(
            new CallError(
              webhookName,
              `failed to call webhook: the server responded with the status code ${res.statusCode} but did not return more information`,
            ),
          );
          return;
        }
        try {
          resolve(JSON.parse(text) as unknown);
        } catch (err) {
          reject(new CallError(webhookName, `received invalid webhook response: ${(err as Error).message}`));
        }
      });
      res.on('error', (err) => fail(err.message));
    });
    const timer = setTimeout(() => {
      req.destroy();
      fail('context deadline exceeded');
    }, timeoutSeconds * 1000);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(dialError(err, req.host ?? '', connectTo?.port ?? Number(url.port || 443)));
    });
    req.end(body);
  });
}

/** How Go reports the common dial failures, so messages read as upstream's. */
function dialError(err: NodeJS.ErrnoException, host: string, port: number): string {
  if (err.code === 'ECONNREFUSED') return `dial tcp ${host}:${port}: connect: connection refused`;
  if (err.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || err.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || err.code === 'SELF_SIGNED_CERT_IN_CHAIN')
    return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  return err.message;
}
