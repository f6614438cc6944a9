// The apiserver: the Kubernetes URL space onto one generic Store per resource
// (resource requests directly, see resourcerequest.ts), plus discovery, OpenAPI,
// health and node-proxy endpoints on express. Every request, whichever way it is
// routed, first passes the same filters (filters/chain.ts): authentication,
// impersonation, authorization and the audit log.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHTTPSServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { BUILTIN_RESOURCES } from '../../api/resources.js';
import { newRequestEntityTooLarge, newBadRequest, StatusError } from '../../api/meta/v1/status.js';
import { EtcdClient, startCompactor } from '../storage/etcd.js';
import { ResourceStorage } from '../storage/store.js';
import { RegistryWatch } from '../storage/registrywatch.js';
import { Registry } from '../registry/registry.js';
import type { RequestContext, Store } from '../registry/store.js';
import type { ResourceInfo } from '../../api/resourceinfo.js';
import { ResourceHandlers, newNotFoundPath } from './handlers.js';
import { sendError, sendObject } from './responses.js';
import type { ResourceRoute } from './route.js';
import { SubresourceHandlers } from './subresources.js';
import { AGGREGATED_CONTENT_TYPE, aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions, wantsAggregated } from './discovery.js';
import { OpenAPIDocuments } from './openapi.js';
import { loadOrCreateClientCert, loadOrCreateServingCerts } from '../util/certs.js';
import { NODE_PROXY_PATH, NodeProxy, dispatchUpgrade, nodeProxyPathHandler } from './nodeproxy.js';
import { bootstrapCluster } from './bootstrap.js';
import { VERSION_INFO } from '../util/version.js';
import { asExpress, badRequest, hasMalformedEscape, readBody, resourceTarget, splitURL, unescapeSegment } from './resourcerequest.js';
import { MaxInFlight, isLongRunning, isMutating, tooManyRequests, withRequestTimeout } from './maxinflight.js';
import type { Authorizer } from '../auth/authorizer.js';
import { RequestAuthenticator, type TokenAuthenticator } from './authentication/authenticator.js';
import { BootstrapTokenAuthenticator } from './authentication/bootstrap.js';
import { TokenFileAuthenticator, type StaticToken } from './authentication/tokenfile.js';
import { X509Authenticator } from './authentication/x509.js';
import { RequestFilters } from './filters/chain.js';
import { ALWAYS_ALLOW } from './filters/authorization.js';
import { newAuthorizer, type AuthorizationMode } from './authorization/index.js';
import { AuditFilter } from './filters/audit.js';
import { LogBackend } from './audit/log.js';
import { loadPolicyFile } from './audit/policy.js';
import { requestAudit } from './audit/context.js';
import { isStackOverflow } from './depth.js';
import { serveCreateOnly } from './createonly.js';
import { KubernetesServiceController, advertisedAddress } from './kubernetesservice.js';
import { servingCertificateHosts } from './servingcert.js';
import { loadEncryptionConfiguration } from '../storage/value/encryptionconfig.js';
import { JWTTokenAuthenticator, boundTokenValidator, legacyAuthenticator } from '../auth/serviceaccount/jwt.js';
import { TokenGenerator } from '../util/serviceaccount/generator.js';
import { readPublicKeys, readSigningKey } from '../util/serviceaccount/keys.js';
import { openIDMetadata, serveOpenIDMetadata, type OpenIDMetadata } from './openidmetadata.js';
import { APIServerMetrics } from './metrics.js';
import { prototypeChanges, snapshotPrototypes, type PrototypeSnapshot } from '../util/prototypes.js';

