// Builds SchemaNode trees for the served kinds from @kubernetes/client-node's
// generated models: types come from each class's attributeTypeMap, required
// fields and descriptions from the model's .d.ts (the JS drops them), patch and
// list markers from patchmeta.ts. See api/README.md for why this source.
// Only the generated models: the full client would add most of a second to every start.
import * as k8s from '@kubernetes/client-node/dist/gen/models/all.js';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_RESOURCES } from '../resources.js';
import type { ResourceInfo } from '../resourceinfo.js';
import type { SchemaNode } from './types.js';
import { patchMetaFor } from './patchmeta.js';

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

const models = new Map<string, Attribute[]>();
for (const [name, value] of Object.entries(k8s as Record<string, unknown>)) {
  if (typeof value !== 'function') continue;
  const map = (value as { attributeTypeMap?: unknown }).attributeTypeMap;
  if (Array.isArray(map)) models.set(name, map as Attribute[]);
}

export const QUANTITY_REF = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING_REF = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const TIME_REF = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
export const MICRO_TIME_REF = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';

// resource.Quantity fields: the models type them as plain strings (or maps of
// strings), so they are listed here by model and field name.
const QUANTITY_FIELDS: Record<string, string[]> = {
  V1ResourceRequirements: ['limits', 'requests'],
  V1VolumeResourceRequirements: ['limits', 'requests'],
  V1LimitRangeItem: ['_default', 'defaultRequest', 'max', 'min', 'maxLimitRequestRatio'],
  V1NodeStatus: ['allocatable', 'capacity'],
  V1PersistentVolumeSpec: ['capacity'],
  V1PersistentVolumeClaimStatus: ['capacity', 'allocatedResources'],
  V1ResourceQuotaSpec: ['hard'],
  V1ResourceQuotaStatus: ['hard', 'used'],
  V1ContainerStatus: ['allocatedResources'],
  V1PodSpec: ['overhead'],
  V1Overhead: ['podFixed'],
  V1EmptyDirVolumeSource: ['sizeLimit'],
  V1ResourceFieldSelector: ['divisor'],
  V2MetricTarget: ['averageValue', 'value'],
  V2MetricValueStatus: ['averageValue', 'value'],
};

// Types that live in apimachinery's meta/v1 whatever kind reaches them.
const META_TYPES = new Set([
  'ObjectMeta',
  'ListMeta',
  'LabelSelector',
  'LabelSelectorRequirement',
  'ManagedFieldsEntry',
  'OwnerReference',
  'Condition',
  'Status',
  'StatusDetails',
  'StatusCause',
  'DeleteOptions',
  'Preconditions',
  'WatchEvent',
  'FieldSelectorRequirement',
  'APIResource',
  'APIResourceList',
  'APIGroup',
  'APIGroupList',
  'APIVersions',
  'GroupVersionForDiscovery',
  'ServerAddressByClientCIDR',
]);

const CLASS_NAME = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/;

/** The Kubernetes package of a group: '' → io.k8s.api.core, apps → io.k8s.api.apps, ... */
function packageOf(group: string): string {
  if (group === '' || group === 'core') return 'io.k8s.api.core';
  if (group === 'apiextensions.k8s.io' || group === 'apiextensions') return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions';
  if (group === 'apiregistration.k8s.io' || group === 'apiregistration') return 'io.k8s.kube-aggregator.pkg.apis.apiregistration';
  return `io.k8s.api.${group.split('.')[0]}`;
}

/** The model class serving a kind: V1Deployment, V2HorizontalPodAutoscaler, CoreV1Event, EventsV1Event. */
export function modelClassFor(group: string, version: string, kind: string): string | undefined {
  const v = version[0].toUpperCase() + version.slice(1);
  const prefix = group === '' ? 'Core' : group.split('.')[0][0].toUpperCase() + group.split('.')[0].slice(1);
  for (const candidate of [`${prefix}${v}${kind}`, `${v}${kind}`]) {
    if (models.has(candidate)) return candidate;
  }
  return undefined;
}

// Definition names: each model class is placed in the group of the first served
// kind (core/v1 first) that reaches it, unless its class name says its group.
let definitionNames: Map<string, string> | undefined;

function namesTable(): Map<string, string> {
  if (definitionNames) return definitionNames;
  const names = new Map<string, string>();
  const sorted = [...BUILTIN_RESOURCES].sort((a, b) => Number(a.group !== '') - Number(b.group !== ''));
  // Every served kind, then the meta types the API serves besides them (lists, Status).
  const roots: Array<{ group: string; cls: string | undefined }> = sorted.map((r) => ({ group: r.group, cls: modelClassFor(r.group, r.version, r.kind) }));
  roots.push({ group: '', cls: 'V1ListMeta' }, { group: '', cls: 'V1Status' });
  for (const r of roots) {
    const root = r.cls;
    if (!root) continue;
    const queue = [root];
    while (queue.length > 0) {
      const cls = queue.shift() as string;
      if (names.has(cls)) continue;
      const m = CLASS_NAME.exec(cls);
      if (!m) continue;
      const [, prefix, ver, short] = m;
      let pkg: string;
      if (META_TYPES.has(short)) pkg = 'io.k8s.apimachinery.pkg.apis.meta';
      else if (prefix) pkg = packageOf(prefix.toLowerCase());
      else pkg = packageOf(r.group);
      names.set(cls, `${pkg}.${ver.toLowerCase()}.${short}`);
      for (const a of models.get(cls) ?? []) {
        for (const t of a.type.match(/[A-Z]\w+/g) ?? []) if (models.has(t) && !names.has(t)) queue.push(t);
      }
    }
  }
  definitionNames = names;
  return names;
}

