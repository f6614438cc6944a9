// A container's environment as the kubelet computes it (kubelet_pods.go
// makeEnvironmentVariables): envFrom first, then env in order with $(VAR)
// expansion against what is defined so far and the service variables, then the
// service variables (docker-link style) that the container did not define itself.
// The downward API helpers (field and resource values) live here too because the
// downwardAPI and projected volumes use them as well.
import { findContainer } from '../../api/core/v1/pod.js';
import { QUANTITY_ERROR, parseQuantity } from '../../api/resource/quantity.js';
import { goQuote } from '../util/goquote.js';
import type {
  ConfigMap,
  ConfigMapKeySelector,
  Container,
  EnvFromSource,
  EnvVar,
  Pod,
  ResourceFieldSelector,
  Secret,
  SecretKeySelector,
  Service,
} from '../../api/core/v1/types.js';
import { getOwn } from '../../api/util/ownkeys.js';
import { isQualifiedName } from '../../api/util/validation.js';
import type { KeyValue } from '../cri/client.js';
import type { ObjectLookup, ResourceList } from './types.js';

export type { ObjectLookup } from './types.js';

/**
 * An error that keeps the container from being created: the kubelet reports it as
 * the container's waiting reason CreateContainerConfigError with this message.
 */
export class CreateContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
  constructor(message: string) {
    super(message);
    this.name = 'CreateContainerConfigError';
  }
}

export interface EnvOptions {
  /** The sandbox's IPs (status.podIP(s)); falls back to pod.status.podIPs. */
  podIPs?: string[];
  /** The node's IPs (status.hostIP(s)); falls back to pod.status.hostIPs. */
  hostIPs?: string[];
  /** Node allocatable: the limit the downward API reports when a container sets none. */
  nodeAllocatable?: ResourceList;
  /** Warning events upstream records (InvalidEnvironmentVariableNames). */
  recordEvent?: (type: 'Normal' | 'Warning', reason: string, message: string) => void;
}

/**
 * IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation, on by default since
 * 1.32): printable ASCII except '='. envFrom keys failing it are skipped.
 */
export function isRelaxedEnvVarName(name: string): boolean {
  if (name === '') return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 32 || c > 126 || c === 61) return false;
  }
  return true;
}

// ---- $(VAR) expansion (third_party/forked/golang/expansion) ----

/**
 * Expands $(NAME) with mapping(NAME); `$$` is an escaped `$`; a `$` that starts
 * no reference and an unterminated `$(` are kept as written.
 */
export function expandVars(input: string, mapping: (name: string) => string): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === '$') {
      out += '$';
    } else if (rest[0] === '(') {
      const close = rest.indexOf(')', 1);
      if (close >= 0) {
        out += mapping(rest.slice(1, close));
        advance = close + 1;
      } else {
        out += '$(';
      }
    } else {
      out += '$' + rest[0];
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** expansion.MappingFuncFor: the first map that has the name wins; unknown names stay as $(NAME). */
export function mappingFuncFor(...contexts: Array<ReadonlyMap<string, string> | Readonly<Record<string, string>>>): (name: string) => string {
  return (name) => {
    for (const ctx of contexts) {
      if (ctx instanceof Map) {
        const v = ctx.get(name);
        if (v !== undefined) return v;
      } else if (Object.prototype.hasOwnProperty.call(ctx, name)) {
        return (ctx as Readonly<Record<string, string>>)[name];
      }
    }
    return `$(${name})`;
  };
}

// ---- service links (pkg/kubelet/envvars) ----

/** Services whose variables every pod gets, from the master service namespace. */
const MASTER_SERVICES = new Set(['kubernetes']);

function envVarNameOf(s: string): string {
  return s.replace(/-/g, '_').toUpperCase();
}

function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return ip !== undefined && ip !== '' && ip !== 'None';
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** envvars.FromServices: <SVC>_SERVICE_HOST/_PORT[_<PORT>] and the docker-link <SVC>_PORT* variables. */
export function fromServices(services: Service[]): KeyValue[] {
  const out: KeyValue[] = [];
  for (const svc of services) {
    const ports = svc.spec?.ports ?? [];
    if (!isServiceIPSet(svc) || ports.length === 0) continue;
    const ip = svc.spec!.clusterIP!;
    const prefix = envVarNameOf(svc.metadata.name ?? '');
    out.push({ key: `${prefix}_SERVICE_HOST`, value: ip });
    out.push({ key: `${prefix}_SERVICE_PORT`, value: String(ports[0].port) });
    for (const sp of ports) {
      if (sp.name) out.push({ key: `${prefix}_SERVICE_PORT_${envVarNameOf(sp.name)}`, value: String(sp.port) });
    }
    ports.forEach((sp, i) => {
      const protocol = sp.protocol || 'TCP';
      const proto = protocol.toLowerCase();
      const url = `${proto}://${joinHostPort(ip, sp.port)}`;
      // Docker special-cases the first port.
      if (i === 0) out.push({ key: `${prefix}_PORT`, value: url });
      const portPrefix = `${prefix}_PORT_${sp.port}_${protocol.toUpperCase()}`;
      out.push({ key: portPrefix, value: url });
      out.push({ key: `${portPrefix}_PROTO`, value: proto });
      out.push({ key: `${portPrefix}_PORT`, value: String(sp.port) });
      out.push({ key: `${portPrefix}_ADDR`, value: ip });
    });
  }
  return out;
}

/**
 * getServiceEnvVarMap: the variables of the services in the pod's namespace (when
 * enableServiceLinks is not false) plus the master services (`kubernetes` in
 * `default`), which every pod gets regardless. Pass the services the kubelet lists.
 */
export function serviceEnv(services: Service[], namespace: string, enableServiceLinks = true, masterServiceNamespace = 'default'): Record<string, string> {
  const byName = new Map<string, Service>();
  for (const svc of services) {
    if (!isServiceIPSet(svc)) continue;
    const name = svc.metadata.name ?? '';
    if (svc.metadata.namespace === masterServiceNamespace && MASTER_SERVICES.has(name)) {
      if (!byName.has(name)) byName.set(name, svc);
    } else if (svc.metadata.namespace === namespace && enableServiceLinks) {
      byName.set(name, svc);
    }
  }
  const out = Object.create(null) as Record<string, string>; // keyed by names from the API
  for (const e of fromServices([...byName.values()])) out[e.key] = e.value;
  return out;
}

// ---- downward API: fields ----

/** fieldpath.FormatMap: sorted key="value" lines (Go %q quoting), no trailing newline. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(m![k])}`)
    .join('\n');
}

/** fieldpath.SplitMaybeSubscriptedPath: metadata.labels['key'] → ['metadata.labels', 'key']. */
function splitSubscript(fieldPath: string): [string, string] | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const i = s.indexOf("['");
  if (i <= 0) return undefined;
  return [s.slice(0, i), s.slice(i + 2)];
}