export interface APIServerConfig {
  etcdServers: string[];
  /** TLS to etcd (--etcd-cafile, --etcd-certfile, --etcd-keyfile). */
  etcdCAFile?: string;
  etcdCertFile?: string;
  etcdKeyFile?: string;
  /** --encryption-provider-config: an EncryptionConfiguration file; the resources it names are encrypted at rest. */
  encryptionProviderConfig?: string;
  bindAddress: string;
  /**
   * --advertise-address: the address published in the `default/kubernetes` Endpoints and
   * EndpointSlice, and a name in the serving certificate; defaults to a bind address pods can dial.
   */
  advertiseAddress?: string;
  /** --endpoint-reconciler-type: master-count keeps the `default/kubernetes` endpoints (one apiserver), none leaves them alone. */
  endpointReconcilerType: 'master-count' | 'none';
  /** How often the `default/kubernetes` Service and endpoints are checked (upstream's EndpointInterval, 10 s). */
  endpointReconcileIntervalMs: number;
  securePort: number;
  certDir: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** The client certificate for kubelets (--kubelet-client-certificate/--kubelet-client-key); made from the CA in certDir when absent. */
  kubeletClientCertificate?: string;
  kubeletClientKey?: string;
  /** --kubelet-certificate-authority: kubelets' serving certificates are verified against it; unverified without it. */
  kubeletCertificateAuthority?: string;
  serviceClusterIPRange: string;
  serviceNodePortRange: string;
  watchCacheSize: number;
  bookmarkIntervalMs: number;
  compactionIntervalMs: number;
  maxRequestBodyBytes: number;
  /** --max-requests-inflight and --max-mutating-requests-inflight (0: no limit); watches and other long-running requests do not count. */
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
  /** false: no request metrics middleware (apiserver_request_*); benchmarks only, to measure what it costs. */
  requestMetrics?: boolean;
  /** --request-timeout: a request that is not long-running is answered 504 after this long; it bounds receiving a request too. */
  requestTimeoutMs: number;
  /** Static bearer tokens and their users (--token-auth-file). */
  tokens: StaticToken[];
  /** --client-ca-file: client certificates signed by these CAs authenticate as CN, in the O groups. */
  clientCAFile?: string;
  /** --enable-bootstrap-token-auth: bootstrap-token-<id> Secrets in kube-system authenticate. */
  enableBootstrapTokenAuth: boolean;
  /** --anonymous-auth: a request without credentials is system:anonymous (else 401). */
  anonymousAuth: boolean;
  /** --api-audiences: the audiences requests are for (service-account tokens must name one); default: the issuers. */
  apiAudiences: string[];
  /** --service-account-issuer: the first is the iss of new tokens; tokens of any of them are taken. */
  serviceAccountIssuers: string[];
  /** --service-account-signing-key-file: the private key TokenRequest signs with (not served without it). */
  serviceAccountSigningKeyFile?: string;
  /** --service-account-key-file: the public keys tokens are verified with; default: the signing key's. */
  serviceAccountKeyFiles: string[];
  /** --service-account-max-token-expiration in seconds; 0: no cap. */
  serviceAccountMaxTokenExpirationSeconds: number;
  /** --service-account-extend-token-expiration: kubelet-projected tokens (3607 s) stay valid a year, warning after 3607 s. */
  serviceAccountExtendTokenExpiration: boolean;
  /** --disable-admission-plugins: by upstream's names (test fixtures turn ServiceAccount off, as upstream's do). */
  disableAdmissionPlugins: string[];
  /** --service-account-jwks-uri: the jwks_uri of the discovery document; default: <issuer>/openid/v1/jwks. */
  serviceAccountJWKSURI?: string;
  /** Decides what each user may do when authorizationModes is only AlwaysAllow (the default: everything is allowed). */
  authorizer: Authorizer;
  /** --authorization-mode: AlwaysAllow, Node and RBAC, asked in this order (pkg/apiserver/authorization). */
  authorizationModes: AuthorizationMode[];
  /** --audit-log-path: audit.k8s.io/v1 Events, one a line ('-': stdout); nothing is audited without auditPolicyFile. */
  auditLogPath?: string;
  /** --audit-policy-file: the audit.k8s.io/v1 Policy that gives each request its level. */
  auditPolicyFile?: string;
  /** --audit-log-maxsize (megabytes), --audit-log-maxbackup, --audit-log-maxage (days); 0: no limit. */
  auditLogMaxSize?: number;
  auditLogMaxBackup?: number;
  auditLogMaxAge?: number;
  /**
   * Tests only (--check-prototypes): after every request the built-in prototypes are compared with
   * their state at start; a change is reported here (the command exits non-zero).
   */
  onPrototypesChanged?: (changes: string[], request: string) => void;
  log: (msg: string) => void;
}

