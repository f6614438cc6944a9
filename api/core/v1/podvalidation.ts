// Pod and pod-template validation after k8s pkg/apis/core/validation (ValidatePodSpec,
// ValidatePodTemplateSpec, ValidatePodUpdate), with upstream field paths and messages.
import type { KubeObject, ObjectMeta } from '../../meta/v1/types.js';
import {
  type ErrorList,
  type Obj,
  deepEqual,
  duplicate,
  forbidden,
  inclusiveRange,
  invalid,
  isObj,
  notFound,
  notSupported,
  num,
  objAt,
  objs,
  required,
  str,
  validateNonnegative,
} from '../../validation/field.js';
import { isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isQualifiedName, isValidPortName, isValidPortNum } from '../../validation/names.js';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate, validateAnnotations } from '../../validation/objectmeta.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { parseQuantity, QUANTITY_ERROR } from '../../resource/quantity.js';
import { volumeSourcesOf } from './defaults.js';

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function labelMsgs(field: string, v: string, msgs: string[]): ErrorList {
  return msgs.map((m) => invalid(field, v, m));
}

function validateVolumes(volumes: Obj[], field: string): { errs: ErrorList; names: Set<string> } {
  const errs: ErrorList = [];
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const p = `${field}[${i}]`;
    const name = str(v, 'name') ?? '';
    if (!name) errs.push(required(`${p}.name`, ''));
    else {
      errs.push(...labelMsgs(`${p}.name`, name, isDNS1123Label(name)));
      if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
      names.add(name);
    }
    const sources = volumeSourcesOf(v);
    if (sources.length === 0) errs.push(required(p, 'must specify a volume type'));
    else if (sources.length > 1) errs.push(forbidden(`${p}.${sources[1]}`, 'may not specify more than 1 volume type'));
    const hostPath = objAt(v, 'hostPath');
    if (hostPath && !str(hostPath, 'path')) errs.push(required(`${p}.hostPath.path`, ''));
    const secret = objAt(v, 'secret');
    if (secret && !str(secret, 'secretName')) errs.push(required(`${p}.secret.secretName`, ''));
    const cm = objAt(v, 'configMap');
    if (cm && !str(cm, 'name')) errs.push(required(`${p}.configMap.name`, ''));
    const pvc = objAt(v, 'persistentVolumeClaim');
    if (pvc && !str(pvc, 'claimName')) errs.push(required(`${p}.persistentVolumeClaim.claimName`, ''));
    for (const k of ['secret', 'configMap', 'downwardAPI', 'projected']) {
      const mode = num(objAt(v, k), 'defaultMode');
      if (mode !== undefined && (mode < 0 || mode > 0o777))
        errs.push(invalid(`${p}.${k}.defaultMode`, mode, 'must be a number between 0 and 0777 (octal), both inclusive'));
    }
  });
  return { errs, names };
}

function validateProbe(probe: Obj | undefined, field: string, isLivenessOrStartup: boolean): ErrorList {
  if (!probe) return [];
  const errs: ErrorList = [];
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((k) => probe[k] !== undefined && probe[k] !== null);
  if (handlers.length === 0) errs.push(required(field, 'must specify a handler type'));
  else if (handlers.length > 1) errs.push(forbidden(`${field}.${handlers[1]}`, 'may not specify more than 1 handler type'));
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'])
    errs.push(...validateNonnegative(probe[k], `${field}.${k}`));
  if (isLivenessOrStartup && typeof probe.successThreshold === 'number' && probe.successThreshold !== 1)
    errs.push(invalid(`${field}.successThreshold`, probe.successThreshold, 'must be 1'));
  errs.push(...validatePortRef(objAt(probe, 'httpGet'), `${field}.httpGet.port`));
  errs.push(...validatePortRef(objAt(probe, 'tcpSocket'), `${field}.tcpSocket.port`));
  return errs;
}

function validatePortRef(action: Obj | undefined, field: string): ErrorList {
  if (!action) return [];
  const port = action.port;
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(field, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(field, port, m));
  return [required(field, '')];
}