/** The Kubernetes definition name of a model class, e.g. V1Deployment → io.k8s.api.apps.v1.Deployment. */
export function definitionName(modelClass: string): string | undefined {
  return namesTable().get(modelClass);
}

// --- .d.ts reading: required fields and descriptions ---------------------------

interface ModelDocs {
  description?: string;
  fields: Map<string, { required: boolean; description?: string }>;
}

let modelsDir: string | undefined;
function modelsDirectory(): string {
  if (modelsDir) return modelsDir;
  // The package's main entry is dist/index.js; models sit in dist/gen/models.
  const entry = fileURLToPath(import.meta.resolve('@kubernetes/client-node'));
  modelsDir = join(dirname(entry), 'gen', 'models');
  return modelsDir;
}

function unescapeDoc(lines: string[]): string | undefined {
  const text = lines
    .map((l) => l.replace(/^\s*\*\s?/, ''))
    .join('\n')
    .trim()
    .replace(/\\(['"\\])/g, '$1');
  return text === '' ? undefined : text;
}

const docsCache = new Map<string, ModelDocs>();
function modelDocs(cls: string): ModelDocs {
  const cached = docsCache.get(cls);
  if (cached) return cached;
  const docs: ModelDocs = { fields: new Map() };
  let text = '';
  try {
    text = readFileSync(join(modelsDirectory(), `${cls}.d.ts`), 'utf8');
  } catch {
    // No .d.ts: every field optional, no descriptions.
  }
  let pending: string[] | undefined;
  let inDoc = false;
  let doc: string[] = [];
  for (const line of text.split('\n')) {
    if (!inDoc && /^\s*\/\*\*/.test(line)) {
      inDoc = true;
      doc = [];
      continue;
    }
    if (inDoc) {
      if (/^\s*\*\/\s*$/.test(line)) {
        inDoc = false;
        pending = doc;
      } else doc.push(line);
      continue;
    }
    if (/^export declare class /.test(line)) {
      docs.description = pending ? unescapeDoc(pending) : undefined;
      pending = undefined;
      continue;
    }
    const field = /^ {4}'([^']+)'(\?)?:/.exec(line);
    if (field) {
      docs.fields.set(field[1], { required: field[2] !== '?', description: pending ? unescapeDoc(pending) : undefined });
      pending = undefined;
    } else if (line.trim() !== '') {
      pending = undefined;
    }
  }
  docsCache.set(cls, docs);
  return docs;
}

const METADATA_DESCRIPTION =
  "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

// --- tree building -------------------------------------------------------------

const nodeCache = new Map<string, SchemaNode>();
const byDefinition = new Map<string, SchemaNode>();

/** The shared node of a named object type (field-level copies carry their own description/markers). */
export function definitionNode(ref: string): SchemaNode | undefined {
  return byDefinition.get(ref);
}

function modelNode(cls: string): SchemaNode {
  const cached = nodeCache.get(cls);
  if (cached) return cached;
  const ref = definitionName(cls);
  const docs = modelDocs(cls);
  // properties/required are created before recursing and filled in place, so
  // shallow copies made for field-level annotations see the finished lists even
  // through cycles (JSONSchemaProps).
  const properties: Record<string, SchemaNode> = {};
  const required: string[] = [];
  const node: SchemaNode = { type: 'object', properties, required };
  if (ref) node.ref = ref;
  if (docs.description) node.description = docs.description;
  nodeCache.set(cls, node);
  if (ref) byDefinition.set(ref, node);
  const quantityFields = QUANTITY_FIELDS[cls] ?? [];
  for (const a of models.get(cls) ?? []) {
    let fieldDoc = docs.fields.get(a.name);
    // The models drop descriptions of fields whose type is a named model; metadata's is the one users look for.
    if (a.baseName === 'metadata' && a.type === 'V1ObjectMeta' && !fieldDoc?.description) {
      fieldDoc = { required: fieldDoc?.required ?? false, description: METADATA_DESCRIPTION };
    }
    let child = typeNode(a.type, a.format, quantityFields.includes(a.name));
    const meta = ref ? patchMetaFor(ref, a.baseName) : undefined;
    if (fieldDoc?.description || meta) {
      child = { ...child };
      if (fieldDoc?.description) child.description = fieldDoc.description;
      if (meta) Object.assign(child, meta);
    }
    properties[a.baseName] = child;
    if (fieldDoc?.required) required.push(a.baseName);
  }
  if (required.length === 0) delete node.required;
  return node;
}

function typeNode(type: string, format: string, quantity: boolean): SchemaNode {
  const t = type.trim();
  const array = /^Array<(.+)>$/.exec(t);
  if (array) return { type: 'array', items: typeNode(array[1], format, quantity) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(t);
  if (map) return { type: 'map', additionalProperties: typeNode(map[1], format, quantity) };
  if (quantity) return { type: 'quantity', ref: QUANTITY_REF };
  switch (t) {
    case 'string':
      return format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' };
    case 'boolean':
      return { type: 'boolean' };
    case 'number':
      if (format === 'int32' || format === 'int64') return { type: 'integer', format };
      return format ? { type: 'number', format } : { type: 'number' };
    case 'Date':
      return { type: 'date-time', ref: TIME_REF, format: 'date-time' };
    case 'V1MicroTime':
      return { type: 'date-time', ref: MICRO_TIME_REF, format: 'date-time' };
    case 'IntOrString':
      return { type: 'int-or-string', ref: INT_OR_STRING_REF, format: 'int-or-string' };
    case 'any':
    case 'object':
      return { type: 'any' };
  }
  if (models.has(t)) return modelNode(t);
  return { type: 'any' };
}

/** The tree of a model class by name (e.g. V1ListMeta); undefined if client-node has no such model. */
export function schemaForModel(modelClass: string): SchemaNode | undefined {
  return models.has(modelClass) ? modelNode(modelClass) : undefined;
}

// Kinds client-node has no model for, written out from their upstream definitions:
// metrics.k8s.io/v1beta1 (k8s.io/metrics), which metrics-server serves and kubectl top reads.
const METRICS_PACKAGE = 'io.k8s.metrics.pkg.apis.metrics.v1beta1';

function usageNode(description: string): SchemaNode {
  return { type: 'map', additionalProperties: { type: 'quantity', ref: QUANTITY_REF }, description };
}

function metricsKind(kind: string, description: string, fields: Record<string, SchemaNode>, required: string[]): SchemaNode {
  const node: SchemaNode = {
    type: 'object',
    ref: `${METRICS_PACKAGE}.${kind}`,
    description,
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { ...(schemaForModel('V1ObjectMeta') as SchemaNode), description: METADATA_DESCRIPTION },
      timestamp: {
        type: 'date-time',
        ref: TIME_REF,
        format: 'date-time',
        description: 'The following fields define time interval from which metrics were collected from the interval [Timestamp-Window, Timestamp].',
      },
      window: { type: 'string', description: 'The window the usage is averaged over, a duration ("15s").' },
      ...fields,
    },
    required: ['timestamp', 'window', ...required],
  };
  byDefinition.set(node.ref as string, node);
  return node;
}

function handwrittenKind(group: string, version: string, kind: string): SchemaNode | undefined {
  if (group !== 'metrics.k8s.io' || version !== 'v1beta1') return undefined;
  if (kind === 'NodeMetrics') {
    return metricsKind(
      'NodeMetrics',
      'NodeMetrics sets resource usage metrics of a node.',
      { usage: usageNode('The memory usage is the memory working set.') },
      ['usage'],
    );
  }
  if (kind === 'PodMetrics') {
    const container: SchemaNode = {
      type: 'object',
      ref: `${METRICS_PACKAGE}.ContainerMetrics`,
      description: 'ContainerMetrics sets resource usage metrics of a container.',
      properties: {
        name: { type: 'string', description: 'Container name corresponding to the one from pod.spec.containers.' },
        usage: usageNode('The memory usage is the memory working set.'),
      },
      required: ['name', 'usage'],
    };
    byDefinition.set(container.ref as string, container);
    return metricsKind(
      'PodMetrics',
      'PodMetrics sets resource usage metrics of a pod.',
      { containers: { type: 'array', items: container, description: 'Metrics for all containers are collected within the same time window.' } },
      ['containers'],
    );
  }
  return undefined;
}

const kindCache = new Map<string, SchemaNode | undefined>();

/** The schema of a served (or any client-node known) kind; cached. */
export function schemaForKind(group: string, version: string, kind: string): SchemaNode | undefined {
  const key = `${group}/${version}/${kind}`;
  if (kindCache.has(key)) return kindCache.get(key);
  const cls = modelClassFor(group, version, kind);
  const node = cls ? modelNode(cls) : handwrittenKind(group, version, kind);
  kindCache.set(key, node);
  return node;
}

/** Schemas of the given resources, keyed by `group/version/kind`. */
export function schemasFor(resources: ResourceInfo[]): Map<string, SchemaNode> {
  const out = new Map<string, SchemaNode>();
  for (const r of resources) {
    const s = schemaForKind(r.group, r.version, r.kind);
    if (s) out.set(`${r.group}/${r.version}/${r.kind}`, s);
  }
  return out;
}

/** Follows a dotted field path (`spec.template.spec.containers.name`) through objects, arrays and maps. */
export function lookupField(root: SchemaNode, path: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const part of path.split('.').filter((p) => p !== '')) {
    while (node && (node.type === 'array' || node.type === 'map')) node = node.type === 'array' ? node.items : node.additionalProperties;
    node = node?.properties?.[part];
    if (!node) return undefined;
  }
  return node;
}