/** fieldpath.ExtractFieldPathAsString: the metadata fields the downward API volume offers. */
export function metadataFieldValue(pod: Pick<Pod, 'metadata'>, fieldPath: string): string {
  const md = pod.metadata;
  const sub = splitSubscript(fieldPath);
  if (sub) {
    const [path, key] = sub;
    if (path === 'metadata.annotations') {
      const errs = isQualifiedName(key.toLowerCase());
      if (errs.length) throw new Error(`invalid key subscript in ${fieldPath}: ${errs.join(';')}`);
      return dataEntry(md.annotations, key) ?? '';
    }
    if (path === 'metadata.labels') {
      const errs = isQualifiedName(key);
      if (errs.length) throw new Error(`invalid key subscript in ${fieldPath}: ${errs.join(';')}`);
      return dataEntry(md.labels, key) ?? '';
    }
    throw new Error(`fieldPath "${fieldPath}" does not support subscript`);
  }
  switch (fieldPath) {
    case 'metadata.annotations':
      return formatMap(md.annotations);
    case 'metadata.labels':
      return formatMap(md.labels);
    case 'metadata.name':
      return md.name ?? '';
    case 'metadata.namespace':
      return md.namespace ?? '';
    case 'metadata.uid':
      return md.uid ?? '';
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

function ipsOf(list: Array<{ ip?: string }> | undefined, single: string | undefined): string[] {
  const ips = (list ?? []).map((x) => x.ip ?? '').filter((ip) => ip !== '');
  if (ips.length === 0 && single) ips.push(single);
  return ips;
}

/** podFieldSelectorRuntimeValue: the fields env fieldRef may name (node/status ones from the kubelet). */
export function podFieldValue(pod: Pod, fieldPath: string, opts: Pick<EnvOptions, 'podIPs' | 'hostIPs'> = {}): string {
  switch (fieldPath) {
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs': {
      const ips = opts.hostIPs ?? ipsOf(pod.status?.hostIPs, pod.status?.hostIP);
      return fieldPath === 'status.hostIP' ? (ips[0] ?? '') : ips.join(',');
    }
    case 'status.podIP':
    case 'status.podIPs': {
      const ips = opts.podIPs ?? ipsOf(pod.status?.podIPs, pod.status?.podIP);
      return fieldPath === 'status.podIP' ? (ips[0] ?? '') : ips.join(',');
    }
  }
  return metadataFieldValue(pod, fieldPath);
}

// ---- downward API: resources ----

/** A resource.Quantity as a number (units: cores for cpu, bytes otherwise); 0 when unset. */
export function quantityValue(q: string | number | undefined): number {
  if (q === undefined || q === '') return 0;
  const v = parseQuantity(q);
  if (v === undefined) throw new Error(`${QUANTITY_ERROR}: ${q}`);
  return v;
}

// Quantity.MilliValue / Value round up; a tiny epsilon absorbs float noise ("0.1" * 1000).
function ceilInt(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) < 1e-9 ? r : Math.ceil(x);
}

