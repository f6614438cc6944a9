// `timonel token create`, after `kubeadm token create --print-join-command`: a
// bootstrap token <id>.<secret> stored as the Secret bootstrap-token-<id> of type
// bootstrap.kubernetes.io/token in kube-system (with its expiration, usages, extra
// groups and description, as kubeadm writes it), and the command that joins a
// machine with it, pinned to the cluster CA's public key.
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Secret } from '../../api/core/v1/types.js';
import { isStatus, type Client } from '../client/rest.js';
import {
  BOOTSTRAP_TOKEN_EXPIRATION_KEY,
  BOOTSTRAP_TOKEN_EXTRA_GROUPS_KEY,
  BOOTSTRAP_TOKEN_ID_KEY,
  BOOTSTRAP_TOKEN_SECRET_KEY,
  BOOTSTRAP_TOKEN_SECRET_PREFIX,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
} from '../util/bootstraptoken.js';
import { hashCertificate } from '../util/pubkeypin.js';

/** bootstrapapi.BootstrapTokenPattern */
export const BOOTSTRAP_TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const BOOTSTRAP_GROUP_PATTERN = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
const TOKEN_CHARS = '0123456789abcdefghijklmnopqrstuvwxyz';
/** bootstrapapi.KnownTokenUsages */
export const KNOWN_TOKEN_USAGES = ['signing', 'authentication'];
/** kubeadm's defaults. */
export const DEFAULT_TOKEN_TTL_MS = 24 * 3_600_000;
export const DEFAULT_TOKEN_USAGES = ['signing', 'authentication'];
export const DEFAULT_TOKEN_GROUPS = ['system:bootstrappers:kubeadm:default-node-token'];

/** GenerateBootstrapToken: six and sixteen random characters of [a-z0-9]. */
export function generateBootstrapToken(): string {
  const pick = (n: number) => Array.from({ length: n }, () => TOKEN_CHARS[randomInt(TOKEN_CHARS.length)]).join('');
  return `${pick(6)}.${pick(16)}`;
}

export interface TokenOptions {
  /** <id>.<secret>; generated when absent. */
  token?: string;
  /** 0: never expires. */
  ttlMs?: number;
  usages?: string[];
  groups?: string[];
  description?: string;
  now?: () => number;
}

/** The Secret for a token, checked as kubeadm checks its flags. */
export function bootstrapTokenSecret(opts: TokenOptions = {}): { token: string; secret: Secret } {
  const token = opts.token ?? generateBootstrapToken();
  const m = BOOTSTRAP_TOKEN_PATTERN.exec(token);
  if (!m) throw new Error(`the bootstrap token "${token}" was not of the form "${BOOTSTRAP_TOKEN_PATTERN.source}"`);
  const usages = opts.usages ?? DEFAULT_TOKEN_USAGES;
  for (const u of usages)
    if (!KNOWN_TOKEN_USAGES.includes(u)) throw new Error(`invalid bootstrap token usage string: ${u}, valid usage options: ${KNOWN_TOKEN_USAGES.join(',')}`);
  const groups = opts.groups ?? DEFAULT_TOKEN_GROUPS;
  for (const g of groups)
    if (!BOOTSTRAP_GROUP_PATTERN.test(g)) throw new Error(`bootstrap group "${g}" is invalid (must match ${BOOTSTRAP_GROUP_PATTERN.source})`);
  const ttlMs = opts.ttlMs ?? DEFAULT_TOKEN_TTL_MS;
  if (ttlMs < 0) throw new Error('--ttl must not be negative');
  const data = new Map<string, string>([
    [BOOTSTRAP_TOKEN_ID_KEY, m[1]],
    [BOOTSTRAP_TOKEN_SECRET_KEY, m[2]],
  ]);
  if (opts.description) data.set('description', opts.description);
  if (ttlMs > 0) data.set(BOOTSTRAP_TOKEN_EXPIRATION_KEY, new Date((opts.now ?? Date.now)() + ttlMs).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  for (const u of usages) data.set(`usage-bootstrap-${u}`, 'true');
  if (groups.length) data.set(BOOTSTRAP_TOKEN_EXTRA_GROUPS_KEY, groups.join(','));
  return {
    token,
    secret: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${m[1]}`, namespace: 'kube-system' },
      type: BOOTSTRAP_TOKEN_SECRET_TYPE,
      data: Object.fromEntries([...data].map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    },
  };
}

/** The command that joins a machine to the cluster at server with token, trusting only the CA with this pin. */
export function joinCommand(server: string, token: string, caCertHash: string): string {
  return `timonel join --server ${server} --token ${token} --discovery-token-ca-cert-hash ${caCertHash}`;
}

/** The cluster the client's kubeconfig names: its server and its CA certificate (PEM). */
export function clusterOf(client: Client): { server: string; caPEM: string } {
  const cluster = client.kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster; set current-context');
  const caPEM = cluster.caData ? Buffer.from(cluster.caData, 'base64').toString('utf8') : cluster.caFile ? readFileSync(cluster.caFile, 'utf8') : '';
  if (!caPEM) throw new Error('the kubeconfig has no certificate authority for its cluster: the join command needs the CA to pin');
  return { server: cluster.server, caPEM };
}

/** Creates the token's Secret through the client and returns the token and the join command. */
export async function createToken(client: Client, opts: TokenOptions & { server?: string } = {}): Promise<{ token: string; joinCommand: string }> {
  const { token, secret } = bootstrapTokenSecret(opts);
  const cluster = clusterOf(client);
  try {
    await client.resource<Secret>('v1', 'secrets').namespace('kube-system').create(secret);
  } catch (err) {
    if (isStatus(err, 409)) throw new Error(`a token with id "${token.split('.')[0]}" already exists`);
    throw err;
  }
  return { token, joinCommand: joinCommand(opts.server ?? cluster.server, token, hashCertificate(cluster.caPEM)) };
}
