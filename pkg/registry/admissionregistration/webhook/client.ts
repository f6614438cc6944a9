// Calling one webhook (upstream's webhook ClientManager and its REST client): a
// POST of the AdmissionReview over TLS, verified against the webhook's caBundle,
// to its URL or to its Service. A Service is reached at one of its ready
// endpoints (as kube-apiserver with --enable-aggregator-routing), so the call does
// not depend on a proxy on the apiserver's host; the certificate must still name
// <service>.<namespace>.svc. Conversion webhooks of custom resources go through
// the same post (postWebhook), worded their own way. Every failure of an admission
// call is a CallError, which the webhook's failurePolicy decides about.
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
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

/**
 * How a post to a webhook failed: `call` (no answer: unresolvable Service, dial or TLS
 * failure, timeout, oversized answer; detail starts with `Post "<url>"` where Go's client
 * says so), `status` (an answer outside 2xx) or `decode` (the answer is not JSON).
 */
export class WebhookPostError extends Error {
  constructor(
    readonly stage: 'call' | 'status' | 'decode',
    readonly detail: string,
    readonly statusCode?: number,
    readonly responseBody?: string,
  ) {
    super(detail);
  }
}

/** An address the apiserver connects to for a Service's port, or an error message. */
export type ServiceResolver = (namespace: string, name: string, port: number) => Promise<{ host: string; port: number } | { error: string }>;

/**
 * Connections to webhooks are kept alive and reused, as upstream's webhook clients do, so
 * that a call does not pay for a TLS handshake. The agent keeps sockets apart by address,
 * CA and server name; checkServerIdentity runs on each new connection.
 */
const keepAlive = new Agent({ keepAlive: true, maxFreeSockets: 32 });

/** Answers larger than this are refused: a webhook is not trusted to bound itself. */
const MAX_RESPONSE_BYTES = 3 << 20;

/** An admission webhook call: every failure a CallError worded as upstream's admission plugins word it. */
export async function callWebhook(
  webhookName: string,
  config: WebhookClientConfig,
  timeoutSeconds: number,
  body: string,
  resolveService: ServiceResolver,
): Promise<unknown> {
  try {
    return await postWebhook(config, timeoutSeconds, body, resolveService);
  } catch (err) {
    if (!(err instanceof WebhookPostError)) throw err;
    if (err.stage === 'status')
      throw new CallError(
        webhookName,
        `failed to call webhook: the server responded with the status code ${err.statusCode} but did not return more information`,
      );
    if (err.stage === 'decode') throw new CallError(webhookName, `received invalid webhook response: ${err.detail}`);
    throw new CallError(webhookName, err.detail === 'no url or service in clientConfig' ? err.detail : `failed to call webhook: ${err.detail}`);
  }
}

/** POSTs a JSON body to a webhook and returns its decoded JSON answer; failures are WebhookPostErrors. */
export async function postWebhook(config: WebhookClientConfig, timeoutSeconds: number, body: string, resolveService: ServiceResolver): Promise<unknown> {
  let url: URL;
  let connectTo: { host: string; port: number } | undefined;
  let servername: string;
  if (config.url !== undefined) {
    url = new URL(config.url);
    servername = url.hostname;
  } else {
    const svc = config.service;
    if (!svc) throw new WebhookPostError('call', 'no url or service in clientConfig');
    const port = svc.port ?? 443;
    servername = `${svc.name}.${svc.namespace}.svc`;
    url = new URL(`https://${servername}:${port}${svc.path ?? ''}`);
    const resolved = await resolveService(svc.namespace, svc.name, port);
    if ('error' in resolved) throw new WebhookPostError('call', resolved.error);
    connectTo = resolved;
  }
  url.searchParams.set('timeout', `${timeoutSeconds}s`);
  const ca = config.caBundle ? Buffer.from(config.caBundle, 'base64').toString() : undefined;
  const where = `Post "${url.toString()}"`;
  const send = (retry: boolean) =>
    new Promise<unknown>((resolveCall, rejectCall) => {
      // The first outcome counts: destroying the request (timeout, oversized answer) also raises 'error'.
      let settled = false;
      const resolve = (v: unknown) => {
        if (!settled) resolveCall(v);
        settled = true;
      };
      const reject = (err: unknown) => {
        if (!settled) rejectCall(err);
        settled = true;
      };
      const fail = (reason: string) => reject(new WebhookPostError('call', `${where}: ${reason}`));
      const options: RequestOptions = {
        method: 'POST',
        host: connectTo?.host ?? url.hostname.replace(/^\[|\]$/g, ''),
        port: connectTo?.port ?? (url.port ? Number(url.port) : 443),
        path: `${url.pathname}${url.search}`,
        agent: keepAlive,
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
            reject(new WebhookPostError('status', `the server responded with the status code ${res.statusCode}`, res.statusCode, text));
            return;
          }
          try {
            resolve(JSON.parse(text) as unknown);
          } catch (err) {
            reject(new WebhookPostError('decode', (err as Error).message));
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
        // A kept-alive connection the server closed meanwhile: the request never reached it; send it once more.
        if (settled) return;
        if (retry && req.reusedSocket && err.code === 'ECONNRESET') {
          resolve(send(false));
          return;
        }
        fail(dialError(err, req.host ?? '', connectTo?.port ?? Number(url.port || 443)));
      });
      req.end(body);
    });
  return send(true);
}

/** How Go reports the common dial failures, so messages read as upstream's. */
function dialError(err: NodeJS.ErrnoException, host: string, port: number): string {
  if (err.code === 'ECONNREFUSED') return `dial tcp ${host}:${port}: connect: connection refused`;
  if (err.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || err.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || err.code === 'SELF_SIGNED_CERT_IN_CHAIN')
    return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  return err.message;
}
