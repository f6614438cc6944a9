// Content negotiation: which media type a request body is in, and which one
// the client wants back (JSON, YAML, or a meta.k8s.io Table).
import { parseDocument, visit } from 'yaml';
import { newBadRequest, newNotAcceptable, newUnsupportedMediaType } from '../../api/meta/v1/status.js';
import type { PatchType } from '../registry/store.js';
import { PROTOBUF_MEDIA_TYPE, decodeKubernetesProtobuf } from '../../api/protobuf/decode.js';
import { jsonSyntaxError } from './jsonsyntax.js';
import { isStackOverflow, jsonNestsDeeperThan, tooDeep, yamlMayNestDeeperThan } from './depth.js';

export type ResponseFormat = 'json' | 'yaml' | 'table';

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseMediaRanges(header: string): MediaRange[] {
  return header
    .split(',')
    .map((part) => {
      const [type, ...params] = part.split(';').map((s) => s.trim());
      const p: Record<string, string> = {};
      for (const kv of params) {
        const eq = kv.indexOf('=');
        if (eq > 0) p[kv.slice(0, eq).trim()] = kv.slice(eq + 1).trim();
      }
      return { type: (type ?? '').toLowerCase(), params: p };
    })
    .filter((m) => m.type);
}

/** The first acceptable representation, in the client's order, as kube-apiserver picks it. */
export function responseFormat(accept: string | undefined, allowTable: boolean): ResponseFormat {
  if (!accept) return 'json';
  for (const m of parseMediaRanges(accept)) {
    if (m.params.as) {
      if (
        allowTable &&
        m.params.as === 'Table' &&
        m.params.g === 'meta.k8s.io' &&
        (m.params.v === 'v1' || m.params.v === 'v1beta1') &&
        m.type === 'application/json'
      )
        return 'table';
      continue; // PartialObjectMetadata and other conversions are not offered
    }
    if (m.type === 'application/json' || m.type === 'application/*' || m.type === '*/*' || m.type === 'application/json-patch+json') return 'json';
    if (m.type === 'application/yaml') return 'yaml';
  }
  throw newNotAcceptable(accept);
}

/** Decodes a create/update body (JSON or YAML). */
export function decodeBody(contentType: string | undefined, body: Buffer): unknown {
  const type = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type === '') return parseJSON(body);
  if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml') return parseYAMLBody(body);
  // kubectl's typed commands (create namespace, create configmap, ...) send protobuf.
  if (type === PROTOBUF_MEDIA_TYPE) return decodeKubernetesProtobuf(body).object;
  throw newUnsupportedMediaType(contentType ?? '');
}

export function patchTypeOf(contentType: string | undefined): PatchType {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  switch (type) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+json':
    case 'application/apply-patch+cbor':
      return 'apply';
    // 415, on every path that takes a patch (subresources too).
    default:
      throw newUnsupportedMediaType(contentType ?? '');
  }
}

export function decodePatch(type: PatchType, body: Buffer): unknown {
  return type === 'apply' ? parseYAMLBody(body) : parseJSON(body);
}

function parseJSON(body: Buffer): unknown {
  if (body.length === 0) throw newBadRequest('the request body is empty');
  if (jsonNestsDeeperThan(body)) throw tooDeep();
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    // Go's words for the error, as kube-apiserver answers; never the engine's.
    throw newBadRequest(`the body of the request was not valid JSON: ${jsonSyntaxError(body.toString('utf8'))}`);
  }
}

/**
 * YAML as data. An alias inside the node it names (`a: &a [*a]`) would make a cyclic
 * value that nothing downstream can walk; it is refused as go-yaml refuses it.
 */
function yamlToJS(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, merge: false });
  if (doc.errors.length) throw doc.errors[0];
  visit(doc, {
    Alias(_key, node, path) {
      if (path.includes(node.resolve(doc) as (typeof path)[number])) throw new Error(`yaml: anchor '${node.source}' value contains itself`);
    },
  });
  return doc.toJS();
}

function parseYAMLBody(body: Buffer): unknown {
  if (body.length === 0) throw newBadRequest('the request body is empty');
  const text = body.toString('utf8');
  // JSON is YAML: a JSON body gets the JSON parser (no recursion, the same depth limit as Go's).
  if (/^\s*[{[]/.test(text) && !jsonNestsDeeperThan(body)) {
    try {
      return JSON.parse(text);
    } catch {
      // YAML flow syntax that is not JSON: the YAML parser decides.
    }
  }
  if (yamlMayNestDeeperThan(text)) throw tooDeep();
  try {
    return yamlToJS(text);
  } catch (err) {
    // The YAML parser recurses: nesting it cannot take is reported as nesting, not as the engine's words.
    if (isStackOverflow(err)) throw tooDeep();
    throw newBadRequest(`error converting YAML to JSON: ${(err as Error).message.split('\n')[0]}`);
  }
}
