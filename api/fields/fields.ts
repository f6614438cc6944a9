// The selectable fields of each resource: what kube-apiserver's field label
// conversion accepts (supportedFieldLabels) and the values each object exposes
// for them (fieldsOf, the registries' ToSelectableFields / GetAttrs).
import type { KubeObject } from '../meta/v1/types.js';
import type { ResourceInfo } from '../resourceinfo.js';

type Getter = (obj: KubeObject) => Record<string, string>;

interface FieldSpec {
  /** Labels the conversion accepts (besides none); metadata.* included explicitly. */
  labels: string[];
  get: Getter;
}

function rec(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function str(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : String(v);
}

function int(v: unknown): string {
  return typeof v === 'number' ? String(Math.trunc(v)) : '0';
}

function bool(v: unknown): string {
  return v === true ? 'true' : 'false';
}

const META_NAMESPACED = ['metadata.name', 'metadata.namespace'];

function podFields(obj: KubeObject): Record<string, string> {
  const spec = rec(obj.spec);
  const status = rec(obj.status);
  const podIPs = Array.isArray(status.podIPs) ? status.podIPs.map((p) => str(rec(p).ip)).filter((ip) => ip !== '') : [];
  const podIP = podIPs.length > 0 ? podIPs[0] : str(status.podIP);
  return {
    'spec.nodeName': str(spec.nodeName),
    'spec.restartPolicy': str(spec.restartPolicy),
    'spec.schedulerName': str(spec.schedulerName),
    'spec.serviceAccountName': str(spec.serviceAccountName),
    'spec.hostNetwork': bool(spec.hostNetwork),
    'status.phase': str(status.phase),
    'status.podIP': podIP,
    'status.podIPs': podIPs.join(','),
    'status.nominatedNodeName': str(status.nominatedNodeName),
  };
}

function coreEventFields(obj: KubeObject): Record<string, string> {
  const io = rec(obj.involvedObject);
  const source = str(rec(obj.source).component) || str(obj.reportingComponent);
  return {
    'involvedObject.kind': str(io.kind),
    'involvedObject.namespace': str(io.namespace),
    'involvedObject.name': str(io.name),
    'involvedObject.uid': str(io.uid),
    'involvedObject.apiVersion': str(io.apiVersion),
    'involvedObject.resourceVersion': str(io.resourceVersion),
    'involvedObject.fieldPath': str(io.fieldPath),
    reason: str(obj.reason),
    reportingComponent: str(obj.reportingComponent),
    source,
    type: str(obj.type),
  };
}

function eventsV1Fields(obj: KubeObject): Record<string, string> {
  const r = rec(obj.regarding);
  return {
    'regarding.kind': str(r.kind),
    'regarding.namespace': str(r.namespace),
    'regarding.name': str(r.name),
    'regarding.uid': str(r.uid),
    'regarding.apiVersion': str(r.apiVersion),
    'regarding.resourceVersion': str(r.resourceVersion),
    'regarding.fieldPath': str(r.fieldPath),
    reason: str(obj.reason),
    reportingController: str(obj.reportingController),
    type: str(obj.type),
  };
}

const withLabels = (labels: string[], get: Getter): FieldSpec => ({ labels, get });

/** Keyed by `group/plural` ('' group for core). */
const SPECS: Record<string, FieldSpec> = {
  '/pods': withLabels(
    [
      ...META_NAMESPACED,
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.podIPs',
      'status.nominatedNodeName',
    ],
    podFields,
  ),
  '/events': withLabels(
    [
      ...META_NAMESPACED,
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ],
    coreEventFields,
  ),
  'events.k8s.io/events': withLabels(
    [
      ...META_NAMESPACED,
      'regarding.kind',
      'regarding.namespace',
      'regarding.name',
      'regarding.uid',
      'regarding.apiVersion',
      'regarding.resourceVersion',
      'regarding.fieldPath',
      'reason',
      'reportingController',
      'type',
    ],
    eventsV1Fields,
  ),
  // Nodes and namespaces have their own conversion, which does not take metadata.namespace.
  '/nodes': withLabels(['metadata.name', 'spec.unschedulable'], (o) => ({ 'spec.unschedulable': bool(rec(o.spec).unschedulable) })),
  '/namespaces': withLabels(['metadata.name', 'status.phase'], (o) => ({ 'status.phase': str(rec(o.status).phase) })),
  '/secrets': withLabels([...META_NAMESPACED, 'type'], (o) => ({ type: str(o.type) })),
  '/services': withLabels([...META_NAMESPACED, 'spec.clusterIP', 'spec.type'], (o) => ({
    'spec.clusterIP': str(rec(o.spec).clusterIP),
    'spec.type': str(rec(o.spec).type),
  })),
  '/replicationcontrollers': withLabels([...META_NAMESPACED, 'status.replicas'], (o) => ({ 'status.replicas': int(rec(o.status).replicas) })),
  'apps/replicasets': withLabels([...META_NAMESPACED, 'status.replicas'], (o) => ({ 'status.replicas': int(rec(o.status).replicas) })),
  'batch/jobs': withLabels([...META_NAMESPACED, 'status.successful'], (o) => ({ 'status.successful': int(rec(o.status).succeeded) })),
  'certificates.k8s.io/certificatesigningrequests': withLabels(['metadata.name', 'spec.signerName'], (o) => ({
    'spec.signerName': str(rec(o.spec).signerName),
  })),
};

function specFor(resource: ResourceInfo): FieldSpec | undefined {
  const key = `${resource.group}/${resource.plural}`;
  return Object.prototype.hasOwnProperty.call(SPECS, key) ? SPECS[key] : undefined;
}

/**
 * The field labels a `fieldSelector` may use on this resource. Everything else
 * takes metadata.name and metadata.namespace (built-in cluster-scoped types
 * accept metadata.namespace too; it just reads as ""), except cluster-scoped
 * custom resources, which reject metadata.namespace.
 */
export function supportedFieldLabels(resource: ResourceInfo): string[] {
  const spec = specFor(resource);
  if (spec) return spec.labels;
  const selectable = (resource.selectableFields ?? []).map((p) => p.replace(/^\./, ''));
  if (!resource.namespaced && isCustomResource(resource)) return ['metadata.name', ...selectable];
  return selectable.length ? [...META_NAMESPACED, ...selectable] : META_NAMESPACED;
}

/** A selectable field's value as upstream formats it: strings as they are, numbers and booleans as text, else "". */
function selectableValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.replace(/^\./, '').split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, seg)) return '';
    cur = (cur as Record<string, unknown>)[seg];
  }
  return typeof cur === 'string' || typeof cur === 'number' || typeof cur === 'boolean' ? String(cur) : '';
}

// Built-in groups all end in k8s.io or are one of the classic short names.
function isCustomResource(resource: ResourceInfo): boolean {
  const g = resource.group;
  if (['', 'apps', 'batch', 'policy', 'autoscaling', 'extensions'].includes(g)) return false;
  return !(g === 'k8s.io' || g.endsWith('.k8s.io'));
}

/** The selectable fields of `obj` with their values, as Kubernetes computes them for this resource. */
export function fieldsOf(resource: ResourceInfo, obj: KubeObject): Record<string, string> {
  const meta = obj.metadata ?? {};
  const fields: Record<string, string> = { 'metadata.name': str(meta.name) };
  if (resource.namespaced) fields['metadata.namespace'] = str(meta.namespace);
  const spec = specFor(resource);
  if (resource.selectableFields?.length) {
    // The CRD's author names these fields: keep them off the prototype chain.
    const custom: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, fields);
    for (const p of resource.selectableFields) custom[p.replace(/^\./, '')] = selectableValue(obj, p);
    return custom;
  }
  return spec ? { ...fields, ...spec.get(obj) } : fields;
}