/** ResourceRequirements: quantities valid, non-negative, requests ≤ limits. */
export function validateResources(res: Obj | undefined, field: string): ErrorList {
  const errs: ErrorList = [];
  if (!res) return errs;
  const limits = objAt(res, 'limits') ?? {};
  const requests = objAt(res, 'requests') ?? {};
  for (const [which, m] of [
    ['limits', limits],
    ['requests', requests],
  ] as const) {
    for (const [k, v] of Object.entries(m)) {
      const q = parseQuantity(v);
      const p = `${field}.${which}[${k}]`;
      if (q === undefined) errs.push(invalid(p, v, QUANTITY_ERROR));
      else if (q < 0) errs.push(invalid(p, v, 'must be greater than or equal to 0'));
      for (const msg of isQualifiedName(k)) errs.push(invalid(`${field}.${which}[${k}]`, k, msg));
    }
  }
  for (const [k, v] of Object.entries(requests)) {
    const lim = limits[k];
    if (lim === undefined) continue;
    const rq = parseQuantity(v);
    const lq = parseQuantity(lim);
    if (rq !== undefined && lq !== undefined && rq > lq)
      errs.push(invalid(`${field}.requests`, String(v), `must be less than or equal to ${k} limit of ${String(lim)}`));
  }
  return errs;
}

