// Defaulting for core/v1, after k8s pkg/apis/core/v1/defaults.go (SetDefaults_*),
// plus the admission defaults every cluster applies to pods (ServiceAccount,
// Priority, DefaultTolerationSeconds). Objects are plain JSON and are mutated in place.
import type { KubeObject } from '../../meta/v1/types.js';
import { type Obj, child, isObj, objAt, objs, setIfAbsent } from '../../validation/field.js';
import { hasOwn, setOwn } from '../../util/ownkeys.js';
import { getPodQOS } from './pod.js';
import type { PodSpec } from './types.js';

const DEFAULT_MODE = 0o644; // 420: configMap, secret, downwardAPI and projected volumes
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const DEFAULT_TOLERATION_SECONDS = 300;
export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';

/** The tag of an image reference as docker's reference parser sees it; 'latest' when neither tag nor digest is given. */
export function imageTag(image: string): { tag: string; digest: string } {
  let rest = image;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  let tag = colon >= 0 ? rest.slice(colon + 1) : '';
  if (!tag && !digest) tag = 'latest';
  return { tag, digest };
}

function defaultHTTPGet(handler: Obj | undefined): void {
  const h = objAt(handler, 'httpGet');
  if (!h) return;
  if (!h.path) h.path = '/';
  if (!h.scheme) h.scheme = 'HTTP';
}

function defaultProbe(p: Obj | undefined): void {
  if (!p) return;
  setIfAbsent(p, 'timeoutSeconds', 1);
  setIfAbsent(p, 'periodSeconds', 10);
  setIfAbsent(p, 'successThreshold', 1);
  setIfAbsent(p, 'failureThreshold', 3);
  defaultHTTPGet(p);
}

function defaultFieldRef(holder: Obj | undefined): void {
  const f = objAt(holder, 'fieldRef');
  if (f && !f.apiVersion) f.apiVersion = 'v1';
}

/** SetDefaults_Container and the defaults of what a container holds. */
export function setDefaultsContainer(c: Obj): void {
  if (!c.imagePullPolicy) {
    const { tag } = imageTag(typeof c.image === 'string' ? c.image : '');
    c.imagePullPolicy = tag === 'latest' ? 'Always' : 'IfNotPresent';
  }
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  for (const p of objs(c, 'ports')) if (!p.protocol) p.protocol = 'TCP';
  for (const e of objs(c, 'env')) defaultFieldRef(objAt(e, 'valueFrom'));
  defaultProbe(objAt(c, 'livenessProbe'));
  defaultProbe(objAt(c, 'readinessProbe'));
  defaultProbe(objAt(c, 'startupProbe'));
  const lifecycle = objAt(c, 'lifecycle');
  defaultHTTPGet(objAt(lifecycle, 'postStart'));
  defaultHTTPGet(objAt(lifecycle, 'preStop'));
}

const VOLUME_SOURCES = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

export function volumeSourcesOf(v: Obj): string[] {
  return VOLUME_SOURCES.filter((k) => v[k] !== undefined && v[k] !== null);
}

function defaultDownwardAPIItems(src: Obj | undefined): void {
  for (const item of objs(src, 'items')) defaultFieldRef(item);
}

/** SetDefaults_Volume and the per-source defaults. */
export function setDefaultsVolume(v: Obj): void {
  if (volumeSourcesOf(v).length === 0) v.emptyDir = {};
  const hostPath = objAt(v, 'hostPath');
  if (hostPath) setIfAbsent(hostPath, 'type', '');
  for (const k of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const src = objAt(v, k);
    if (src) setIfAbsent(src, 'defaultMode', DEFAULT_MODE);
  }
  defaultDownwardAPIItems(objAt(v, 'downwardAPI'));
  for (const s of objs(objAt(v, 'projected'), 'sources')) {
    defaultDownwardAPIItems(objAt(s, 'downwardAPI'));
    const token = objAt(s, 'serviceAccountToken');
    if (token) setIfAbsent(token, 'expirationSeconds', 3600);
  }
  const iscsi = objAt(v, 'iscsi');
  if (iscsi && !iscsi.iscsiInterface) iscsi.iscsiInterface = 'default';
}

