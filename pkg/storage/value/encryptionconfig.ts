// kube-apiserver's --encryption-provider-config: an EncryptionConfiguration
// (apiserver.config.k8s.io/v1) naming, per resource, the providers that encrypt it at
// rest. The first provider's first key writes; every listed key reads.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { PrefixTransformers, ResourceTransformers, identityTransformer, type PrefixedTransformer, type ValueTransformer } from './transformer.js';
import { aesCBCTransformer, aesGCMTransformer } from './aes.js';
import { secretboxTransformer } from './secretbox.js';
import { resourcePrefix } from '../keys.js';

const PROVIDERS = ['aesgcm', 'aescbc', 'secretbox', 'identity'] as const;
type ProviderName = (typeof PROVIDERS)[number];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(o: Record<string, unknown>, k: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
}

/** One key of an aes or secretbox provider: its name (in the stored prefix) and its base64 secret. */
function parseKeys(provider: ProviderName, cfg: unknown, where: string): PrefixedTransformer[] {
  const keys = isObject(cfg) ? own(cfg, 'keys') : undefined;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error(`${where}.keys: Required value: ${provider} needs at least one key`);
  const names = new Set<string>();
  return keys.map((k, i) => {
    const at = `${where}.keys[${i}]`;
    if (!isObject(k)) throw new Error(`${at}: must be an object with name and secret`);
    const name = own(k, 'name');
    const secret = own(k, 'secret');
    if (typeof name !== 'string' || name === '') throw new Error(`${at}.name: Required value`);
    if (name.includes(':')) throw new Error(`${at}.name: Invalid value: ${JSON.stringify(name)}: must not contain ':'`);
    if (names.has(name)) throw new Error(`${at}.name: Duplicate value: ${JSON.stringify(name)}`);
    names.add(name);
    if (typeof secret !== 'string' || secret === '') throw new Error(`${at}.secret: Required value`);
    const bytes = Buffer.from(secret, 'base64');
    if (bytes.toString('base64').replace(/=+$/, '') !== secret.replace(/=+$/, '')) throw new Error(`${at}.secret: Invalid value: not valid base64`);
    const prefix = `k8s:enc:${provider}:v1:${name}:`;
    try {
      const transformer = provider === 'aesgcm' ? aesGCMTransformer(bytes) : provider === 'aescbc' ? aesCBCTransformer(bytes) : secretboxTransformer(bytes);
      return { prefix, transformer };
    } catch (err) {
      throw new Error(`${at}.secret: Invalid value: ${(err as Error).message}`);
    }
  });
}

function parseProviders(providers: unknown, where: string): ValueTransformer {
  if (!Array.isArray(providers) || providers.length === 0) throw new Error(`${where}: Required value: at least one provider`);
  const list: PrefixedTransformer[] = [];
  providers.forEach((p, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(p)) throw new Error(`${at}: must be an object`);
    const set = Object.keys(p);
    if (set.length !== 1) throw new Error(`${at}: Invalid value: exactly one provider type must be given, not ${set.length}`);
    const name = set[0];
    if (!(PROVIDERS as readonly string[]).includes(name))
      throw new Error(`${at}: Unsupported value: ${JSON.stringify(name)}: supported providers are ${PROVIDERS.join(', ')}`);
    if (name === 'identity') list.push({ prefix: '', transformer: identityTransformer });
    else list.push(...parseKeys(name as ProviderName, p[name], `${at}.${name}`));
  });
  return new PrefixTransformers(list);
}

/** `secrets` or `deployments.apps` as group and resource; wildcards are refused. */
function parseResource(r: unknown, at: string): { group: string; plural: string } {
  if (typeof r !== 'string' || r === '') throw new Error(`${at}: Required value: a resource name`);
  if (r.includes('*')) throw new Error(`${at}: Unsupported value: ${JSON.stringify(r)}: wildcards are not supported; list each resource`);
  if (r !== r.toLowerCase() || /[/\s]/.test(r))
    throw new Error(`${at}: Invalid value: ${JSON.stringify(r)}: must be a lower-case resource name, as "secrets" or "deployments.apps"`);
  const dot = r.indexOf('.');
  return dot < 0 ? { group: '', plural: r } : { group: r.slice(dot + 1), plural: r.slice(0, dot) };
}

/** Parses and validates an EncryptionConfiguration; the errors name the offending field. */
export function parseEncryptionConfiguration(text: string): ResourceTransformers {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`not valid YAML: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw new Error('must be an EncryptionConfiguration object');
  if (own(doc, 'kind') !== 'EncryptionConfiguration')
    throw new Error(`kind: Invalid value: ${JSON.stringify(own(doc, 'kind'))}: must be EncryptionConfiguration`);
  const apiVersion = own(doc, 'apiVersion');
  if (apiVersion !== 'apiserver.config.k8s.io/v1')
    throw new Error(`apiVersion: Invalid value: ${JSON.stringify(apiVersion)}: must be apiserver.config.k8s.io/v1`);
  const resources = own(doc, 'resources');
  if (!Array.isArray(resources) || resources.length === 0) throw new Error('resources: Required value: at least one resource configuration');
  const byPrefix = new Map<string, ValueTransformer>();
  resources.forEach((rc, i) => {
    const at = `resources[${i}]`;
    if (!isObject(rc)) throw new Error(`${at}: must be an object with resources and providers`);
    const names = own(rc, 'resources');
    if (!Array.isArray(names) || names.length === 0) throw new Error(`${at}.resources: Required value: at least one resource`);
    const transformer = parseProviders(own(rc, 'providers'), `${at}.providers`);
    names.forEach((n, j) => {
      const prefix = resourcePrefix(parseResource(n, `${at}.resources[${j}]`));
      if (byPrefix.has(prefix)) throw new Error(`${at}.resources[${j}]: Duplicate value: ${JSON.stringify(n)} is configured more than once`);
      byPrefix.set(prefix, transformer);
    });
  });
  return new ResourceTransformers(byPrefix);
}

/** Reads and parses the file of --encryption-provider-config; its errors name the file. */
export function loadEncryptionConfiguration(path: string): ResourceTransformers {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`--encryption-provider-config: cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    return parseEncryptionConfiguration(text);
  } catch (err) {
    throw new Error(`--encryption-provider-config ${path}: ${(err as Error).message}`);
  }
}
