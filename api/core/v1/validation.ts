// Validation of the core/v1 kinds other than pods, after k8s pkg/apis/core/validation.
import type { KubeObject } from '../../meta/v1/types.js';
import {
  type ErrorList,
  type Obj,
  FIELD_IMMUTABLE,
  arrAt,
  duplicate,
  forbidden,
  invalid,
  isObj,
  notSupported,
  objAt,
  objs,
  required,
  str,
  tooLong,
  validateImmutableField,
  validateNonnegative,
} from '../../validation/field.js';
import {
  IP_ERROR,
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isIP,
  isValidPortName,
  isValidPortNum,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  nameIsPathSegment,
} from '../../validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate, validateSelectorMatchesTemplate, validateLabels } from '../../validation/objectmeta.js';
import { parseQuantity, QUANTITY_ERROR } from '../../resource/quantity.js';
import { validatePodTemplateSpec } from './podvalidation.js';
import { volumeSourcesOf } from './defaults.js';

export { validatePod, validatePodUpdate, validatePodSpec, validatePodTemplateSpec, POD_UPDATE_FORBIDDEN } from './podvalidation.js';

export const NODE_PORT_RANGE = { base: 30000, size: 2768 };
const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SERVICE_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** Plain ObjectMeta checks for a kind named as a DNS-1123 subdomain. */
export function validateMetaSubdomain(obj: KubeObject): ErrorList {
  return validateObjectMeta(obj.metadata, { nameFn: nameIsDNSSubdomain });
}

export function validateMetaUpdate(obj: KubeObject, old: KubeObject): ErrorList {
  return validateObjectMetaUpdate(obj.metadata, old.metadata);
}

// --- Service ---