export const DEFAULT_CONFIG: Omit<APIServerConfig, 'etcdServers' | 'certDir' | 'log'> = {
  bindAddress: '127.0.0.1',
  endpointReconcilerType: 'master-count',
  endpointReconcileIntervalMs: 10_000,
  securePort: 6443,
  serviceClusterIPRange: '10.96.0.0/12',
  serviceNodePortRange: '30000-32767',
  watchCacheSize: 1000,
  bookmarkIntervalMs: 60_000,
  compactionIntervalMs: 5 * 60_000,
  maxRequestBodyBytes: 3 * 1024 * 1024,
  maxRequestsInflight: 400,
  maxMutatingRequestsInflight: 200,
  requestTimeoutMs: 60_000,
  tokens: [],
  enableBootstrapTokenAuth: false,
  anonymousAuth: true,
  apiAudiences: [],
  serviceAccountIssuers: [],
  serviceAccountKeyFiles: [],
  serviceAccountMaxTokenExpirationSeconds: 0,
  serviceAccountExtendTokenExpiration: true,
  disableAdmissionPlugins: [],
  authorizer: ALWAYS_ALLOW,
  authorizationModes: ['AlwaysAllow'],
};

/** The apiserver's own reads. */
const SERVER_CTX: RequestContext = { dryRun: false, fieldValidation: 'Strict', warnings: [] };
const KUBE_SYSTEM_CTX: RequestContext = { ...SERVER_CTX, namespace: 'kube-system' };

interface GroupVersionResources {
  byPlural: Map<string, ResourceRoute['info']>;
}

export class APIServer {
  readonly etcd: EtcdClient;
  private readonly hub: RegistryWatch;
  readonly registry: Registry;
  readonly app = express();
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private stopCompactor?: () => void;
  private readonly resources: ResourceInfo[];
  private readonly gvIndex = new Map<string, GroupVersionResources>();
  private readonly handlers: ResourceHandlers;
  private readonly openapi: OpenAPIDocuments;
  caCert = '';
  private kubernetesService?: KubernetesServiceController;
  readonly authenticator: RequestAuthenticator;
  private readonly x509?: X509Authenticator;
  private readonly filters: RequestFilters;
  private readonly audit?: AuditFilter;
  private nodeProxy?: NodeProxy;
  private prototypes?: PrototypeSnapshot;
  private readonly inFlight: MaxInFlight;
  private readonly openIDMetadata?: OpenIDMetadata;
  /** What /metrics exposes. */
  readonly metrics: APIServerMetrics;

