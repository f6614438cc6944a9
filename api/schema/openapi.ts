// The OpenAPI documents the apiserver serves at /openapi/v2 and /openapi/v3,
// built from the SchemaNode trees. kubectl reads them for `explain`, for
// client-side apply's patch metadata (x-kubernetes-patch-*), and to learn that
// the server validates fields itself (a `fieldValidation` query parameter on the
// kind's PATCH operation).
import { createHash } from 'node:crypto';
import { groupVersion, isCreateOnly, supportsVerbs, type ResourceInfo } from '../resourceinfo.js';
import type { SchemaNode } from './types.js';
import { definitionNode, INT_OR_STRING_REF, MICRO_TIME_REF, QUANTITY_REF, schemaForKind, schemaForModel, TIME_REF } from './build.js';
import { encodeOpenAPIV2Document } from './protobuf.js';

type Json = Record<string, unknown>;
export type Flavour = 'v2' | 'v3';

const INFO = { title: 'Kubernetes', version: 'v1.32.0' };
const LIST_META_REF = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

interface Ctx {
  flavour: Flavour;
  prefix: string; // '#/definitions/' or '#/components/schemas/'
  defs: Record<string, Json>;
  custom?: CustomSchemas;
}

/** A kind that is not built in (a custom resource): its definition name and its schema in each flavour. */
export interface CustomKindSchema {
  ref: string;
  schema(flavour: Flavour, prefix: string): Json;
}

/** The schemas of custom resources; key changes whenever any schema does (documents are cached by it). */
export interface CustomSchemas {
  key: string;
  schemaFor(r: ResourceInfo): CustomKindSchema | undefined;
}

const OBJECT_META_REF = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

function extensions(node: SchemaNode): Json {
  const x: Json = {};
  if (node.patchMergeKey) x['x-kubernetes-patch-merge-key'] = node.patchMergeKey;
  if (node.patchStrategy) x['x-kubernetes-patch-strategy'] = node.patchStrategy;
  if (node.listMapKeys) x['x-kubernetes-list-map-keys'] = node.listMapKeys;
  if (node.listType) x['x-kubernetes-list-type'] = node.listType;
  if (node.mapType) x['x-kubernetes-map-type'] = node.mapType;
  return x;
}

// Named primitives, as Kubernetes defines them (v3 spells the accepted types out with oneOf).
function primitiveDefinition(ref: string, flavour: Flavour): Json | undefined {
  switch (ref) {
    case QUANTITY_REF:
      return {
        description: 'Quantity is a fixed-point representation of a number, e.g. 100m, 1Gi, 2.5 or 1e3; serialised as a string.',
        ...(flavour === 'v3' ? { oneOf: [{ type: 'string' }, { type: 'number' }] } : { type: 'string' }),
      };
    case INT_OR_STRING_REF:
      return {
        description: 'IntOrString is a type that can hold an int32 or a string.',
        format: 'int-or-string',
        ...(flavour === 'v3' ? { oneOf: [{ type: 'integer' }, { type: 'string' }] } : { type: 'string' }),
      };
    case TIME_REF:
      return {
        description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON, in RFC 3339 form.',
        type: 'string',
        format: 'date-time',
      };
    case MICRO_TIME_REF:
      return { description: 'MicroTime is version of Time with microsecond level precision.', type: 'string', format: 'date-time' };
  }
  return undefined;
}

function define(ref: string, node: SchemaNode, ctx: Ctx): void {
  if (ref in ctx.defs) return;
  const primitive = primitiveDefinition(ref, ctx.flavour);
  if (primitive) {
    ctx.defs[ref] = primitive;
    return;
  }
  const canonical = definitionNode(ref) ?? node;
  const def: Json = {};
  ctx.defs[ref] = def; // reserve before recursing: types refer to themselves
  if (canonical.description) def.description = canonical.description;
  def.type = 'object';
  if (canonical.required?.length) def.required = [...canonical.required];
  const properties: Json = {};
  for (const [name, child] of Object.entries(canonical.properties ?? {})) properties[name] = convert(child, ctx);
  def.properties = properties;
}

