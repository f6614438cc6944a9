// kube-apiserver's counterpart: flags named as kube-apiserver names them.
import { parseArgs } from 'node:util';
import { APIServer, DEFAULT_CONFIG, type APIServerConfig } from '../../pkg/apiserver/server.js';
import { logger } from '../../pkg/util/log.js';
import { readTokenFile } from '../../pkg/apiserver/authentication/tokenfile.js';
import { parseDuration } from '../../pkg/util/duration.js';
import { parseAuthorizationModes, type AuthorizationMode } from '../../pkg/apiserver/authorization/index.js';

const { values } = parseArgs({
  options: {
    'etcd-servers': { type: 'string', default: 'http://127.0.0.1:2379' },
    'etcd-cafile': { type: 'string' },
    'etcd-certfile': { type: 'string' },
    'etcd-keyfile': { type: 'string' },
    'encryption-provider-config': { type: 'string' },
    'bind-address': { type: 'string', default: DEFAULT_CONFIG.bindAddress },
    'advertise-address': { type: 'string' },
    'endpoint-reconciler-type': { type: 'string', default: DEFAULT_CONFIG.endpointReconcilerType },
    'secure-port': { type: 'string', default: String(DEFAULT_CONFIG.securePort) },
    'cert-dir': { type: 'string', default: '/var/run/timonel/certs' },
    'tls-cert-file': { type: 'string' },
    'tls-private-key-file': { type: 'string' },
    'token-auth-file': { type: 'string' },
    'client-ca-file': { type: 'string' },
    'enable-bootstrap-token-auth': { type: 'boolean', default: false },
    'anonymous-auth': { type: 'string', default: 'true' },
    'api-audiences': { type: 'string', default: '' },
    'service-account-issuer': { type: 'string', multiple: true, default: [] },
    'service-account-signing-key-file': { type: 'string' },
    'service-account-key-file': { type: 'string', multiple: true, default: [] },
    'service-account-max-token-expiration': { type: 'string', default: '0s' },
    'service-account-jwks-uri': { type: 'string' },
    'service-account-extend-token-expiration': { type: 'string', default: 'true' },
    'disable-admission-plugins': { type: 'string', multiple: true, default: [] },
    'audit-log-path': { type: 'string' },
    'audit-policy-file': { type: 'string' },
    'audit-log-maxsize': { type: 'string', default: '0' },
    'audit-log-maxbackup': { type: 'string', default: '0' },
    'audit-log-maxage': { type: 'string', default: '0' },
    'authorization-mode': { type: 'string', default: 'AlwaysAllow' },
    'kubelet-client-certificate': { type: 'string' },
    'kubelet-client-key': { type: 'string' },
    'kubelet-certificate-authority': { type: 'string' },
    'service-cluster-ip-range': { type: 'string', default: DEFAULT_CONFIG.serviceClusterIPRange },
    'service-node-port-range': { type: 'string', default: DEFAULT_CONFIG.serviceNodePortRange },
    'default-watch-cache-size': { type: 'string', default: String(DEFAULT_CONFIG.watchCacheSize) },
    'etcd-compaction-interval': { type: 'string', default: String(DEFAULT_CONFIG.compactionIntervalMs / 1000) },
    'max-requests-inflight': { type: 'string', default: String(DEFAULT_CONFIG.maxRequestsInflight) },
    'max-mutating-requests-inflight': { type: 'string', default: String(DEFAULT_CONFIG.maxMutatingRequestsInflight) },
    'request-timeout': { type: 'string', default: '1m0s' },
    // Benchmarks only: serve without the request metrics middleware, to measure what it costs.
    'disable-request-metrics': { type: 'boolean', default: false },
    // Tests only: exit non-zero as soon as a request changed a built-in prototype.
    'check-prototypes': { type: 'boolean', default: false },
    v: { type: 'string', default: '0' },
  },
  strict: true,
});

const log = logger('apiserver', Number(values.v));