  constructor(
    readonly config: APIServerConfig,
    resources: ResourceInfo[] = BUILTIN_RESOURCES,
  ) {
    this.resources = resources;
    // First: a bad encryption configuration stops the start before anything is opened.
    const transformer = config.encryptionProviderConfig ? loadEncryptionConfiguration(config.encryptionProviderConfig) : undefined;
    // No --token-auth-file, no token authenticator: a bearer token is then not looked at (upstream's union).
    const tokens: TokenAuthenticator[] = config.tokens.length > 0 ? [new TokenFileAuthenticator(config.tokens)] : [];
    if (config.enableBootstrapTokenAuth) {
      const secrets = (name: string) => this.store('', 'v1', 'secrets')?.getIfExists(KUBE_SYSTEM_CTX, name) ?? Promise.resolve(undefined);
      tokens.push(new BootstrapTokenAuthenticator(secrets, config.log));
    }
    const serviceAccounts = this.serviceAccountTokens(config);
    tokens.push(...serviceAccounts.authenticators);
    if (config.clientCAFile) this.x509 = new X509Authenticator();
    this.authenticator = new RequestAuthenticator({ x509: this.x509, tokens, anonymous: config.anonymousAuth, apiAudiences: serviceAccounts.apiAudiences });
    this.audit = newAuditFilter(config);
    this.inFlight = new MaxInFlight(config.maxRequestsInflight, config.maxMutatingRequestsInflight);
    this.metrics = new APIServerMetrics({ served: (group, version, plural) => this.gvIndex.get(`${group}/${version}`)?.byPlural.has(plural) ?? false });
    this.metrics.setInFlightSource(() => this.inFlight.current);
    this.etcd = new EtcdClient(config.etcdServers, {
      caFile: config.etcdCAFile,
      certFile: config.etcdCertFile,
      keyFile: config.etcdKeyFile,
      transformer,
    });
    this.hub = new RegistryWatch(this.etcd, config.log);
    const storageOpts = {
      hub: this.hub,
      watchCacheSize: config.watchCacheSize,
      bookmarkIntervalMs: config.bookmarkIntervalMs,
      log: config.log,
      metrics: this.metrics.storage,
    };
    this.registry = new Registry(resources, (info) => new ResourceStorage(this.etcd, info, storageOpts), {
      serviceClusterIPRange: config.serviceClusterIPRange,
      serviceNodePortRange: config.serviceNodePortRange,
      authenticateToken: async (token, audiences) => this.authenticator.authenticateToken(token, audiences),
      apiAudiences: serviceAccounts.apiAudiences,
      tokenGenerator: serviceAccounts.generator,
      maxTokenExpirationSeconds: config.serviceAccountMaxTokenExpirationSeconds,
      extendTokenExpiration: config.serviceAccountExtendTokenExpiration,
      disabledAdmissionPlugins: config.disableAdmissionPlugins,
      metricsRegistry: this.metrics.registry,
      kubeletResourceMetrics: (node) =>
        this.nodeProxy ? this.nodeProxy.getFromKubelet(node, '/metrics/resource') : Promise.reject(new Error('the apiserver has not started')),
      log: config.log,
    });
    this.openIDMetadata = serviceAccounts.metadata;
    // Node and RBAC read the registry's caches; without them, config.authorizer decides.
    const authorizer = config.authorizationModes.some((m) => m !== 'AlwaysAllow')
      ? newAuthorizer(this.registry, config.authorizationModes, config.log)
      : config.authorizer;
    const metrics = this.metrics;
    this.filters = new RequestFilters({
      authenticator: this.authenticator,
      authorizer,
      audit: this.audit,
      monitor: config.requestMetrics === false ? undefined : (req, res, info, query, longRunning) => metrics.monitor(req, res, info, query, longRunning),
      log: config.log,
    });
    for (const info of resources) {
      const gv = `${info.group}/${info.version}`;
      const entry = this.gvIndex.get(gv) ?? { byPlural: new Map() };
      entry.byPlural.set(info.plural, info);
      this.gvIndex.set(gv, entry);
    }
    this.handlers = new ResourceHandlers(new SubresourceHandlers(this.registry, () => this.nodeProxy), this.metrics);
    this.openapi = new OpenAPIDocuments(async () => ({ resources: await this.servedResources(), custom: this.registry.crds.openAPISchemas() }));
    this.routes();
  }

  store(group: string, version: string, plural: string): Store | undefined {
    return this.registry.store(group, version, plural);
  }