function convert(node: SchemaNode, ctx: Ctx): Json {
  const ext = extensions(node);
  if (node.ref) {
    define(node.ref, node, ctx);
    const canonical = definitionNode(node.ref);
    const ownDescription = node.description !== undefined && node.description !== canonical?.description ? node.description : undefined;
    const target = { $ref: `${ctx.prefix}${node.ref}` };
    const siblings: Json = { ...(ownDescription ? { description: ownDescription } : {}), ...ext };
    if (Object.keys(siblings).length === 0) return target;
    // OpenAPI 3 ignores siblings of $ref, so Kubernetes wraps it in allOf there.
    return ctx.flavour === 'v3' ? { allOf: [target], ...siblings } : { ...target, ...siblings };
  }
  const out: Json = {};
  if (node.description) out.description = node.description;
  switch (node.type) {
    case 'object': {
      out.type = 'object';
      const props: Json = {};
      for (const [name, child] of Object.entries(node.properties ?? {})) props[name] = convert(child, ctx);
      out.properties = props;
      if (node.required?.length) out.required = [...node.required];
      break;
    }
    case 'map':
      out.type = 'object';
      if (node.additionalProperties) out.additionalProperties = convert(node.additionalProperties, ctx);
      break;
    case 'array':
      out.type = 'array';
      if (node.items) out.items = convert(node.items, ctx);
      break;
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      out.type = node.type;
      if (node.format) out.format = node.format;
      break;
    case 'date-time':
      out.type = 'string';
      out.format = 'date-time';
      break;
    case 'int-or-string':
      out.type = 'string';
      out.format = 'int-or-string';
      break;
    case 'quantity':
      out.type = 'string';
      break;
    case 'any':
      if (ctx.flavour === 'v3') out['x-kubernetes-preserve-unknown-fields'] = true;
      else out.type = 'object';
      break;
  }
  return { ...out, ...ext };
}

function gvk(r: ResourceInfo, kind = r.kind): Json {
  return { group: r.group, kind, version: r.version };
}

/** Adds the kind and its list kind to the definitions, tagged with x-kubernetes-group-version-kind. */
function addKind(r: ResourceInfo, ctx: Ctx): void {
  const custom = ctx.custom?.schemaFor(r);
  const node = custom ? undefined : schemaForKind(r.group, r.version, r.kind);
  const ref = custom?.ref ?? node?.ref;
  if (!ref) return;
  if (node) define(ref, node, ctx);
  if (custom) {
    const objectMeta = schemaForModel('V1ObjectMeta');
    if (objectMeta) define(OBJECT_META_REF, objectMeta, ctx);
    ctx.defs[ref] = custom.schema(ctx.flavour, ctx.prefix);
  }
  const def = ctx.defs[ref];
  const kinds = (def['x-kubernetes-group-version-kind'] as Json[] | undefined) ?? [];
  if (!kinds.some((k) => k.group === r.group && k.version === r.version && k.kind === r.kind)) kinds.push(gvk(r));
  def['x-kubernetes-group-version-kind'] = kinds;
  // A kind that is only created (a review) is never listed.
  if (isCreateOnly(r)) return;
  const listMeta = schemaForModel('V1ListMeta');
  if (listMeta) define(LIST_META_REF, listMeta, ctx);
  ctx.defs[`${ref}List`] = {
    description: `${r.listKind} is a list of ${r.kind} objects.`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { description: 'APIVersion defines the versioned schema of this representation of an object.', type: 'string' },
      items: { description: `items is the list of ${r.kind} objects.`, type: 'array', items: { $ref: `${ctx.prefix}${ref}` } },
      kind: { description: 'Kind is a string value representing the REST resource this object represents.', type: 'string' },
      metadata:
        ctx.flavour === 'v3'
          ? { allOf: [{ $ref: `${ctx.prefix}${LIST_META_REF}` }], description: 'Standard list metadata.' }
          : { $ref: `${ctx.prefix}${LIST_META_REF}`, description: 'Standard list metadata.' },
    },
    'x-kubernetes-group-version-kind': [gvk(r, r.listKind)],
  };
}