const DEFAULTED_LIMITS = ['cpu', 'memory', 'ephemeral-storage'];

/**
 * defaultPodLimitsForDownwardAPI: a container without a cpu/memory/ephemeral-storage
 * limit reports the node's allocatable amount.
 */
export function limitsWithAllocatable(container: Container, nodeAllocatable: ResourceList | undefined): ResourceList {
  const limits: ResourceList = { ...(container.resources?.limits ?? {}) };
  for (const r of DEFAULTED_LIMITS) {
    if (quantityValue(limits[r]) === 0 && nodeAllocatable?.[r] !== undefined) limits[r] = nodeAllocatable[r];
  }
  return limits;
}

/** resource.ExtractContainerResourceValue: ceil(quantity / divisor) as a decimal string. */
export function containerResourceValue(fs: ResourceFieldSelector, container: Container, nodeAllocatable?: ResourceList): string {
  const dot = fs.resource.indexOf('.');
  const kind = fs.resource.slice(0, dot);
  const name = fs.resource.slice(dot + 1);
  const supported = name === 'cpu' || name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-');
  if (dot < 0 || (kind !== 'limits' && kind !== 'requests') || !supported) {
    throw new Error(`unsupported container resource : ${fs.resource}`);
  }
  const list = kind === 'limits' ? limitsWithAllocatable(container, nodeAllocatable) : (container.resources?.requests ?? {});
  const value = quantityValue(list[name]);
  let divisor = quantityValue(fs.divisor);
  if (divisor === 0) divisor = 1;
  if (name === 'cpu') return String(ceilInt(ceilInt(value * 1000) / ceilInt(divisor * 1000)));
  return String(ceilInt(ceilInt(value) / ceilInt(divisor)));
}

/** containerResourceRuntimeValue: a named container (containerName) or the given one. */
export function resourceFieldValue(fs: ResourceFieldSelector, pod: Pod, container: Container | undefined, nodeAllocatable?: ResourceList): string {
  let target = container;
  if (fs.containerName) {
    target = findContainer(pod.spec, fs.containerName);
    if (!target) throw new Error(`container ${fs.containerName} not found`);
  }
  if (!target) throw new Error(`resourceFieldRef ${fs.resource}: containerName is required`);
  return containerResourceValue(fs, target, nodeAllocatable);
}

// ---- the environment ----