/** SetDefaults_PodSpec, applied to pods and to every pod template. */
export function setDefaultsPodSpec(spec: Obj): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (spec.hostNetwork === true) {
    // With the host's network the container port is the host port.
    for (const c of [...objs(spec, 'initContainers'), ...objs(spec, 'containers')]) {
      for (const p of objs(c, 'ports')) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
  if (!isObj(spec.securityContext)) spec.securityContext = {};
  setIfAbsent(spec, 'terminationGracePeriodSeconds', DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS);
  if (!spec.schedulerName) spec.schedulerName = DEFAULT_SCHEDULER_NAME;
  setIfAbsent(spec, 'enableServiceLinks', true);
  for (const v of objs(spec, 'volumes')) setDefaultsVolume(v);
  for (const c of objs(spec, 'initContainers')) setDefaultsContainer(c);
  for (const c of objs(spec, 'containers')) setDefaultsContainer(c);
  for (const c of objs(spec, 'ephemeralContainers')) setDefaultsContainer(c);
}

/** A pod template (Deployment, ReplicaSet, Job...): the same pod-spec defaults. */
export function setDefaultsPodTemplateSpec(template: Obj | undefined): void {
  if (!template) return;
  setDefaultsPodSpec(child(template, 'spec'));
}

function tolerates(tolerations: Obj[], key: string): boolean {
  return tolerations.some((t) => (t.key === key || (!t.key && t.operator === 'Exists')) && (t.effect === 'NoExecute' || !t.effect));
}

/** SetDefaults_Pod plus the admission plugins that fill a pod on create. */
export function setDefaultsPod(pod: KubeObject): void {
  const spec = child(pod, 'spec');
  setDefaultsPodSpec(spec);
  // Requests default to limits on pods (not templates), per resource name.
  for (const c of [...objs(spec, 'initContainers'), ...objs(spec, 'containers')]) {
    const res = objAt(c, 'resources');
    const limits = objAt(res, 'limits');
    if (!res || !limits || Object.keys(limits).length === 0) continue;
    const requests = child(res, 'requests');
    for (const [k, v] of Object.entries(limits)) if (!hasOwn(requests, k)) setOwn(requests, k, v);
  }
  // ServiceAccount admission, which leaves mirror pods as their kubelet wrote them (NodeRestriction
  // refuses a mirror pod that names a service account).
  const annotations = pod.metadata.annotations;
  const mirror = annotations !== undefined && hasOwn(annotations, 'kubernetes.io/config.mirror');
  if (!spec.serviceAccountName && !mirror)
    spec.serviceAccountName = typeof spec.serviceAccount === 'string' && spec.serviceAccount ? spec.serviceAccount : 'default';
  if (!spec.serviceAccount && spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  // Priority admission, when no PriorityClass is named (classes are resolved by the registry).
  if (!spec.priorityClassName) {
    setIfAbsent(spec, 'priority', 0);
    setIfAbsent(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  }
  // DefaultTolerationSeconds admission.
  const tolerations = objs(spec, 'tolerations');
  const added: Obj[] = [];
  for (const key of [TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE]) {
    if (!tolerates(tolerations, key)) added.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  }
  if (added.length) spec.tolerations = [...tolerations, ...added];
}

/** The pod strategy's PrepareForCreate: a new pod starts Pending with its QoS class. */
export function prepareNewPod(pod: KubeObject): void {
  const spec = child(pod, 'spec');
  pod.status = { phase: 'Pending', qosClass: getPodQOS({ spec: spec as unknown as PodSpec }) };
}

export function setDefaultsService(svc: KubeObject): void {
  const spec = child(svc, 'spec');
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = child(spec, 'sessionAffinityConfig');
    const ip = child(cfg, 'clientIP');
    setIfAbsent(ip, 'timeoutSeconds', 10800);
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const p of objs(spec, 'ports')) {
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.type !== 'ExternalName' && !spec.internalTrafficPolicy) spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer') setIfAbsent(spec, 'allocateLoadBalancerNodePorts', true);
  if (spec.type !== 'ExternalName') {
    // The service REST fills IP families on a single-stack IPv4 cluster; clusterIP and clusterIPs mirror each other.
    const ips = Array.isArray(spec.clusterIPs) ? (spec.clusterIPs as unknown[]) : [];
    if (typeof spec.clusterIP === 'string' && spec.clusterIP && ips.length === 0) spec.clusterIPs = [spec.clusterIP];
    else if (!spec.clusterIP && typeof ips[0] === 'string') spec.clusterIP = ips[0];
    if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = 'SingleStack';
    if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
  }
}

export function setDefaultsNamespace(ns: KubeObject): void {
  if (ns.metadata.name) ns.metadata.labels = { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': ns.metadata.name };
  const status = child(ns, 'status');
  if (!status.phase) status.phase = 'Active';
}

/** The namespace strategy's PrepareForCreate: the `kubernetes` finalizer keeps it until its content is gone. */
export function prepareNewNamespace(ns: KubeObject): void {
  const spec = child(ns, 'spec');
  const finalizers = Array.isArray(spec.finalizers) ? (spec.finalizers as string[]) : [];
  if (!finalizers.includes('kubernetes')) spec.finalizers = [...finalizers, 'kubernetes'];
  ns.status = { phase: 'Active' };
}

/** Secret: type Opaque; stringData is folded into data (base64) the way the v1 conversion does. */
export function setDefaultsSecret(secret: KubeObject): void {
  if (!secret.type) secret.type = 'Opaque';
  if (isObj(secret.stringData)) {
    const data = child(secret, 'data');
    for (const [k, v] of Object.entries(secret.stringData)) setOwn(data, k, Buffer.from(String(v), 'utf8').toString('base64'));
    delete secret.stringData;
  }
}

export function setDefaultsPersistentVolumeClaim(pvc: KubeObject): void {
  const spec = child(pvc, 'spec');
  if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
  const status = child(pvc, 'status');
  if (!status.phase) status.phase = 'Pending';
}

export function setDefaultsPersistentVolume(pv: KubeObject): void {
  const spec = child(pv, 'spec');
  if (!spec.persistentVolumeReclaimPolicy) spec.persistentVolumeReclaimPolicy = 'Retain';
  if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
  const hostPath = objAt(spec, 'hostPath');
  if (hostPath) setIfAbsent(hostPath, 'type', '');
  const status = child(pv, 'status');
  if (!status.phase) status.phase = 'Pending';
}

export function setDefaultsReplicationController(rc: KubeObject): void {
  const spec = child(rc, 'spec');
  const template = objAt(spec, 'template');
  const labels = objAt(objAt(template, 'metadata'), 'labels') as Record<string, string> | undefined;
  if (labels) {
    if (!isObj(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
    if (!rc.metadata.labels || Object.keys(rc.metadata.labels).length === 0) rc.metadata.labels = { ...labels };
  }
  setIfAbsent(spec, 'replicas', 1);
  setDefaultsPodTemplateSpec(template);
}

export function setDefaultsNode(node: KubeObject): void {
  const status = objAt(node, 'status');
  if (status && isObj(status.capacity) && !isObj(status.allocatable)) status.allocatable = { ...status.capacity };
}

export function setDefaultsEndpoints(ep: KubeObject): void {
  for (const subset of objs(ep as Obj, 'subsets')) for (const p of objs(subset, 'ports')) if (!p.protocol) p.protocol = 'TCP';
}

/** SetDefaults_LimitRangeItem: container defaults flow max → default → defaultRequest, and min → defaultRequest. */
export function setDefaultsLimitRange(lr: KubeObject): void {
  for (const item of objs(objAt(lr, 'spec'), 'limits')) {
    if (item.type !== 'Container') continue;
    const def: Obj = { ...(objAt(item, 'default') ?? {}) };
    const defReq: Obj = { ...(objAt(item, 'defaultRequest') ?? {}) };
    for (const [k, v] of Object.entries(objAt(item, 'max') ?? {})) if (!hasOwn(def, k)) setOwn(def, k, v);
    for (const [k, v] of Object.entries(def)) if (!hasOwn(defReq, k)) setOwn(defReq, k, v);
    for (const [k, v] of Object.entries(objAt(item, 'min') ?? {})) if (!hasOwn(defReq, k)) setOwn(defReq, k, v);
    if (Object.keys(def).length) item.default = def;
    if (Object.keys(defReq).length) item.defaultRequest = defReq;
  }
}