// --- paths ---------------------------------------------------------------------

function operationPrefix(r: ResourceInfo): string {
  const words = r.group === '' ? ['core'] : r.group.replace(/\.k8s\.io$/, '').split('.');
  return words.map((w) => w[0].toUpperCase() + w.slice(1)).join('') + r.version[0].toUpperCase() + r.version.slice(1);
}

function queryParam(name: string, description: string, type: string, flavour: Flavour): Json {
  return flavour === 'v3'
    ? { name, in: 'query', description, schema: { type, uniqueItems: true } }
    : { name, in: 'query', description, type, uniqueItems: true };
}

function writeParams(flavour: Flavour, patch: boolean): Json[] {
  const params = [
    queryParam(
      'dryRun',
      'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed',
      'string',
      flavour,
    ),
    queryParam('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.', 'string', flavour),
    queryParam(
      'fieldValidation',
      'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict',
      'string',
      flavour,
    ),
  ];
  if (patch)
    params.push(
      queryParam(
        'force',
        'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people.',
        'boolean',
        flavour,
      ),
    );
  return params;
}

const MEDIA = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const PATCH_MEDIA = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
// Custom resources take no strategic merge patch: kubectl then sends them merge patches.
const CUSTOM_PATCH_MEDIA = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

function op(
  r: ResourceInfo,
  ctx: Ctx,
  action: string,
  opId: string,
  responseRef: string | undefined,
  body: 'object' | 'patch' | undefined,
  params: Json[],
): Json {
  const o: Json = { description: `${action} ${r.kind}`, operationId: opId, tags: [operationPrefix(r)[0].toLowerCase() + operationPrefix(r).slice(1)] };
  const responseSchema = responseRef ? { $ref: `${ctx.prefix}${responseRef}` } : { type: 'object' };
  const parameters = [...params];
  const patchMedia = ctx.custom?.schemaFor(r) ? CUSTOM_PATCH_MEDIA : PATCH_MEDIA;
  if (ctx.flavour === 'v2') {
    o.consumes = body === 'patch' ? patchMedia : ['*/*'];
    o.produces = MEDIA;
    if (body) parameters.unshift({ name: 'body', in: 'body', required: true, schema: body === 'patch' ? { type: 'object' } : responseSchema });
    o.responses = { '200': { description: 'OK', schema: responseSchema }, '401': { description: 'Unauthorized' } };
    o.schemes = ['https'];
  } else {
    if (body) {
      const types = body === 'patch' ? patchMedia : ['*/*'];
      o.requestBody = {
        required: true,
        content: Object.fromEntries(types.map((t) => [t, { schema: body === 'patch' ? { type: 'object' } : responseSchema }])),
      };
    }
    o.responses = {
      '200': { description: 'OK', content: Object.fromEntries(MEDIA.map((t) => [t, { schema: responseSchema }])) },
      '401': { description: 'Unauthorized' },
    };
  }
  if (parameters.length > 0) o.parameters = parameters;
  o['x-kubernetes-action'] = action;
  o['x-kubernetes-group-version-kind'] = gvk(r);
  return o;
}

function pathParam(name: string, description: string, flavour: Flavour): Json {
  return flavour === 'v3'
    ? { name, in: 'path', required: true, description, schema: { type: 'string', uniqueItems: true } }
    : { name, in: 'path', required: true, description, type: 'string', uniqueItems: true };
}