function validateEnv(env: Obj[], field: string): ErrorList {
  const errs: ErrorList = [];
  env.forEach((e, i) => {
    const p = `${field}[${i}]`;
    const name = str(e, 'name') ?? '';
    if (!name) errs.push(required(`${p}.name`, ''));
    else errs.push(...isEnvVarName(name).map((m) => invalid(`${p}.name`, name, m)));
    const from = objAt(e, 'valueFrom');
    if (from) {
      const n = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => from[k] !== undefined && from[k] !== null).length;
      if (n === 0) errs.push(invalid(`${p}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      else if (n > 1) errs.push(invalid(`${p}.valueFrom`, '', 'may not have more than one field specified at a time'));
      if (e.value) errs.push(invalid(`${p}.valueFrom`, '', 'may not be specified when `value` is not empty'));
      for (const k of ['configMapKeyRef', 'secretKeyRef']) {
        const ref = objAt(from, k);
        if (ref && !str(ref, 'key')) errs.push(required(`${p}.valueFrom.${k}.key`, ''));
      }
      const fieldRef = objAt(from, 'fieldRef');
      if (fieldRef && !str(fieldRef, 'fieldPath')) errs.push(required(`${p}.valueFrom.fieldRef.fieldPath`, ''));
    }
  });
  return errs;
}

interface ContainerContext {
  volumes: Set<string>;
  containerNames: Set<string>;
  portNames: Set<string>;
  isInit: boolean;
}

function validateContainer(c: Obj, field: string, ctx: ContainerContext): ErrorList {
  const errs: ErrorList = [];
  const name = str(c, 'name') ?? '';
  if (!name) errs.push(required(`${field}.name`, ''));
  else {
    errs.push(...labelMsgs(`${field}.name`, name, isDNS1123Label(name)));
    if (ctx.containerNames.has(name)) errs.push(duplicate(`${field}.name`, name));
    ctx.containerNames.add(name);
  }
  const image = str(c, 'image') ?? '';
  if (!image) errs.push(required(`${field}.image`, ''));
  else if (image.trim() !== image) errs.push(invalid(`${field}.image`, image, 'must not have leading or trailing whitespace'));
  if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(String(c.imagePullPolicy)))
    errs.push(notSupported(`${field}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
  if (c.terminationMessagePolicy !== undefined && !TERMINATION_MESSAGE_POLICIES.includes(String(c.terminationMessagePolicy)))
    errs.push(notSupported(`${field}.terminationMessagePolicy`, c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
  objs(c, 'ports').forEach((port, i) => {
    const p = `${field}.ports[${i}]`;
    const pn = str(port, 'name');
    if (pn) {
      errs.push(...isValidPortName(pn).map((m) => invalid(`${p}.name`, pn, m)));
      if (ctx.portNames.has(pn)) errs.push(duplicate(`${p}.name`, pn));
      ctx.portNames.add(pn);
    }
    const cp = port.containerPort;
    if (cp === undefined || cp === 0) errs.push(required(`${p}.containerPort`, ''));
    else if (typeof cp === 'number') errs.push(...isValidPortNum(cp).map((m) => invalid(`${p}.containerPort`, cp, m)));
    const hp = port.hostPort;
    if (typeof hp === 'number' && hp !== 0) errs.push(...isValidPortNum(hp).map((m) => invalid(`${p}.hostPort`, hp, m)));
    if (!port.protocol) errs.push(required(`${p}.protocol`, ''));
    else if (!PROTOCOLS.includes(String(port.protocol))) errs.push(notSupported(`${p}.protocol`, port.protocol, PROTOCOLS));
  });
  errs.push(...validateEnv(objs(c, 'env'), `${field}.env`));
  const mountPaths = new Set<string>();
  objs(c, 'volumeMounts').forEach((m, i) => {
    const p = `${field}.volumeMounts[${i}]`;
    const vn = str(m, 'name') ?? '';
    if (!vn) errs.push(required(`${p}.name`, ''));
    else if (!ctx.volumes.has(vn)) errs.push(notFound(`${p}.name`, vn));
    const mp = str(m, 'mountPath') ?? '';
    if (!mp) errs.push(required(`${p}.mountPath`, ''));
    else if (mountPaths.has(mp)) errs.push(invalid(`${p}.mountPath`, mp, 'must be unique'));
    mountPaths.add(mp);
  });
  if (ctx.isInit) {
    // Only sidecar init containers (restartPolicy Always) may carry probes other than startup.
    const sidecar = c.restartPolicy === 'Always';
    if (c.restartPolicy !== undefined && !sidecar) errs.push(notSupported(`${field}.restartPolicy`, c.restartPolicy, ['Always']));
    if (!sidecar)
      for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'])
        if (c[k] !== undefined) errs.push(forbidden(`${field}.${k}`, `may not be set for init containers without restartPolicy=Always`));
  } else if (c.restartPolicy !== undefined) {
    errs.push(forbidden(`${field}.restartPolicy`, 'may not be set for non-init containers'));
  }
  errs.push(...validateProbe(objAt(c, 'livenessProbe'), `${field}.livenessProbe`, true));
  errs.push(...validateProbe(objAt(c, 'readinessProbe'), `${field}.readinessProbe`, false));
  errs.push(...validateProbe(objAt(c, 'startupProbe'), `${field}.startupProbe`, true));
  errs.push(...validateResources(objAt(c, 'resources'), `${field}.resources`));
  return errs;
}

export function validateTolerations(tolerations: Obj[], field: string): ErrorList {
  const errs: ErrorList = [];
  tolerations.forEach((t, i) => {
    const p = `${field}[${i}]`;
    const key = str(t, 'key') ?? '';
    if (key) errs.push(...isQualifiedName(key).map((m) => invalid(`${p}.key`, key, m)));
    const op = str(t, 'operator') ?? 'Equal';
    if (!key && op !== 'Exists')
      errs.push(invalid(`${p}.operator`, op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (op === 'Exists' && t.value) errs.push(invalid(`${p}.operator`, t, "value must be empty when `operator` is 'Exists'"));
    if (op !== 'Equal' && op !== 'Exists') errs.push(notSupported(`${p}.operator`, op, ['Equal', 'Exists']));
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute')
      errs.push(invalid(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    if (t.effect && !TAINT_EFFECTS.includes(String(t.effect))) errs.push(notSupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
}

/** ValidatePodSpec. `field` is the path of the spec (`spec`, `spec.template.spec`...). */
export function validatePodSpec(spec: Obj | undefined, field: string): ErrorList {
  const errs: ErrorList = [];
  const s = spec ?? {};
  const { errs: volErrs, names: volumes } = validateVolumes(objs(s, 'volumes'), `${field}.volumes`);
  errs.push(...volErrs);
  const containerNames = new Set<string>();
  const portNames = new Set<string>();
  objs(s, 'initContainers').forEach((c, i) =>
    errs.push(...validateContainer(c, `${field}.initContainers[${i}]`, { volumes, containerNames, portNames, isInit: true })),
  );
  const containers = objs(s, 'containers');
  if (containers.length === 0) errs.push(required(`${field}.containers`, ''));
  containers.forEach((c, i) =>
    errs.push(...validateContainer(c, `${field}.containers[${i}]`, { volumes, containerNames, portNames: new Set(), isInit: false })),
  );
  const rp = s.restartPolicy;
  if (rp === undefined || rp === '') errs.push(required(`${field}.restartPolicy`, ''));
  else if (!RESTART_POLICIES.includes(String(rp))) errs.push(notSupported(`${field}.restartPolicy`, rp, RESTART_POLICIES));
  const dp = s.dnsPolicy;
  if (dp === undefined || dp === '') errs.push(required(`${field}.dnsPolicy`, ''));
  else if (!DNS_POLICIES.includes(String(dp))) errs.push(notSupported(`${field}.dnsPolicy`, dp, DNS_POLICIES));
  if (dp === 'None' && !isObj(s.dnsConfig)) errs.push(required(`${field}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));
  errs.push(...validateLabels(s.nodeSelector, `${field}.nodeSelector`));
  const sa = str(s, 'serviceAccountName');
  if (sa) errs.push(...isDNS1123Subdomain(sa).map((m) => invalid(`${field}.serviceAccountName`, sa, m)));
  for (const k of ['hostname', 'subdomain']) {
    const v = str(s, k);
    if (v) errs.push(...isDNS1123Label(v).map((m) => invalid(`${field}.${k}`, v, m)));
  }
  const ads = s.activeDeadlineSeconds;
  if (typeof ads === 'number' && (ads < 1 || ads > 2147483647)) errs.push(invalid(`${field}.activeDeadlineSeconds`, ads, inclusiveRange(1, 2147483647)));
  errs.push(...validateTolerations(objs(s, 'tolerations'), `${field}.tolerations`));
  const runtimeClassName = str(s, 'runtimeClassName');
  if (runtimeClassName !== undefined)
    errs.push(...nameIsDNSSubdomain(runtimeClassName, false).map((m) => invalid(`${field}.runtimeClassName`, runtimeClassName, m)));
  const overhead = objAt(s, 'overhead');
  if (overhead) errs.push(...validateResources({ limits: overhead }, `${field}.overhead`));
  const ports = new Set<string>();
  for (const c of containers) {
    objs(c, 'ports').forEach((p) => {
      if (typeof p.hostPort === 'number' && p.hostPort > 0) {
        const key = `${String(p.protocol ?? 'TCP')}/${String(p.hostIP ?? '')}/${p.hostPort}`;
        if (ports.has(key)) errs.push(duplicate(`${field}.containers[${containers.indexOf(c)}].ports`, `${p.hostPort}/${String(p.protocol ?? 'TCP')}`));
        ports.add(key);
      }
    });
  }
  return errs;
}

/** ValidatePodTemplateSpec: template metadata (no name) and its spec. */
export function validatePodTemplateSpec(template: Obj | undefined, field: string): ErrorList {
  if (!template) return [required(field, '')];
  const meta = (objAt(template, 'metadata') ?? {}) as ObjectMeta;
  const errs: ErrorList = [];
  errs.push(...validateLabels(meta.labels, `${field}.metadata.labels`));
  errs.push(...validateAnnotations(meta.annotations, `${field}.metadata.annotations`));
  errs.push(...validatePodSpec(objAt(template, 'spec'), `${field}.spec`));
  return errs;
}

export function validatePod(pod: KubeObject): ErrorList {
  return [...validateObjectMeta(pod.metadata, { nameFn: nameIsDNSSubdomain }), ...validatePodSpec(objAt(pod, 'spec'), 'spec')];
}

export const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** ValidatePodUpdate: most of a pod's spec is fixed once created. */
export function validatePodUpdate(pod: KubeObject, old: KubeObject): ErrorList {
  const errs: ErrorList = validateObjectMetaUpdate(pod.metadata, old.metadata);
  const spec = objAt(pod, 'spec') ?? {};
  const oldSpec = objAt(old, 'spec') ?? {};
  const oldAds = num(oldSpec, 'activeDeadlineSeconds');
  const newAds = num(spec, 'activeDeadlineSeconds');
  if (oldAds !== undefined && (newAds === undefined || newAds > oldAds)) {
    errs.push(invalid('spec.activeDeadlineSeconds', newAds ?? { raw: '<nil>' }, 'must be less than or equal to previous value'));
  }
  // Copy what may change into the old spec; anything left different is forbidden.
  const mutable = structuredClone(oldSpec);
  for (const k of ['containers', 'initContainers']) {
    const now = objs(spec, k);
    const before = objs(mutable, k);
    if (now.length !== before.length) continue;
    before.forEach((c, i) => {
      c.image = now[i].image;
    });
  }
  mutable.activeDeadlineSeconds = spec.activeDeadlineSeconds;
  const oldTol = objs(oldSpec, 'tolerations');
  const newTol = objs(spec, 'tolerations');
  const keptAll = oldTol.every((t) => newTol.some((n) => deepEqual({ ...n, tolerationSeconds: undefined }, { ...t, tolerationSeconds: undefined })));
  if (keptAll) mutable.tolerations = spec.tolerations;
  const oldGrace = num(oldSpec, 'terminationGracePeriodSeconds');
  if (oldGrace !== undefined && oldGrace < 0 && spec.terminationGracePeriodSeconds === 1) mutable.terminationGracePeriodSeconds = 1;
  // The scheduler binds through pods/binding; a pod whose nodeName was empty may gain one.
  if (!oldSpec.nodeName && spec.nodeName) mutable.nodeName = spec.nodeName;
  // Scheduling gates may only be removed.
  const oldGates = objs(oldSpec, 'schedulingGates');
  const newGates = objs(spec, 'schedulingGates');
  if (newGates.every((g) => oldGates.some((o) => o.name === g.name))) mutable.schedulingGates = spec.schedulingGates;
  if (!deepEqual(mutable, spec)) errs.push(forbidden('spec', POD_UPDATE_FORBIDDEN));
  return errs;
}