  /**
   * Service-account tokens from the --service-account-* flags: the signer for TokenRequest, the
   * authenticators of bound and legacy tokens (reading the watch caches), and the discovery documents.
   */
  private serviceAccountTokens(config: APIServerConfig): {
    authenticators: TokenAuthenticator[];
    apiAudiences: string[];
    generator?: TokenGenerator;
    metadata?: OpenIDMetadata;
  } {
    const issuers = config.serviceAccountIssuers;
    const max = config.serviceAccountMaxTokenExpirationSeconds;
    if (max !== 0 && (max < 3600 || max > 2 ** 32)) throw new Error('the service-account-max-token-expiration must be between 1 hour and 2^32 seconds');
    const apiAudiences = config.apiAudiences.length ? config.apiAudiences : [...issuers];
    const signing = config.serviceAccountSigningKeyFile ? readSigningKey(config.serviceAccountSigningKeyFile) : undefined;
    if (signing && issuers.length === 0) throw new Error('--service-account-signing-key-file requires --service-account-issuer');
    const keyFiles = config.serviceAccountKeyFiles.length ? config.serviceAccountKeyFiles : signing ? [config.serviceAccountSigningKeyFile as string] : [];
    const keys = keyFiles.flatMap(readPublicKeys);
    if (keys.length === 0) return { authenticators: [], apiAudiences };
    // From the watch caches: a token is checked on every request, etcd is not asked each time.
    const get = (plural: string) => (namespace: string, name: string) => this.store('', 'v1', plural)?.getCached(namespace, name) ?? Promise.resolve(undefined);
    const getter = { getServiceAccount: get('serviceaccounts'), getPod: get('pods'), getSecret: get('secrets') };
    const authenticators: TokenAuthenticator[] = [legacyAuthenticator(keys, apiAudiences, getter)];
    if (issuers.length) {
      authenticators.unshift(new JWTTokenAuthenticator({ issuers, keys, implicitAudiences: apiAudiences, validator: boundTokenValidator(getter) }));
    }
    return {
      authenticators,
      apiAudiences,
      generator: signing && new TokenGenerator(issuers[0], signing),
      metadata: issuers.length ? openIDMetadata(issuers[0], keys, config.serviceAccountJWKSURI) : undefined,
    };
  }