export function validateService(svc: KubeObject): ErrorList {
  const errs: ErrorList = validateObjectMeta(svc.metadata, { nameFn: nameIsDNS1035Label });
  const spec = objAt(svc, 'spec') ?? {};
  const type = str(spec, 'type') ?? 'ClusterIP';
  if (!SERVICE_TYPES.includes(type)) errs.push(notSupported('spec.type', type, SERVICE_TYPES));
  const clusterIP = str(spec, 'clusterIP') ?? '';
  const headless = clusterIP === 'None';
  const ports = objs(spec, 'ports');
  if (ports.length === 0 && type !== 'ExternalName' && !headless) errs.push(required('spec.ports', ''));
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const f = `spec.ports[${i}]`;
    const name = str(p, 'name') ?? '';
    if (ports.length > 1 && !name) errs.push(required(`${f}.name`, ''));
    else if (name) {
      errs.push(...isDNS1123Label(name).map((m) => invalid(`${f}.name`, name, m)));
      if (names.has(name)) errs.push(duplicate(`${f}.name`, name));
      names.add(name);
    }
    const port = p.port;
    if (typeof port !== 'number') errs.push(required(`${f}.port`, ''));
    else errs.push(...isValidPortNum(port).map((m) => invalid(`${f}.port`, port, m)));
    const proto = p.protocol ?? 'TCP';
    if (!SERVICE_PROTOCOLS.includes(String(proto))) errs.push(notSupported(`${f}.protocol`, proto, SERVICE_PROTOCOLS));
    const key = `${String(port)}/${String(proto)}`;
    if (seen.has(key))
      errs.push(duplicate(f, { raw: `core.ServicePort{Name:${JSON.stringify(name)}, Protocol:${JSON.stringify(proto)}, Port:${String(port)}}` }));
    seen.add(key);
    const tp = p.targetPort;
    if (typeof tp === 'number') errs.push(...isValidPortNum(tp).map((m) => invalid(`${f}.targetPort`, tp, m)));
    else if (typeof tp === 'string') {
      const asNum = /^[0-9]+$/.test(tp) ? Number(tp) : undefined;
      if (asNum !== undefined) errs.push(...isValidPortNum(asNum).map((m) => invalid(`${f}.targetPort`, asNum, m)));
      else errs.push(...isValidPortName(tp).map((m) => invalid(`${f}.targetPort`, tp, m)));
    }
    const np = p.nodePort;
    if (typeof np === 'number' && np !== 0) {
      if (type !== 'NodePort' && type !== 'LoadBalancer') errs.push(forbidden(`${f}.nodePort`, `may not be used when \`type\` is '${type}'`));
      else if (np < NODE_PORT_RANGE.base || np >= NODE_PORT_RANGE.base + NODE_PORT_RANGE.size) {
        errs.push(
          invalid(
            `${f}.nodePort`,
            np,
            `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.base}-${NODE_PORT_RANGE.base + NODE_PORT_RANGE.size - 1}`,
          ),
        );
      }
    }
  });
  if (type === 'ExternalName') {
    const en = str(spec, 'externalName') ?? '';
    if (!en) errs.push(required('spec.externalName', ''));
    else errs.push(...isDNS1123Subdomain(en.replace(/\.$/, '')).map((m) => invalid('spec.externalName', en, m)));
    if (clusterIP && clusterIP !== '') errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
  } else {
    const ips = arrAt(spec, 'clusterIPs');
    ips.forEach((ip, i) => {
      if (typeof ip === 'string' && ip !== 'None' && ip !== '' && !isIP(ip)) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, IP_ERROR));
    });
    if (clusterIP && ips.length > 0 && ips[0] !== clusterIP)
      errs.push(invalid('spec.clusterIPs', { raw: `[]string{${ips.map((x) => JSON.stringify(x)).join(', ')}}` }, 'element [0] must match clusterIP'));
    if (clusterIP && clusterIP !== 'None' && !isIP(clusterIP)) errs.push(invalid('spec.clusterIPs[0]', clusterIP, IP_ERROR));
  }
  const affinity = spec.sessionAffinity;
  if (affinity !== undefined && affinity !== 'None' && affinity !== 'ClientIP') errs.push(notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  const etp = spec.externalTrafficPolicy;
  if (etp !== undefined && etp !== '') {
    if (type !== 'NodePort' && type !== 'LoadBalancer')
      errs.push(invalid('spec.externalTrafficPolicy', etp, "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
    else if (etp !== 'Cluster' && etp !== 'Local') errs.push(notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
  }
  const itp = spec.internalTrafficPolicy;
  if (itp !== undefined && itp !== 'Cluster' && itp !== 'Local') errs.push(notSupported('spec.internalTrafficPolicy', itp, ['Cluster', 'Local']));
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  return errs;
}

/** ValidateServiceUpdate: the primary cluster IP stays, unless the type moves to or from ExternalName. An empty clusterIP means "keep" (the REST copies it). */
export function validateServiceUpdate(svc: KubeObject, old: KubeObject): ErrorList {
  const errs = validateMetaUpdate(svc, old);
  const spec = objAt(svc, 'spec') ?? {};
  const oldSpec = objAt(old, 'spec') ?? {};
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return errs;
  const oldIP = str(oldSpec, 'clusterIP') ?? '';
  const ips = arrAt(spec, 'clusterIPs').filter((x): x is string => typeof x === 'string');
  const newIP = str(spec, 'clusterIP') ?? ips[0] ?? '';
  if (oldIP && newIP && newIP !== oldIP) {
    const shown = ips.length ? ips : [newIP];
    errs.push(invalid('spec.clusterIPs[0]', { raw: `[]string{${shown.map((x) => JSON.stringify(x)).join(', ')}}` }, 'may not change once set'));
  }
  return errs;
}

// --- ConfigMap / Secret ---

const MAX_CONFIG_SIZE = 1024 * 1024;

function validateDataKeys(data: Obj | undefined, field: string): ErrorList {
  const errs: ErrorList = [];
  for (const k of Object.keys(data ?? {})) errs.push(...isConfigMapKey(k).map((m) => invalid(`${field}[${k}]`, k, m)));
  return errs;
}

export function validateConfigMap(cm: KubeObject): ErrorList {
  const errs = validateMetaSubdomain(cm);
  const data = objAt(cm, 'data');
  const binary = objAt(cm, 'binaryData');
  errs.push(...validateDataKeys(data, 'data'));
  errs.push(...validateDataKeys(binary, 'binaryData'));
  let total = 0;
  for (const [k, v] of Object.entries(data ?? {})) {
    total += Buffer.byteLength(String(v));
    if (binary && k in binary) errs.push(invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
  }
  for (const v of Object.values(binary ?? {})) total += Buffer.from(String(v), 'base64').length;
  if (total > MAX_CONFIG_SIZE) errs.push(tooLong('', MAX_CONFIG_SIZE));
  return errs;
}

const IMMUTABLE_SET = 'field is immutable when `immutable` is set';

function validateImmutableData(obj: KubeObject, old: KubeObject, fields: string[]): ErrorList {
  const errs: ErrorList = [];
  if (old.immutable !== true) return errs;
  if (obj.immutable !== true) errs.push(forbidden('immutable', IMMUTABLE_SET));
  for (const f of fields) if (validateImmutableField(obj[f] ?? {}, old[f] ?? {}, f).length) errs.push(forbidden(f, IMMUTABLE_SET));
  return errs;
}

export function validateConfigMapUpdate(cm: KubeObject, old: KubeObject): ErrorList {
  return [...validateMetaUpdate(cm, old), ...validateImmutableData(cm, old, ['data', 'binaryData'])];
}

const SECRET_TYPE_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

export function validateSecret(secret: KubeObject): ErrorList {
  const errs = validateMetaSubdomain(secret);
  const data = objAt(secret, 'data') ?? {};
  errs.push(...validateDataKeys(data, 'data'));
  let total = 0;
  for (const v of Object.values(data)) total += Buffer.from(String(v), 'base64').length;
  if (total > MAX_CONFIG_SIZE) errs.push(tooLong('data', MAX_CONFIG_SIZE));
  const type = str(secret, 'type') ?? 'Opaque';
  for (const key of SECRET_TYPE_KEYS[type] ?? []) if (!(key in data)) errs.push(required(`data[${key}]`, ''));
  if (type === 'kubernetes.io/service-account-token' && !secret.metadata.annotations?.['kubernetes.io/service-account.name']) {
    errs.push(required('metadata.annotations[kubernetes.io/service-account.name]', ''));
  }
  if (type === 'kubernetes.io/basic-auth' && !('username' in data) && !('password' in data)) errs.push(required('data[username]', ''));
  if (type === 'kubernetes.io/ssh-auth' && !('ssh-privatekey' in data)) errs.push(required('data[ssh-privatekey]', ''));
  return errs;
}

export function validateSecretUpdate(secret: KubeObject, old: KubeObject): ErrorList {
  const errs = validateMetaUpdate(secret, old);
  errs.push(...validateImmutableField(secret.type ?? 'Opaque', old.type ?? 'Opaque', 'type'));
  errs.push(...validateImmutableData(secret, old, ['data']));
  return errs;
}

// --- Namespace ---

export function validateNamespace(ns: KubeObject): ErrorList {
  // A namespace on a cluster-scoped object is cleared by the store (rest.BeforeCreate), not rejected.
  return validateObjectMeta(ns.metadata, { nameFn: nameIsDNSLabel });
}

// --- PersistentVolumeClaim / PersistentVolume ---

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

function validateAccessModes(spec: Obj, field: string): ErrorList {
  const errs: ErrorList = [];
  const modes = arrAt(spec, 'accessModes');
  if (modes.length === 0) errs.push(required(field, 'at least 1 access mode is required'));
  for (const m of modes) if (!ACCESS_MODES.includes(String(m))) errs.push(notSupported(field, m, ACCESS_MODES));
  return errs;
}

function validateStorageQuantity(v: unknown, field: string): ErrorList {
  if (v === undefined) return [required(field, '')];
  const q = parseQuantity(v);
  if (q === undefined) return [invalid(field, v, QUANTITY_ERROR)];
  if (q <= 0) return [invalid(field, v, 'must be greater than zero')];
  return [];
}

export function validatePersistentVolumeClaim(pvc: KubeObject): ErrorList {
  const errs = validateMetaSubdomain(pvc);
  const spec = objAt(pvc, 'spec') ?? {};
  errs.push(...validateAccessModes(spec, 'spec.accessModes'));
  const vm = spec.volumeMode;
  if (vm !== undefined && vm !== 'Filesystem' && vm !== 'Block') errs.push(notSupported('spec.volumeMode', vm, ['Block', 'Filesystem']));
  if (!spec.dataSource && !spec.dataSourceRef)
    errs.push(...validateStorageQuantity(objAt(objAt(spec, 'resources'), 'requests')?.storage, 'spec.resources[storage]'));
  return errs;
}

export const PVC_SPEC_IMMUTABLE = 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims';

export function validatePersistentVolumeClaimUpdate(pvc: KubeObject, old: KubeObject): ErrorList {
  const errs = validateMetaUpdate(pvc, old);
  const spec = structuredClone(objAt(pvc, 'spec') ?? {});
  const oldSpec = structuredClone(objAt(old, 'spec') ?? {});
  // The binder fills volumeName (and a default class) once; requests may be resized.
  if (!oldSpec.volumeName) oldSpec.volumeName = spec.volumeName;
  if (!oldSpec.storageClassName) oldSpec.storageClassName = spec.storageClassName;
  const newRes = objAt(spec, 'resources');
  if (newRes) oldSpec.resources = { ...(objAt(oldSpec, 'resources') ?? {}), requests: newRes.requests };
  delete spec.volumeAttributesClassName;
  delete oldSpec.volumeAttributesClassName;
  if (validateImmutableField(spec, oldSpec, 'spec').length) errs.push(forbidden('spec', PVC_SPEC_IMMUTABLE));
  return errs;
}

export function validatePersistentVolume(pv: KubeObject): ErrorList {
  const errs = validateObjectMeta(pv.metadata, { nameFn: nameIsPathSegment });
  const spec = objAt(pv, 'spec') ?? {};
  errs.push(...validateAccessModes(spec, 'spec.accessModes'));
  const capacity = objAt(spec, 'capacity');
  if (!capacity || Object.keys(capacity).length === 0) errs.push(required('spec.capacity', ''));
  else errs.push(...validateStorageQuantity(capacity.storage, 'spec.capacity[storage]'));
  const sources = volumeSourcesOf(spec).filter((k) => k !== 'emptyDir');
  if (sources.length === 0 && !spec.local) errs.push(required('spec', 'must specify a volume type'));
  else if (sources.length > 1) errs.push(forbidden(`spec.${sources[1]}`, 'may not specify more than 1 volume type'));
  const hostPath = objAt(spec, 'hostPath');
  if (hostPath && !str(hostPath, 'path')) errs.push(required('spec.hostPath.path', ''));
  const rp = spec.persistentVolumeReclaimPolicy;
  if (rp !== undefined && !['Delete', 'Recycle', 'Retain'].includes(String(rp)))
    errs.push(notSupported('spec.persistentVolumeReclaimPolicy', rp, ['Delete', 'Recycle', 'Retain']));
  return errs;
}

export function validatePersistentVolumeUpdate(pv: KubeObject, old: KubeObject): ErrorList {
  const errs = validateMetaUpdate(pv, old);
  const spec = objAt(pv, 'spec') ?? {};
  const oldSpec = objAt(old, 'spec') ?? {};
  const changed = volumeSourcesOf(oldSpec).some((k) => validateImmutableField(spec[k], oldSpec[k], k).length > 0);
  if (changed) errs.push(forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  if (oldSpec.volumeMode !== undefined) errs.push(...validateImmutableField(spec.volumeMode, oldSpec.volumeMode, 'volumeMode'));
  return errs;
}

// --- ReplicationController ---

export function validateReplicationController(rc: KubeObject): ErrorList {
  const errs = validateMetaSubdomain(rc);
  const spec = objAt(rc, 'spec') ?? {};
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  const selector = objAt(spec, 'selector') as Record<string, string> | undefined;
  if (!selector || Object.keys(selector).length === 0) errs.push(required('spec.selector', ''));
  else errs.push(...validateLabels(selector, 'spec.selector'));
  const template = objAt(spec, 'template');
  if (!template) errs.push(required('spec.template', ''));
  else {
    const labels = objAt(objAt(template, 'metadata'), 'labels') as Record<string, string> | undefined;
    if (selector && Object.keys(selector).length)
      errs.push(...validateSelectorMatchesTemplate({ matchLabels: selector }, labels, 'spec.template.metadata.labels'));
    errs.push(...validatePodTemplateSpec(template, 'spec.template'));
    const rp = objAt(template, 'spec')?.restartPolicy;
    if (rp !== undefined && rp !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
  }
  return errs;
}

// --- Node, ServiceAccount, ResourceQuota, LimitRange, Event, Endpoints ---

export function validateNode(node: KubeObject): ErrorList {
  const errs = validateMetaSubdomain(node);
  const spec = objAt(node, 'spec') ?? {};
  objs(spec, 'taints').forEach((t, i) => {
    const f = `spec.taints[${i}]`;
    const key = str(t, 'key') ?? '';
    if (!key) errs.push(required(`${f}.key`, ''));
    if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(String(t.effect)))
      errs.push(notSupported(`${f}.effect`, t.effect ?? '', ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
  });
  return errs;
}

function validateResourceList(list: Obj | undefined, field: string): ErrorList {
  const errs: ErrorList = [];
  for (const [k, v] of Object.entries(list ?? {})) {
    const q = parseQuantity(v);
    if (q === undefined) errs.push(invalid(`${field}[${k}]`, v, QUANTITY_ERROR));
    else if (q < 0) errs.push(invalid(`${field}[${k}]`, v, 'must be greater than or equal to 0'));
  }
  return errs;
}

export function validateResourceQuota(q: KubeObject): ErrorList {
  return [...validateMetaSubdomain(q), ...validateResourceList(objAt(objAt(q, 'spec'), 'hard'), 'spec.hard')];
}

export function validateLimitRange(lr: KubeObject): ErrorList {
  const errs = validateMetaSubdomain(lr);
  objs(objAt(lr, 'spec'), 'limits').forEach((item, i) => {
    const f = `spec.limits[${i}]`;
    if (!['Pod', 'Container', 'PersistentVolumeClaim'].includes(String(item.type)))
      errs.push(notSupported(`${f}.type`, item.type ?? '', ['Container', 'PersistentVolumeClaim', 'Pod']));
    for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) errs.push(...validateResourceList(objAt(item, k), `${f}.${k}`));
  });
  return errs;
}

export function validateEvent(ev: KubeObject): ErrorList {
  const errs = validateMetaSubdomain(ev);
  const involved = objAt(ev, 'involvedObject');
  const ns = str(involved, 'namespace');
  if (ns && ev.metadata.namespace && ns !== ev.metadata.namespace) errs.push(invalid('involvedObject.namespace', ns, 'does not match event.namespace'));
  return errs;
}

export function validateEndpoints(ep: KubeObject): ErrorList {
  const errs = validateMetaSubdomain(ep);
  objs(ep as Obj, 'subsets').forEach((s, i) => {
    for (const k of ['addresses', 'notReadyAddresses']) {
      objs(s, k).forEach((a, j) => {
        const ip = str(a, 'ip') ?? '';
        if (!isIP(ip)) errs.push(invalid(`subsets[${i}].${k}[${j}].ip`, ip, IP_ERROR));
      });
    }
    objs(s, 'ports').forEach((p, j) => {
      if (typeof p.port === 'number') errs.push(...isValidPortNum(p.port).map((m) => invalid(`subsets[${i}].ports[${j}].port`, p.port, m)));
    });
  });
  return errs;
}

export function validateControllerRevisionLike(obj: KubeObject): ErrorList {
  return validateMetaSubdomain(obj);
}

export { FIELD_IMMUTABLE, isObj };
