// The subresources a kubelet answers: pods/log, pods/exec, pods/attach,
// pods/portforward and nodes/proxy. The apiserver finds the pod's node, builds
// the kubelet's URL as kube-apiserver does (/containerLogs/..., /exec/...?input=1,
// /portForward/...) and relays: log streams as they come, upgrade requests
// (WebSocket or SPDY) byte for byte over TLS. It authenticates to the kubelet
// with a client certificate from the cluster CA and, as kube-apiserver, verifies
// the kubelet's serving certificate against --kubelet-certificate-authority (for
// the address it connects to) when given one, and not without it.
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Node, NodeStatus } from '../../api/core/v1/types.js';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Request, Response } from 'express';
import type { KubeObject } from '../../api/meta/v1/types.js';
import { StatusError, newBadRequest, newInternalError, newInvalid, newNotFound, type StatusCause } from '../../api/meta/v1/status.js';
import type { CertKeyPair } from '../util/certs.js';
import { unescapeSegment } from './resourcerequest.js';
import { queryBool } from '../util/queryparams.js';
import { requestAudit } from './audit/context.js';

export const DEFAULT_KUBELET_PORT = 10250;

// ---- upgrade requests through express ----

interface PendingUpgrade {
  socket: Duplex;
  head: Buffer;
  taken: boolean;
}

const pendingUpgrades = new WeakMap<IncomingMessage, PendingUpgrade>();

/**
 * Runs an HTTP upgrade request (the server's 'upgrade' event) through the
 * normal request handler, so routing and authentication apply to it as to any
 * request. A handler that wants the connection calls takeUpgrade(); otherwise
 * the answer it writes goes out as a plain response and the connection closes.
 */
export function dispatchUpgrade(handler: (req: IncomingMessage, res: ServerResponse) => void, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const pending: PendingUpgrade = { socket, head, taken: false };
  pendingUpgrades.set(req, pending);
  socket.on('error', () => undefined);
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.on('finish', () => {
    if (!pending.taken) socket.end();
  });
  handler(req, res);
}

/** The raw connection of an upgrade request, once; undefined for ordinary requests. */
export function takeUpgrade(req: IncomingMessage): { socket: Duplex; head: Buffer } | undefined {
  const p = pendingUpgrades.get(req);
  if (!p || p.taken) return undefined;
  p.taken = true;
  requestAudit(req)?.hijacked();
  return { socket: p.socket, head: p.head };
}

function isUpgradeRequest(req: IncomingMessage): boolean {
  return pendingUpgrades.has(req) && /upgrade/i.test(String(req.headers.connection ?? '')) && !!req.headers.upgrade;
}

// ---- where the kubelet is ----

export interface KubeletLocation {
  host: string;
  port: number;
}

/** InternalIP first, then ExternalIP, then Hostname; the port from status.daemonEndpoints. */
export function kubeletLocation(node: KubeObject): KubeletLocation {
  const status: NodeStatus = (node as Node).status ?? {};
  const addrs = status.addresses ?? [];
  const pick = ['InternalIP', 'ExternalIP', 'Hostname', 'InternalDNS', 'ExternalDNS'].map((t) => addrs.find((a) => a.type === t && a.address)).find(Boolean);
  if (!pick) {
    throw new StatusError(
      503,
      'ServiceUnavailable',
      `no preferred addresses found for node "${node.metadata.name}"; known addresses: [${addrs.map((a) => `${a.type}=${a.address}`).join(' ')}]`,
    );
  }
  const port = status.daemonEndpoints?.kubeletEndpoint?.Port || DEFAULT_KUBELET_PORT;
  return { host: pick.address, port };
}

function hostPort(l: KubeletLocation): string {
  return l.host.includes(':') ? `[${l.host}]:${l.port}` : `${l.host}:${l.port}`;
}

// ---- pods: which container, which options ----

interface PodSpecLike {
  nodeName?: string;
  containers?: { name: string }[];
  initContainers?: { name: string }[];
  ephemeralContainers?: { name: string }[];
}

function allContainerNames(spec: PodSpecLike): string[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])].map((c) => c.name);
}