  private routes(): void {
    const app = this.app;
    app.disable('x-powered-by');
    app.disable('etag');
    app.set('query parser', 'simple');
    // Requests with a Content-Encoding come here too: body-parser inflates them.
    app.use(express.raw({ type: () => true, limit: this.config.maxRequestBodyBytes }));
    app.get('/version', (_req, res) => sendObject(res, 200, VERSION_INFO));
    if (this.openIDMetadata) serveOpenIDMetadata(app, this.openIDMetadata);
    app.get(['/healthz', '/livez'], (_req, res) => res.type('text/plain').send('ok'));
    app.get('/readyz', (_req, res) => {
      this.etcd.currentRevision().then(
        () => res.type('text/plain').send('ok'),
        () => res.status(500).type('text/plain').send('[-]etcd failed: etcd is not reachable\nreadyz check failed'),
      );
    });
    app.get('/openapi/v2', (req, res, next) => void this.openapi.serveV2(req, res).catch(next));
    app.get('/openapi/v3', (req, res, next) => void this.openapi.serveV3Root(req, res).catch(next));
    app.get(
      /^\/openapi\/v3\/(api\/v1|apis\/[^/]+\/[^/]+)$/,
      (req, res, next) => void this.openapi.serveV3(req, res, req.path.slice('/openapi/v3/'.length)).catch(next),
    );
    app.get('/metrics', (_req, res, next) => {
      this.metrics.expose().then((text) => {
        res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType });
        res.end(text);
      }, next);
    });
    app.get('/api', (req, res) => {
      if (wantsAggregated(req.get('accept'))) return res.type(AGGREGATED_CONTENT_TYPE).send(JSON.stringify(aggregatedDiscovery(this.resources, true)));
      sendObject(res, 200, apiVersions(`${this.config.bindAddress}:${this.config.securePort}`));
    });
    app.get('/apis', (req, res, next) => {
      this.servedResources()
        .then((resources) => {
          if (wantsAggregated(req.get('accept'))) return res.type(AGGREGATED_CONTENT_TYPE).send(JSON.stringify(aggregatedDiscovery(resources, false)));
          sendObject(res, 200, apiGroupList(resources));
        })
        .catch(next);
    });
    app.all(
      NODE_PROXY_PATH,
      nodeProxyPathHandler(() => this.nodeProxy),
    );
    app.all(/^\/api\/v1(\/.*)?$/, (req, res, next) => this.serveGroupVersion(req, res, '', 'v1', req.path.slice('/api/v1'.length)).catch(next));
    app.all(/^\/apis\/([^/]+)(\/.*)?$/, (req, res, next) => {
      const m = /^\/apis\/([^/]+)(?:\/([^/]+)(\/.*)?)?$/.exec(req.path);
      if (!m) return next();
      const [, group, version, rest] = m;
      if (!version) {
        return void this.servedResources()
          .then((resources) => {
            const g = apiGroup(resources, group);
            return g ? sendObject(res, 200, g) : sendError(res, newNotFoundPath(req.path));
          })
          .catch(next);
      }
      this.serveGroupVersion(req, res, group, version, rest ?? '').catch(next);
    });
    app.use((req, res) => sendError(res, newNotFoundPath(req.path)));
    app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
      const e = err as { type?: string; status?: number };
      if (e?.type === 'entity.too.large') return sendError(res, newRequestEntityTooLarge(this.config.maxRequestBodyBytes));
      // express could not unescape a path parameter (%c0%ae is no UTF-8): a path nothing is served at.
      if ((err as Error)?.name === 'URIError') return sendError(res, newNotFoundPath(req.path));
      if (e?.status === 400 && e.type) return sendError(res, newBadRequest(`malformed request: ${(err as Error).message}`));
      auditUnexpected(req, err);
      sendError(res, err, this.config.log);
    });
  }

  /** The in-flight limits and the request timeout (maxinflight.ts): false when the request has been answered 429. */
  private admit(req: IncomingMessage, res: ServerResponse): boolean {
    const { path, query } = splitURL(req.url ?? '/');
    if (isLongRunning(path, query)) return true;
    const release = this.inFlight.acquire(isMutating(req.method));
    if (!release) {
      tooManyRequests(res);
      req.resume();
      return false;
    }
    res.once('close', release);
    withRequestTimeout(req, res, this.config.requestTimeoutMs, () => sendError(res as unknown as Response, REQUEST_TIMED_OUT));
    return true;
  }

  /** Every request: a path Go would not parse is a bare 400; then the filters, the in-flight limits, and routing. */
  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (hasMalformedEscape(splitURL(req.url ?? '/').path)) return badRequest(res);
    this.filters.handle(req, res, () => {
      if (this.admit(req, res)) this.onRequest(req, res);
    });
  }

  /** Resource requests go straight to serveGroupVersion (see resourcerequest.ts); the rest to express. */
  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const { path, query } = splitURL(req.url ?? '/');
    const target = req.headers['content-encoding'] || NODE_PROXY_PATH.test(path) ? undefined : resourceTarget(path);
    if (!target) return void this.app(req, res);
    readBody(req, this.config.maxRequestBodyBytes)
      .then((body) => {
        if (!body) return sendError(res as unknown as Response, newRequestEntityTooLarge(this.config.maxRequestBodyBytes));
        const r = asExpress(req, res, path, query, body);
        return this.serveGroupVersion(r.req, r.res, target.group, target.version, target.rest);
      })
      .catch((err: unknown) => {
        auditUnexpected(req, err);
        sendError(res as unknown as Response, err, this.config.log);
      });
  }

  /**
   * The built-in resources and those of Established CRDs, as served now: CRDs written
   * before the request are served (or no longer) by the time it is answered.
   */
  private async servedResources(): Promise<ResourceInfo[]> {
    await this.registry.crds.sync();
    return [...this.resources, ...this.registry.crds.resources()];
  }

  /** A resource served in group/version: built-in, else a custom resource. */
  private resourceInfo(group: string, version: string, plural: string | undefined): ResourceInfo | undefined {
    if (plural === undefined) return undefined;
    return this.gvIndex.get(`${group}/${version}`)?.byPlural.get(plural) ?? this.registry.crds.store(group, version, plural)?.info;
  }

  private async serveGroupVersion(req: Request, res: Response, group: string, version: string, rest: string): Promise<void> {
    const builtin = this.gvIndex.has(`${group}/${version}`);
    const segs = rest
      .split('/')
      .filter((s) => s !== '')
      .map(unescapeSegment);
    if (segs.length === 0) {
      if (req.method !== 'GET') return sendError(res, newNotFoundPath(req.path));
      const list = apiResourceList(await this.servedResources(), group, version);
      return list ? sendObject(res, 200, list) : sendError(res, newNotFoundPath(req.path));
    }
    let watchPath = false;
    if (segs[0] === 'watch') {
      watchPath = true;
      segs.shift();
    }
    // A custom resource not served yet may belong to a CRD written a moment ago.
    const candidate = segs[0] === 'namespaces' && segs.length >= 3 ? segs[2] : segs[0];
    if (!this.resourceInfo(group, version, candidate) && !(builtin && segs[0] === 'namespaces')) await this.registry.crds.sync();
    let namespace: string | undefined;
    if (segs[0] === 'namespaces' && segs.length >= 3 && this.resourceInfo(group, version, segs[2])?.namespaced) {
      namespace = segs[1];
      segs.splice(0, 2);
    }
    const [plural, name, subresource, ...extra] = segs;
    const info = this.resourceInfo(group, version, plural);
    if (!info || extra.length || (info.namespaced && namespace === undefined && name !== undefined) || (!info.namespaced && namespace !== undefined)) {
      return sendError(res, newNotFoundPath(req.path));
    }
    const store = this.store(group, version, plural);
    if (!store) {
      const creater = this.registry.creater(group, version, plural);
      if (!creater || name !== undefined || watchPath) return sendError(res, newNotFoundPath(req.path));
      return serveCreateOnly(req, res, info, creater, namespace).catch((err: unknown) => sendError(res, err, this.config.log));
    }
    try {
      if (name !== undefined && name === '') throw newBadRequest('name must not be empty');
      await this.handlers.handle(req, res, { info, store, namespace, name, subresource, watchPath });
    } catch (err) {
      if (!(err instanceof StatusError) || err.code >= 500)
        this.config.log(`${req.method} ${req.originalUrl}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      auditUnexpected(req, err);
      sendError(res, err);
    }
  }

  /** Starts serving once etcd answers and the built-in objects exist. */
  async start(): Promise<void> {
    await this.waitForEtcd();
    await bootstrapCluster((group, version, plural) => this.store(group, version, plural), this.config.securePort);
    // Every watch cache is filled before serving.
    await this.registry.startCaches();
    this.stopCompactor = startCompactor(this.etcd, this.config.compactionIntervalMs, this.config.log);
    const certs =
      this.config.tlsCertFile && this.config.tlsPrivateKeyFile
        ? { cert: readFile(this.config.tlsCertFile), key: readFile(this.config.tlsPrivateKeyFile), caCert: '' }
        : loadOrCreateServingCerts(this.config.certDir, servingCertificateHosts({ ...this.config, advertiseAddress: advertisedAddress(this.config) }));
    if ('reissued' in certs && certs.reissued) this.config.log(`serving certificate made again: ${certs.reissued}`);
    this.caCert = certs.caCert;
    const kubeletClientCert =
      this.config.kubeletClientCertificate && this.config.kubeletClientKey
        ? { cert: readFile(this.config.kubeletClientCertificate), key: readFile(this.config.kubeletClientKey) }
        : loadOrCreateClientCert(this.config.certDir, 'kubelet-client', 'kube-apiserver-kubelet-client', ['system:masters']);
    this.nodeProxy = new NodeProxy({
      getNode: (name) => this.store('', 'v1', 'nodes')?.getIfExists(SERVER_CTX, name) ?? Promise.resolve(undefined),
      clientCert: kubeletClientCert,
      ca: this.config.kubeletCertificateAuthority ? readFile(this.config.kubeletCertificateAuthority) : undefined,
    });
    // How often Node looks for requests past headersTimeout/requestTimeout.
    const checkEvery = Math.max(250, Math.min(30_000, Math.floor((this.config.requestTimeoutMs || 32_000) / 4)));
    // With --client-ca-file the server asks for a client certificate but takes connections
    // without one (or with one it cannot verify): authentication decides, per request.
    const clientAuth = this.config.clientCAFile ? { ca: readFile(this.config.clientCAFile), requestCert: true, rejectUnauthorized: false } : {};
    this.server = createHTTPSServer({ cert: certs.cert, key: certs.key, connectionsCheckingInterval: checkEvery, ...clientAuth }, (req, res) => {
      if (this.prototypes) this.checkPrototypesAfter(req, res);
      this.handle(req, res);
    });
    if (this.config.onPrototypesChanged) this.prototypes = snapshotPrototypes();
    // exec, attach and port-forward are upgrade requests; they take the same filters and routes.
    this.server.on('upgrade', (req, socket, head: Buffer) =>
      dispatchUpgrade(
        (r, s) => (hasMalformedEscape(splitURL(r.url ?? '/').path) ? badRequest(s) : this.filters.handle(r, s, () => this.app(r, s))),
        req,
        socket,
        head,
      ),
    );
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.keepAliveTimeout = 120_000;
    // Slow clients: headers within 32 s (kube-apiserver's ReadHeaderTimeout), the whole request
    // (headers and body) within the request timeout; Node answers 408 and closes the connection.
    // A watch's request is complete once its headers are in, so only receiving is bounded.
    const timeout = this.config.requestTimeoutMs;
    this.server.requestTimeout = timeout;
    this.server.headersTimeout = timeout > 0 ? Math.min(32_000, timeout) : 32_000;
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.config.securePort, this.config.bindAddress, () => resolve());
    });
    const addr = this.server.address();
    if (addr && typeof addr === 'object') this.config.securePort = addr.port;
    this.config.log(`serving securely on ${this.config.bindAddress}:${this.config.securePort}`);
    // After listening: the published port is the one bound (a test's port 0 becomes a real one).
    const advertiseAddress = advertisedAddress(this.config);
    if (this.config.endpointReconcilerType !== 'none') {
      if (!advertiseAddress)
        this.config.log('no address pods can reach (bind address is loopback or all, no --advertise-address): default/kubernetes gets no endpoints');
      this.kubernetesService = new KubernetesServiceController({
        stores: (group, version, plural) => this.store(group, version, plural),
        advertiseAddress,
        securePort: this.config.securePort,
        intervalMs: this.config.endpointReconcileIntervalMs,
        log: this.config.log,
      });
      this.kubernetesService.start();
    }
  }

  /** --check-prototypes: once the request is answered (or its connection gone), the built-ins must be as they were. */
  private checkPrototypesAfter(req: IncomingMessage, res: ServerResponse): void {
    const what = `${req.method} ${req.url}`;
    res.once('close', () => {
      const changes = prototypeChanges(this.prototypes!);
      if (changes.length) this.config.onPrototypesChanged?.(changes, what);
    });
  }

  private async waitForEtcd(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await this.etcd.currentRevision();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`etcd at ${this.config.etcdServers.join(',')} is not reachable: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  async stop(): Promise<void> {
    await this.kubernetesService?.stop();
    this.stopCompactor?.();
    // Stop taking requests first (watch clients reconnect at once on kept-alive sockets).
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    await this.registry.stop();
    await this.hub.stop();
    this.etcd.close();
    await this.audit?.close();
  }
}

/** An error no handler meant to answer (upstream: a panic) ends the request's audit event at the Panic stage. */
function auditUnexpected(req: IncomingMessage, err: unknown): void {
  if (!(err instanceof StatusError) && !isStackOverflow(err)) requestAudit(req)?.panicked(err);
}

/** The audit filter, when both a policy and a log are given (a bad policy stops the start). */
function newAuditFilter(config: APIServerConfig): AuditFilter | undefined {
  const policy = config.auditPolicyFile ? loadPolicyFile(config.auditPolicyFile) : undefined;
  if (!config.auditLogPath) return undefined;
  if (!policy) {
    config.log('no audit policy file given (--audit-policy-file): no audit events will be recorded');
    return undefined;
  }
  const backend = new LogBackend({
    path: config.auditLogPath,
    maxSizeMB: config.auditLogMaxSize,
    maxBackups: config.auditLogMaxBackup,
    maxAgeDays: config.auditLogMaxAge,
  });
  return new AuditFilter(policy, backend);
}

// The timeout filter's answer: errors.NewTimeoutError(..., 0).
const REQUEST_TIMED_OUT = new StatusError(504, 'Timeout', 'Timeout: request did not complete within requested timeout - context deadline exceeded');

function readFile(p: string): string {
  return readFileSync(p, 'utf8');
}