/** The own entry `key` of a ConfigMap's or Secret's data: keys like "constructor" are data, not Object's members. */
function dataEntry(data: { [key: string]: string } | undefined, key: string): string | undefined {
  const v = data ? getOwn(data, key) : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** Secret data is base64 on the wire; environment values are its bytes as text. */
function secretValue(data: Record<string, string> | undefined, key: string): string | undefined {
  const v = dataEntry(data, key);
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

/** The ConfigMaps and Secrets of the pod's namespace, each read once per container. */
class NamespaceObjects {
  private readonly configMaps = new Map<string, ConfigMap | undefined>();
  private readonly secrets = new Map<string, Secret | undefined>();

  constructor(
    private readonly lookup: ObjectLookup,
    readonly namespace: string,
  ) {}

  async configMap(name: string): Promise<ConfigMap | undefined> {
    if (!this.configMaps.has(name)) this.configMaps.set(name, await this.lookup.configMap(this.namespace, name));
    return this.configMaps.get(name);
  }

  async secret(name: string): Promise<Secret | undefined> {
    if (!this.secrets.has(name)) this.secrets.set(name, await this.lookup.secret(this.namespace, name));
    return this.secrets.get(name);
  }
}

/** One envFrom source's entries; undefined when it names nothing or an optional object that is missing. */
async function envFromEntries(
  envFrom: EnvFromSource,
  objects: NamespaceObjects,
): Promise<{ what: string; name: string; entries: Array<[string, string]> } | undefined> {
  if (envFrom.configMapRef) {
    const name = envFrom.configMapRef.name ?? '';
    const cm = await objects.configMap(name);
    if (!cm) {
      if (envFrom.configMapRef.optional) return undefined;
      throw new CreateContainerConfigError(`configmap "${name}" not found`);
    }
    return { what: 'configMap', name, entries: Object.entries(cm.data ?? {}) };
  }
  if (envFrom.secretRef) {
    const name = envFrom.secretRef.name ?? '';
    const secret = await objects.secret(name);
    if (!secret) {
      if (envFrom.secretRef.optional) return undefined;
      throw new CreateContainerConfigError(`secret "${name}" not found`);
    }
    return { what: 'secret', name, entries: Object.keys(secret.data ?? {}).map((k) => [k, secretValue(secret.data, k)!]) };
  }
  return undefined;
}

/** envFrom, in order: every key with its prefix; keys that are no valid variable names are skipped and reported. */
async function addEnvFrom(container: Container, objects: NamespaceObjects, env: Map<string, string>, opts: EnvOptions): Promise<void> {
  for (const envFrom of container.envFrom ?? []) {
    const source = await envFromEntries(envFrom, objects);
    if (!source) continue;
    const prefix = envFrom.prefix ?? '';
    const invalid: string[] = [];
    for (const [k, v] of source.entries) {
      const key = prefix + k;
      if (!isRelaxedEnvVarName(key)) {
        invalid.push(key);
        continue;
      }
      env.set(key, v);
    }
    if (invalid.length > 0) {
      invalid.sort();
      opts.recordEvent?.(
        'Warning',
        'InvalidEnvironmentVariableNames',
        `Keys [${invalid.join(', ')}] from the EnvFrom ${source.what} ${objects.namespace}/${source.name} were skipped since they are considered invalid environment variable names.`,
      );
    }
  }
}

/** A configMapKeyRef's or secretKeyRef's value; undefined when optional and missing. */
async function keyRefValue(
  kind: 'ConfigMap' | 'Secret',
  ref: ConfigMapKeySelector | SecretKeySelector,
  objects: NamespaceObjects,
): Promise<string | undefined> {
  const { name = '', key, optional } = ref;
  const obj = kind === 'ConfigMap' ? await objects.configMap(name) : await objects.secret(name);
  if (!obj) {
    if (optional) return undefined;
    throw new CreateContainerConfigError(`${kind === 'ConfigMap' ? 'configmap' : 'secret'} "${name}" not found`);
  }
  const v = kind === 'ConfigMap' ? dataEntry(obj.data, key) : secretValue(obj.data, key);
  if (v === undefined) {
    if (optional) return undefined;
    throw new CreateContainerConfigError(`couldn't find key ${key} in ${kind} ${objects.namespace}/${name}`);
  }
  return v;
}

/** One env entry's value: $(VAR)-expanded value, or valueFrom; undefined when an optional source is missing (the variable is not set). */
async function envVarValue(
  env: EnvVar,
  pod: Pod,
  container: Container,
  objects: NamespaceObjects,
  mapping: (name: string) => string,
  opts: EnvOptions,
): Promise<string | undefined> {
  const value = env.value ?? '';
  if (value !== '') return expandVars(value, mapping);
  const from = env.valueFrom;
  if (!from) return value;
  try {
    if (from.fieldRef) return podFieldValue(pod, from.fieldRef.fieldPath, opts);
    if (from.resourceFieldRef) return resourceFieldValue(from.resourceFieldRef, pod, container, opts.nodeAllocatable);
    if (from.configMapKeyRef) return await keyRefValue('ConfigMap', from.configMapKeyRef, objects);
    if (from.secretKeyRef) return await keyRefValue('Secret', from.secretKeyRef, objects);
    return value;
  } catch (err) {
    if (err instanceof CreateContainerConfigError) throw err;
    throw new CreateContainerConfigError((err as Error).message);
  }
}

/**
 * makeEnvironmentVariables: envFrom, then env in order, then the service
 * variables the container did not define. Throws CreateContainerConfigError with
 * upstream's messages (`configmap "x" not found`, `couldn't find key k in ConfigMap ns/x`).
 */
export async function resolveEnv(
  pod: Pod,
  container: Container,
  lookup: ObjectLookup,
  serviceEnvVars: Record<string, string> = {},
  opts: EnvOptions = {},
): Promise<KeyValue[]> {
  const objects = new NamespaceObjects(lookup, pod.metadata.namespace ?? 'default');
  // Insertion-ordered: a later definition replaces the value but keeps the first position.
  const tmpEnv = new Map<string, string>();
  const mapping = mappingFuncFor(tmpEnv, serviceEnvVars);
  await addEnvFrom(container, objects, tmpEnv, opts);
  for (const env of container.env ?? []) {
    const value = await envVarValue(env, pod, container, objects, mapping, opts);
    if (value !== undefined) tmpEnv.set(env.name, value);
  }
  const result: KeyValue[] = [...tmpEnv].map(([key, value]) => ({ key, value }));
  // The container's own definitions win over the service variables.
  for (const [key, value] of Object.entries(serviceEnvVars)) {
    if (!tmpEnv.has(key)) result.push({ key, value });
  }
  return result;
}