/** The container a request is about, with kube-apiserver's errors (validateContainer). */
export function validateContainer(pod: KubeObject, container: string | null): string {
  const spec = (pod.spec ?? {}) as PodSpecLike;
  const name = pod.metadata.name;
  if (!container) {
    const cs = spec.containers ?? [];
    if (cs.length === 1) return cs[0].name;
    if (cs.length === 0) throw newBadRequest(`a container name must be specified for pod ${name}`);
    throw newBadRequest(`a container name must be specified for pod ${name}, choose one of: [${allContainerNames(spec).join(' ')}]`);
  }
  if (!allContainerNames(spec).includes(container)) throw newBadRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

function boolQuery(q: URLSearchParams, name: string): boolean {
  return queryBool(q.get(name));
}

/** PodLogOptions from the query, validated as ValidatePodLogOptions does, as kubelet parameters. */
export function kubeletLogQuery(q: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  const causes: StatusCause[] = [];
  const int = (name: string, min: number, must: string): number | undefined => {
    const v = q.get(name);
    if (v === null || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw newBadRequest(`invalid value for ${name}: ${JSON.stringify(v)}`);
    const n = Number(v);
    if (n < min) causes.push({ reason: 'FieldValueInvalid', field: name, message: `Invalid value: ${n}: ${must}` });
    return n;
  };
  for (const b of ['follow', 'previous', 'timestamps']) if (boolQuery(q, b)) out.set(b, 'true');
  const tail = int('tailLines', 0, 'must be greater than or equal to 0');
  const limit = int('limitBytes', 1, 'must be greater than 0');
  const sinceSeconds = int('sinceSeconds', 1, 'must be greater than 0');
  const sinceTime = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime)
    causes.push({ reason: 'FieldValueForbidden', field: '', message: 'at most one of `sinceTime` or `sinceSeconds` may be specified' });
  if (sinceTime && Number.isNaN(Date.parse(sinceTime))) throw newBadRequest(`invalid value for sinceTime: ${JSON.stringify(sinceTime)}`);
  const stream = q.get('stream');
  if (stream && !['All', 'Stdout', 'Stderr'].includes(stream))
    causes.push({ reason: 'FieldValueNotSupported', field: 'stream', message: `Unsupported value: "${stream}": supported values: "All", "Stderr", "Stdout"` });
  if (stream && stream !== 'All' && tail !== undefined)
    causes.push({ reason: 'FieldValueForbidden', field: '', message: 'tailLines cannot be specified when stream is not All' });
  if (causes.length) throw newInvalid('PodLogOptions', '', '', causes);
  if (sinceSeconds !== undefined) out.set('sinceSeconds', String(sinceSeconds));
  if (sinceTime) out.set('sinceTime', new Date(Date.parse(sinceTime)).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  if (tail !== undefined) out.set('tailLines', String(tail));
  if (limit !== undefined) out.set('limitBytes', String(limit));
  if (stream) out.set('stream', stream);
  return out;
}

/** PodExecOptions / PodAttachOptions as the kubelet's parameters (input=1, output=1, error=1, tty=1, command=...). */
export function kubeletStreamQuery(q: URLSearchParams, withCommand: boolean): URLSearchParams {
  const out = new URLSearchParams();
  if (boolQuery(q, 'stdin')) out.set('input', '1');
  if (boolQuery(q, 'stdout')) out.set('output', '1');
  if (boolQuery(q, 'stderr')) out.set('error', '1');
  if (boolQuery(q, 'tty')) out.set('tty', '1');
  if (withCommand) for (const c of q.getAll('command')) out.append('command', c);
  return out;
}

/**
 * The options object of a CONNECT request, as admission sees it (PodExecOptions,
 * PodAttachOptions, PodPortForwardOptions, NodeProxyOptions).
 */
export function connectOptions(subresource: 'exec' | 'attach' | 'portforward' | 'proxy', q: URLSearchParams, path = ''): KubeObject {
  const base = { apiVersion: 'v1', metadata: {} };
  if (subresource === 'portforward') {
    const ports = q
      .getAll('ports')
      .flatMap((p) => p.split(','))
      .filter(Boolean)
      .map(Number);
    return { ...base, kind: 'PodPortForwardOptions', ...(ports.length ? { ports } : {}) };
  }
  if (subresource === 'proxy') return { ...base, kind: 'NodeProxyOptions', path };
  const streams = { stdin: boolQuery(q, 'stdin'), stdout: boolQuery(q, 'stdout'), stderr: boolQuery(q, 'stderr'), tty: boolQuery(q, 'tty') };
  const container = q.get('container') ?? undefined;
  if (subresource === 'attach') return { ...base, kind: 'PodAttachOptions', ...streams, container };
  return { ...base, kind: 'PodExecOptions', ...streams, container, command: q.getAll('command') };
}

/** What a kubelet error response becomes (GenericHttpResponseChecker). */
export function statusFromKubelet(code: number, body: string, resource: string, name: string): StatusError {
  let text = body.trim();
  try {
    // Some kubelet answers are a metav1.Status already; its message is the part to show.
    const s = JSON.parse(text) as { kind?: string; message?: string };
    if (s && s.kind === 'Status' && typeof s.message === 'string') text = s.message;
  } catch {
    // Plain text, as the kubelet writes most errors.
  }
  if (code === 400) return newBadRequest(text);
  if (code === 401 || code === 403)
    return new StatusError(code, code === 401 ? 'Unauthorized' : 'Forbidden', `the kubelet refused the apiserver (${code}): ${text}`);
  if (code === 404) {
    const e = newNotFound({ group: '', resource, name });
    return text ? new StatusError(404, 'NotFound', text, e.details) : e;
  }
  if (code === 500) return newInternalError(new Error(text));
  if (code === 503) return new StatusError(503, 'ServiceUnavailable', text);
  return new StatusError(code, '', text || `the kubelet answered ${code}`);
}

// ---- the proxy ----

export interface NodeProxyOptions {
  getNode(name: string): Promise<KubeObject | undefined>;
  /** The apiserver's client certificate for kubelets (--kubelet-client-certificate/-key). */
  clientCert?: CertKeyPair;
  /** --kubelet-certificate-authority: the CA kubelets' serving certificates must come from. */
  ca?: string;
  /** How long to wait for a kubelet to accept the connection. */
  connectTimeoutMs?: number;
}

const UPGRADE_HEADER_DROP = new Set([
  'host',
  'authorization',
  'proxy-authorization',
  'cookie',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
]);

export class NodeProxy {
  constructor(private readonly opts: NodeProxyOptions) {}

  async nodeByName(nodeName: string): Promise<KubeObject> {
    const node = await this.opts.getNode(nodeName);
    if (!node) throw newNotFound({ group: '', resource: 'nodes', name: nodeName });
    return node;
  }

  private async locate(nodeName: string): Promise<KubeletLocation> {
    return kubeletLocation(await this.nodeByName(nodeName));
  }

  /** The client certificate, and the CA the kubelet's certificate is checked against (none: not checked). */
  private tlsOptions(): { cert?: string; key?: string; ca?: string; rejectUnauthorized: boolean } {
    const { clientCert, ca } = this.opts;
    return { cert: clientCert?.cert, key: clientCert?.key, ca, rejectUnauthorized: ca !== undefined };
  }

  private unreachable(nodeName: string, l: KubeletLocation, err: Error): StatusError {
    return new StatusError(503, 'ServiceUnavailable', `error trying to reach the kubelet of node "${nodeName}" at https://${hostPort(l)}: ${err.message}`);
  }

  /**
   * GET of a kubelet path by the apiserver itself (the resource metrics): the body when the
   * kubelet answers 200, else an error; at most maxBytes, within timeoutMs.
   */
  async getFromKubelet(node: KubeObject, path: string, timeoutMs = 10_000, maxBytes = 64 * 1024 * 1024): Promise<string> {
    const l = kubeletLocation(node);
    const nodeName = node.metadata.name ?? '';
    return new Promise((resolve, reject) => {
      const kreq = httpsRequest({
        host: l.host,
        port: l.port,
        method: 'GET',
        path,
        headers: { Accept: 'text/plain' },
        ...this.tlsOptions(),
        timeout: timeoutMs,
      });
      const timer = setTimeout(() => kreq.destroy(new Error('timed out waiting for the kubelet')), timeoutMs);
      kreq.on('timeout', () => kreq.destroy(new Error('timed out waiting for the kubelet')));
      kreq.on('error', (err) => {
        clearTimeout(timer);
        reject(this.unreachable(nodeName, l, err));
      });
      kreq.on('response', (kres) => {
        const chunks: Buffer[] = [];
        let size = 0;
        kres.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) kreq.destroy(new Error(`answer larger than ${maxBytes} bytes`));
          else chunks.push(c);
        });
        kres.on('end', () => {
          clearTimeout(timer);
          const body = Buffer.concat(chunks).toString();
          if (kres.statusCode === 200) resolve(body);
          else reject(statusFromKubelet(kres.statusCode ?? 500, body, 'nodes', nodeName));
        });
      });
      kreq.end();
    });
  }

  /** pods/{name}/log */
  async podLog(req: Request, res: Response, pod: KubeObject): Promise<void> {
    const q = queryOf(req);
    const container = validateContainer(pod, q.get('container'));
    const kq = kubeletLogQuery(q);
    const nodeName = ((pod.spec ?? {}) as PodSpecLike).nodeName;
    // A pod that is not scheduled has no logs yet: an empty answer, as kube-apiserver gives.
    if (!nodeName) {
      res.status(200).type('text/plain').end();
      return;
    }
    const l = await this.locate(nodeName);
    const podName = pod.metadata.name ?? '';
    const path = `/containerLogs/${encodeURIComponent(pod.metadata.namespace ?? '')}/${encodeURIComponent(podName)}/${encodeURIComponent(container)}`;
    await this.relay(req, res, nodeName, l, 'GET', path + (kq.size ? `?${kq}` : ''), undefined, { resource: 'pods/log', name: podName, translateErrors: true });
  }

  /** pods/{name}/exec|attach|portforward: upgrade requests relayed to the kubelet. */
  async podStream(req: Request, res: Response, verb: 'exec' | 'attach' | 'portforward', pod: KubeObject): Promise<void> {
    const q = queryOf(req);
    const spec = (pod.spec ?? {}) as PodSpecLike;
    const ns = encodeURIComponent(pod.metadata.namespace ?? '');
    const name = encodeURIComponent(pod.metadata.name ?? '');
    let path: string;
    if (verb === 'portforward') {
      const ports = q
        .getAll('ports')
        .flatMap((p) => p.split(','))
        .filter(Boolean);
      for (const p of ports) {
        if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535)
          throw newBadRequest(`invalid port ${JSON.stringify(p)}: must be between 1 and 65535, inclusive`);
      }
      path = `/portForward/${ns}/${name}` + (ports.length ? `?port=${ports.join(',')}` : '');
    } else {
      const container = validateContainer(pod, q.get('container'));
      const kq = kubeletStreamQuery(q, verb === 'exec');
      path = `/${verb}/${ns}/${name}/${encodeURIComponent(container)}?${kq}`;
    }
    if (!spec.nodeName) throw newBadRequest(`pod ${pod.metadata.name} does not have a host assigned`);
    if (!isUpgradeRequest(req)) throw newBadRequest('Upgrade request required');
    const l = await this.locate(spec.nodeName);
    await this.relayUpgrade(req, res, spec.nodeName, l, path);
  }

  /** nodes/{name}/proxy[/{path}]: any request, passed to the kubelet as it is. */
  async proxyToNode(req: Request, res: Response, node: KubeObject, subpath: string): Promise<void> {
    const l = kubeletLocation(node);
    const nodeName = node.metadata.name ?? '';
    const u = new URL(req.originalUrl, 'http://x');
    const path = (subpath.startsWith('/') ? subpath : `/${subpath}`) + u.search;
    if (isUpgradeRequest(req)) return this.relayUpgrade(req, res, nodeName, l, path);
    const body = Buffer.isBuffer(req.body) && req.body.length ? req.body : undefined;
    await this.relay(req, res, nodeName, l, req.method, path, body, { resource: 'nodes', name: nodeName, translateErrors: false });
  }

  private relay(
    req: Request,
    res: Response,
    nodeName: string,
    l: KubeletLocation,
    method: string,
    path: string,
    body: Buffer | undefined,
    how: { resource: string; name: string; translateErrors: boolean },
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Accept: req.get('accept') ?? '*/*' };
      if (body) {
        headers['Content-Length'] = String(body.length);
        const ct = req.get('content-type');
        if (ct) headers['Content-Type'] = ct;
      }
      const kreq = httpsRequest({
        host: l.host,
        port: l.port,
        method,
        path,
        headers,
        ...this.tlsOptions(),
        timeout: this.opts.connectTimeoutMs ?? 10_000,
      });
      let answered = false;
      kreq.on('timeout', () => {
        if (!answered) kreq.destroy(new Error('timed out waiting for the kubelet'));
      });
      kreq.on('error', (err) => {
        if (!answered) reject(this.unreachable(nodeName, l, err));
        else res.end();
      });
      // The client went away (Ctrl-C on kubectl logs -f): stop the kubelet's stream too.
      res.on('close', () => kreq.destroy());
      kreq.on('response', (kres) => {
        answered = true;
        kreq.setTimeout(0);
        const code = kres.statusCode ?? 500;
        if (how.translateErrors && (code < 200 || code > 206)) {
          const chunks: Buffer[] = [];
          kres.on('data', (c: Buffer) => {
            if (chunks.reduce((n, b) => n + b.length, 0) < 64 * 1024) chunks.push(c);
          });
          kres.on('end', () => reject(statusFromKubelet(code, Buffer.concat(chunks).toString(), how.resource, how.name)));
          kres.on('error', (err) => reject(this.unreachable(nodeName, l, err)));
          return;
        }
        res.status(code);
        for (const h of ['content-type', 'content-encoding', 'cache-control', 'location']) {
          const v = kres.headers[h];
          if (v !== undefined) res.setHeader(h, v);
        }
        if (!kres.headers['content-type']) res.setHeader('Content-Type', 'text/plain');
        res.flushHeaders();
        kres.on('data', (c: Buffer) => res.write(c));
        kres.on('end', () => {
          res.end();
          resolve();
        });
        kres.on('error', () => {
          res.end();
          resolve();
        });
      });
      kreq.end(body);
    });
  }

  /** Replays the upgrade request to the kubelet over TLS and joins the two connections byte for byte. */
  private relayUpgrade(req: Request, res: Response, nodeName: string, l: KubeletLocation, path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const kubelet: TLSSocket = tlsConnect({
        host: l.host,
        port: l.port,
        servername: /^[\d.]+$|:/.test(l.host) ? undefined : l.host,
        ...this.tlsOptions(),
        ALPNProtocols: ['http/1.1'],
      });
      const timer = setTimeout(() => kubelet.destroy(new Error('timed out connecting to the kubelet')), this.opts.connectTimeoutMs ?? 10_000);
      kubelet.once('error', (err) => {
        clearTimeout(timer);
        reject(this.unreachable(nodeName, l, err));
      });
      kubelet.once('secureConnect', () => {
        clearTimeout(timer);
        const up = takeUpgrade(req);
        if (!up) {
          kubelet.destroy();
          return reject(newBadRequest('Upgrade request required'));
        }
        kubelet.removeAllListeners('error');
        const lines = [`${req.method} ${path} HTTP/1.1`, `Host: ${hostPort(l)}`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          const name = req.rawHeaders[i];
          const lower = name.toLowerCase();
          if (UPGRADE_HEADER_DROP.has(lower) || lower.startsWith('impersonate-')) continue;
          lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
        }
        kubelet.write(lines.join('\r\n') + '\r\n\r\n', 'latin1');
        if (up.head.length) kubelet.write(up.head);
        kubelet.pipe(up.socket);
        up.socket.pipe(kubelet);
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          kubelet.destroy();
          up.socket.destroy();
          resolve();
        };
        kubelet.on('close', finish);
        kubelet.on('error', finish);
        up.socket.on('close', finish);
        up.socket.on('error', finish);
        // The response object is not used any more; the kubelet answers on the socket itself.
        res.on('error', () => undefined);
      });
    });
  }
}

function queryOf(req: Request): URLSearchParams {
  const raw = req.originalUrl ?? req.url ?? '';
  const i = raw.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : raw.slice(i + 1));
}

/** `/api/v1/nodes/{name}/proxy/{path}`: the generic router takes no path after a subresource, so this route comes first. */
export const NODE_PROXY_PATH = /^\/api\/v1\/nodes\/([^/]+)\/proxy(\/.*)$/;

/** An express handler for NODE_PROXY_PATH; errors go to next() as Status errors. */
export function nodeProxyPathHandler(proxy: () => NodeProxy | undefined): (req: Request, res: Response, next: (err?: unknown) => void) => void {
  return (req, res, next) => {
    const m = NODE_PROXY_PATH.exec(req.path);
    const p = proxy();
    if (!m) return next();
    if (!p) return next(new StatusError(503, 'ServiceUnavailable', 'the apiserver is not ready to reach kubelets yet'));
    const name = unescapeSegment(m[1]);
    p.nodeByName(name)
      .then((node) => p.proxyToNode(req, res, node, m[2]))
      .catch(next);
  };
}