/** A boolean flag given a value (--anonymous-auth=false), as Go's flag package reads it. */
function parseBool(flag: string, v: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  log(`invalid value ${JSON.stringify(v)} for --${flag}: want true or false`);
  process.exit(2);
}
/** A repeatable flag whose values may also be comma lists. */
function list(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).filter((v) => v !== '');
}
function nonNegative(flag: string, v: string): number {
  if (/^\d+$/.test(v)) return Number(v);
  log(`invalid value ${JSON.stringify(v)} for --${flag}: want a whole number, 0 or more`);
  process.exit(2);
}
function authorizationModes(flag: string): AuthorizationMode[] {
  try {
    return parseAuthorizationModes(flag);
  } catch (err) {
    log((err as Error).message);
    process.exit(2);
  }
}
function endpointReconcilerType(v: string): 'master-count' | 'none' {
  if (v === 'master-count' || v === 'none') return v;
  log(`invalid value ${JSON.stringify(v)} for --endpoint-reconciler-type: want master-count or none`);
  process.exit(2);
}
function newServer(config: APIServerConfig): APIServer {
  try {
    return new APIServer(config);
  } catch (err) {
    log(`invalid configuration: ${(err as Error).message}`);
    process.exit(2);
  }
}
const server = newServer({
  ...DEFAULT_CONFIG,
  etcdServers: (values['etcd-servers'] as string).split(','),
  etcdCAFile: values['etcd-cafile'],
  etcdCertFile: values['etcd-certfile'],
  etcdKeyFile: values['etcd-keyfile'],
  encryptionProviderConfig: values['encryption-provider-config'],
  bindAddress: values['bind-address'] as string,
  advertiseAddress: values['advertise-address'],
  endpointReconcilerType: endpointReconcilerType(values['endpoint-reconciler-type'] as string),
  securePort: Number(values['secure-port']),
  certDir: values['cert-dir'] as string,
  tlsCertFile: values['tls-cert-file'],
  tlsPrivateKeyFile: values['tls-private-key-file'],
  kubeletClientCertificate: values['kubelet-client-certificate'],
  kubeletClientKey: values['kubelet-client-key'],
  kubeletCertificateAuthority: values['kubelet-certificate-authority'],
  serviceClusterIPRange: values['service-cluster-ip-range'] as string,
  serviceNodePortRange: values['service-node-port-range'] as string,
  tokens: values['token-auth-file'] ? readTokenFile(values['token-auth-file']) : [],
  clientCAFile: values['client-ca-file'],
  enableBootstrapTokenAuth: values['enable-bootstrap-token-auth'] as boolean,
  anonymousAuth: parseBool('anonymous-auth', values['anonymous-auth'] as string),
  apiAudiences: (values['api-audiences'] as string).split(',').filter((a) => a !== ''),
  serviceAccountIssuers: list(values['service-account-issuer']),
  serviceAccountSigningKeyFile: values['service-account-signing-key-file'],
  serviceAccountKeyFiles: list(values['service-account-key-file']),
  serviceAccountMaxTokenExpirationSeconds: Math.floor(parseDuration(values['service-account-max-token-expiration'] as string) / 1000),
  serviceAccountJWKSURI: values['service-account-jwks-uri'],
  serviceAccountExtendTokenExpiration: parseBool('service-account-extend-token-expiration', values['service-account-extend-token-expiration'] as string),
  disableAdmissionPlugins: list(values['disable-admission-plugins']),
  auditLogPath: values['audit-log-path'],
  auditPolicyFile: values['audit-policy-file'],
  auditLogMaxSize: nonNegative('audit-log-maxsize', values['audit-log-maxsize'] as string),
  auditLogMaxBackup: nonNegative('audit-log-maxbackup', values['audit-log-maxbackup'] as string),
  auditLogMaxAge: nonNegative('audit-log-maxage', values['audit-log-maxage'] as string),
  authorizationModes: authorizationModes(values['authorization-mode'] as string),
  watchCacheSize: Number(values['default-watch-cache-size']),
  compactionIntervalMs: Number(values['etcd-compaction-interval']) * 1000,
  maxRequestsInflight: Number(values['max-requests-inflight']),
  maxMutatingRequestsInflight: Number(values['max-mutating-requests-inflight']),
  requestTimeoutMs: parseDuration(values['request-timeout'] as string),
  requestMetrics: !values['disable-request-metrics'],
  log,
  onPrototypesChanged: values['check-prototypes']
    ? (changes, request) => {
        log(`built-in prototypes changed after ${request}: ${changes.join(', ')}`);
        process.exit(3);
      }
    : undefined,
});

server.start().catch((err: Error) => {
  log(`failed to start: ${err.message}`);
  process.exit(1);
});

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    log(`received ${sig}, shutting down`);
    server.stop().finally(() => process.exit(0));
  });
}
