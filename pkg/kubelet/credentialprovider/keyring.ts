// imagePullSecrets → CRI AuthConfig (upstream pkg/credentialprovider keyring.go):
// the `kubernetes.io/dockerconfigjson` (`{"auths": {...}}`) and older
// `kubernetes.io/dockercfg` Secrets of a pod, matched against the image's
// registry host and path. Every match is offered, most specific first; the
// kubelet tries them in turn, as upstream does.
import type { Secret } from '../../../api/core/v1/types.js';
import type { AuthConfig__Input } from '../../cri/client.js';

interface DockerConfigEntry {
  username?: unknown;
  password?: unknown;
  auth?: unknown;
  identitytoken?: unknown;
}

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** `nginx` → `docker.io/library/nginx`, `127.0.0.1:5000/app:1` → `127.0.0.1:5000/app`: registry host and path, no tag or digest. */
export function imageRepository(image: string): string {
  const name = image.split('@')[0].replace(/:[^/:]+$/, '');
  const first = name.split('/')[0];
  const hasHost = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasHost) return `docker.io/${name.includes('/') ? name : `library/${name}`}`;
  return DOCKER_HUB.has(first) ? `docker.io/${name.slice(first.length + 1)}` : name;
}

/** A config key (`https://index.docker.io/v1/`, `registry.example:5000`, `host/path`) as host/path. */
export function normalizeConfigKey(key: string): string {
  let k = key
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/+$/, '');
  k = k.replace(/\/v[12]$/, '');
  const host = k.split('/')[0].toLowerCase();
  const rest = k.slice(host.length);
  return `${DOCKER_HUB.has(host) ? 'docker.io' : host}${rest}`;
}

function entriesOf(secret: Secret): [string, DockerConfigEntry][] {
  const data = secret.data ?? {};
  let parsed: unknown;
  try {
    if (secret.type === 'kubernetes.io/dockerconfigjson' && typeof data['.dockerconfigjson'] === 'string')
      parsed = (JSON.parse(Buffer.from(data['.dockerconfigjson'], 'base64').toString('utf8')) as { auths?: unknown }).auths;
    else if (secret.type === 'kubernetes.io/dockercfg' && typeof data['.dockercfg'] === 'string')
      parsed = JSON.parse(Buffer.from(data['.dockercfg'], 'base64').toString('utf8'));
  } catch {
    return []; // Upstream skips a Secret it cannot parse too.
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return [];
  return Object.entries(parsed as Record<string, unknown>).filter((e): e is [string, DockerConfigEntry] => !!e[1] && typeof e[1] === 'object');
}

function authConfig(entry: DockerConfigEntry): AuthConfig__Input | undefined {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  let username = str(entry.username);
  let password = str(entry.password);
  const auth = str(entry.auth);
  if (auth && !username) {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    [username, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  }
  const identityToken = str(entry.identitytoken);
  if (!username && !identityToken) return undefined;
  // No serverAddress, as upstream's keyring: containerd offers the credentials to whichever host
  // serves the image (a mirror of the registry the key names, too) and ignores them on a mismatch.
  return { username, password, ...(identityToken ? { identityToken } : {}) };
}

/** The credentials of the pod's pull Secrets that apply to image, most specific key first. */
export function pullSecretAuths(image: string, secrets: Secret[]): AuthConfig__Input[] {
  const repo = imageRepository(image);
  const matches: { key: string; auth: AuthConfig__Input }[] = [];
  for (const secret of secrets) {
    for (const [rawKey, entry] of entriesOf(secret)) {
      const key = normalizeConfigKey(rawKey);
      if (repo !== key && !repo.startsWith(`${key}/`)) continue;
      const auth = authConfig(entry);
      if (auth) matches.push({ key, auth });
    }
  }
  // Stable: equally specific keys keep the order of the pod's imagePullSecrets.
  return matches.sort((a, b) => b.key.length - a.key.length).map((m) => m.auth);
}