function addPaths(r: ResourceInfo, ctx: Ctx, paths: Json): void {
  const ref = ctx.custom?.schemaFor(r)?.ref ?? schemaForKind(r.group, r.version, r.kind)?.ref;
  if (!ref) return;
  const base = `/${r.group === '' ? 'api' : `apis/${r.group}`}/${r.version}`;
  const scope = r.namespaced ? 'Namespaced' : '';
  const collection = r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}` : `${base}/${r.plural}`;
  const pre = operationPrefix(r);
  const common = [queryParam('pretty', "If 'true', then the output is pretty printed.", 'string', ctx.flavour)];
  const ns = r.namespaced ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects', ctx.flavour)] : [];
  const name = pathParam('name', `name of the ${r.kind}`, ctx.flavour);
  // Only the operations the resource serves: create-only reviews a POST, componentstatuses get and list.
  const served = (ops: Array<[string, string, () => Json]>, parameters: Json[]): Json | undefined => {
    const out: Json = {};
    for (const [method, verb, make] of ops) if (supportsVerbs(r, verb)) out[method] = make();
    return Object.keys(out).length > 0 ? { ...out, parameters } : undefined;
  };
  // The item path comes first: kubectl's field-validation check stops at the first PATCH of the kind.
  const item = served(
    [
      ['get', 'get', () => op(r, ctx, 'get', `read${pre}${scope}${r.kind}`, ref, undefined, [])],
      ['put', 'update', () => op(r, ctx, 'put', `replace${pre}${scope}${r.kind}`, ref, 'object', writeParams(ctx.flavour, false))],
      ['delete', 'delete', () => op(r, ctx, 'delete', `delete${pre}${scope}${r.kind}`, undefined, undefined, [])],
      ['patch', 'patch', () => op(r, ctx, 'patch', `patch${pre}${scope}${r.kind}`, ref, 'patch', writeParams(ctx.flavour, true))],
    ],
    [name, ...ns, ...common],
  );
  if (item) paths[`${collection}/{name}`] = item;
  const list = served(
    [
      ['get', 'list', () => op(r, ctx, 'list', `list${pre}${scope}${r.kind}`, `${ref}List`, undefined, [])],
      ['post', 'create', () => op(r, ctx, 'post', `create${pre}${scope}${r.kind}`, ref, 'object', writeParams(ctx.flavour, false))],
      ['delete', 'deletecollection', () => op(r, ctx, 'deletecollection', `deletecollection${pre}${scope}${r.kind}`, undefined, undefined, [])],
    ],
    [...ns, ...common],
  );
  if (list) paths[collection] = list;
  if (r.subresources?.includes('status')) {
    paths[`${collection}/{name}/status`] = {
      get: op(r, ctx, 'get', `read${pre}${scope}${r.kind}Status`, ref, undefined, []),
      put: op(r, ctx, 'put', `replace${pre}${scope}${r.kind}Status`, ref, 'object', writeParams(ctx.flavour, false)),
      patch: op(r, ctx, 'patch', `patch${pre}${scope}${r.kind}Status`, ref, 'patch', writeParams(ctx.flavour, true)),
      parameters: [name, ...ns, ...common],
    };
  }
  if (r.subresources?.includes('approval')) {
    paths[`${collection}/{name}/approval`] = {
      get: op(r, ctx, 'get', `read${pre}${scope}${r.kind}Approval`, ref, undefined, []),
      put: op(r, ctx, 'put', `replace${pre}${scope}${r.kind}Approval`, ref, 'object', writeParams(ctx.flavour, false)),
      patch: op(r, ctx, 'patch', `patch${pre}${scope}${r.kind}Approval`, ref, 'patch', writeParams(ctx.flavour, true)),
      parameters: [name, ...ns, ...common],
    };
  }
}

function sortKeys(obj: Json): Json {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// --- documents -----------------------------------------------------------------

/** The swagger 2.0 document for all resources (GET /openapi/v2). */
export function buildOpenAPIV2(resources: ResourceInfo[], custom?: CustomSchemas): Json {
  const ctx: Ctx = { flavour: 'v2', prefix: '#/definitions/', defs: {}, custom };
  const paths: Json = {};
  for (const r of resources) {
    addKind(r, ctx);
    addPaths(r, ctx, paths);
  }
  return { swagger: '2.0', info: { ...INFO }, paths, definitions: sortKeys(ctx.defs) };
}

/** gnostic openapi_v2.Document protobuf of a swagger document. */
export function buildOpenAPIV2Protobuf(doc: object): Buffer {
  return encodeOpenAPIV2Document(doc as Json);
}

/** The OpenAPI 3.0 document of one group/version (GET /openapi/v3/apis/<group>/<version>). */
export function buildOpenAPIV3(group: string, version: string, resources: ResourceInfo[], custom?: CustomSchemas): Json {
  const ctx: Ctx = { flavour: 'v3', prefix: '#/components/schemas/', defs: {}, custom };
  const paths: Json = {};
  for (const r of resources) {
    if (r.group !== group || r.version !== version) continue;
    addKind(r, ctx);
    addPaths(r, ctx, paths);
  }
  return { openapi: '3.0.0', info: { ...INFO }, paths, components: { schemas: sortKeys(ctx.defs) } };
}

/** `api/v1`, `apis/apps/v1`: the keys of the v3 root and the tail of each document's URL. */
export function openAPIV3Path(r: Pick<ResourceInfo, 'group' | 'version'>): string {
  return r.group === '' ? `api/${r.version}` : `apis/${groupVersion(r)}`;
}

function groupVersions(resources: ResourceInfo[]): Array<{ group: string; version: string }> {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of resources) seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  return [...seen.values()];
}

/** The v3 discovery root (GET /openapi/v3): one entry per group/version with a content hash. */
export function buildOpenAPIV3Root(resources: ResourceInfo[], custom?: CustomSchemas): Json {
  const paths: Json = {};
  for (const gv of groupVersions(resources)) {
    const doc = openAPIV3Document(gv.group, gv.version, resources, custom);
    paths[openAPIV3Path(gv)] = { serverRelativeURL: `/openapi/v3/${openAPIV3Path(gv)}?hash=${doc.etag}` };
  }
  return { paths: sortKeys(paths) };
}

// --- cached, ready-to-send forms -------------------------------------------------

export interface ServedDocument {
  /** The body to send. */
  body: Buffer;
  /** A stable content hash: the `hash` query value of v3 URLs, and the ETag (quote it for HTTP). */
  etag: string;
  contentType: string;
}

function hashOf(body: Buffer): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase().slice(0, 128);
}

function resourcesKey(resources: ResourceInfo[]): string {
  return resources.map((r) => `${r.group}/${r.version}/${r.kind}/${r.plural}/${r.namespaced}/${(r.subresources ?? []).join(',')}`).join(';');
}

const cache = new Map<string, ServedDocument>();

function cached(key: string, make: () => ServedDocument): ServedDocument {
  let doc = cache.get(key);
  if (!doc) {
    doc = make();
    if (cache.size > 64) cache.clear(); // catalogues change only when CRDs do
    cache.set(key, doc);
  }
  return doc;
}

function jsonDocument(obj: Json): ServedDocument {
  const body = Buffer.from(JSON.stringify(obj));
  return { body, etag: hashOf(body), contentType: 'application/json' };
}

/** GET /openapi/v2 as JSON. */
export function openAPIV2Document(resources: ResourceInfo[], custom?: CustomSchemas): ServedDocument {
  return cached(`v2-json|${resourcesKey(resources)}|${custom?.key ?? ''}`, () => jsonDocument(buildOpenAPIV2(resources, custom)));
}

/** GET /openapi/v2 as gnostic protobuf. */
export function openAPIV2ProtobufDocument(resources: ResourceInfo[], custom?: CustomSchemas): ServedDocument {
  return cached(`v2-pb|${resourcesKey(resources)}|${custom?.key ?? ''}`, () => {
    const body = buildOpenAPIV2Protobuf(buildOpenAPIV2(resources, custom));
    return { body, etag: hashOf(body), contentType: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' };
  });
}

/** GET /openapi/v3/<api/v1|apis/group/version>. */
export function openAPIV3Document(group: string, version: string, resources: ResourceInfo[], custom?: CustomSchemas): ServedDocument {
  return cached(`v3|${group}/${version}|${resourcesKey(resources)}|${custom?.key ?? ''}`, () =>
    jsonDocument(buildOpenAPIV3(group, version, resources, custom)),
  );
}

/** GET /openapi/v3. */
export function openAPIV3RootDocument(resources: ResourceInfo[], custom?: CustomSchemas): ServedDocument {
  return cached(`v3-root|${resourcesKey(resources)}|${custom?.key ?? ''}`, () => jsonDocument(buildOpenAPIV3Root(resources, custom)));
}
