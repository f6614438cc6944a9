// What a request asks for, as k8s.io/apiserver's RequestInfoFactory.NewRequestInfo
// derives it from the method, path and query: the verb (get, list, watch, create,
// update, patch, delete, deletecollection; the lower-case method for non-resource
// paths), API group and version, namespace, resource, subresource and name. The
// authorization filter asks about exactly this, and the audit log records it.
//
// Path segments are read as the router reads them (resourcerequest.ts): split on
// '/', empty segments dropped, each unescaped on its own. Go reads the unescaped
// path instead; reading it as the router does keeps what is authorised and what is
// served the same request (the router, too, takes group and version as sent).
import { parse as parseQuery } from 'node:querystring';
import type { Attributes } from '../auth/authorizer.js';
import type { UserInfo } from '../auth/user.js';
import { tryParseFieldSelector, type FieldRequirement } from '../../api/fields/selector.js';
import { isValidPathSegmentName } from '../../api/validation/names.js';
import { queryBool } from '../util/queryparams.js';
import { unescapeSegment } from './resourcerequest.js';

export interface RequestInfo {
  isResourceRequest: boolean;
  /** The URL path as sent (without the query). */
  path: string;
  verb: string;
  /** 'api' or 'apis' for resource requests. */
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** A list's, watch's or deletecollection's fieldSelector, parsed; undefined when absent or malformed. */
  fieldSelector?: readonly FieldRequirement[];
  /** The path from the resource on: resource/name/subresource/... */
  parts: string[];
}

// Path segments that are verbs rather than resources; proxy takes no subresource.
const SPECIAL_VERBS = new Set(['proxy', 'watch']);
// Subresources of a namespace: /namespaces/foo/status is the namespace's, not a resource "status" in foo.
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

const METHOD_VERBS: Readonly<Record<string, string>> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

function nonResource(path: string, method: string): RequestInfo {
  return {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    parts: [],
  };
}

/** The first value of a query parameter, as the handlers read it (node's querystring, first of repeats). */
function firstParam(params: ReturnType<typeof parseQuery>, name: string): string | undefined {
  const v = params[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A fieldSelector parameter's requirements; undefined when absent or malformed (the handler refuses those). */
function parsedFieldSelector(selector: string | undefined): readonly FieldRequirement[] | undefined {
  if (!selector) return undefined;
  try {
    return tryParseFieldSelector(selector).requirements;
  } catch {
    return undefined;
  }
}

/** The name a list or watch pins with fieldSelector=metadata.name=<name>, when it is a valid path segment. */
function nameFromFieldSelector(requirements: readonly FieldRequirement[] | undefined): string {
  const name = requirements?.find((r) => r.field === 'metadata.name' && r.operator !== '!=')?.value;
  return name !== undefined && isValidPathSegmentName(name).length === 0 ? name : '';
}

export function newRequestInfo(method: string, path: string, query: string): RequestInfo {
  const info = nonResource(path, method);
  let parts = path.split('/').filter((s) => s !== '');
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return info;
  info.apiPrefix = parts[0];
  parts = parts.slice(1);
  if (info.apiPrefix === 'apis') {
    if (parts.length < 3) return info;
    info.apiGroup = parts[0];
    parts = parts.slice(1);
  }
  info.isResourceRequest = true;
  info.apiVersion = parts[0];
  parts = parts.slice(1).map(unescapeSegment);

  if (SPECIAL_VERBS.has(parts[0])) {
    // /watch alone names nothing: upstream fails the request info; nothing is served there either.
    if (parts.length < 2) return { ...info, verb: '' };
    info.verb = parts[0];
    parts = parts.slice(1);
  } else {
    info.verb = METHOD_VERBS[method] ?? '';
  }

  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1];
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
    }
  }
  info.parts = parts;
  if (parts.length >= 3 && info.verb !== 'proxy') info.subresource = parts[2];
  if (parts.length >= 2) info.name = parts[1];
  if (parts.length >= 1) info.resource = parts[0];

  if (info.verb === 'get') {
    if (info.name === '') {
      info.verb = 'list';
      // Parsing the query is most of the cost of a list's request info: skipped when no parameter
      // can be watch or fieldSelector, escaped or not.
      if (query.includes('watch') || query.includes('fieldSelector') || query.includes('%')) {
        const params = parseQuery(query);
        if (queryBool(firstParam(params, 'watch'))) info.verb = 'watch';
        info.fieldSelector = parsedFieldSelector(firstParam(params, 'fieldSelector'));
        info.name = nameFromFieldSelector(info.fieldSelector);
      }
    } else if (info.subresource === '' && (query.includes('watch') || query.includes('%')) && queryBool(firstParam(parseQuery(query), 'watch'))) {
      // A GET of one object with ?watch=true is served as a watch of it (handlers.ts), so it is
      // authorised as one; upstream serves such a request as a plain get.
      info.verb = 'watch';
    }
  }
  if (info.verb === 'delete' && info.name === '') {
    info.verb = 'deletecollection';
    if (query.includes('fieldSelector') || query.includes('%')) info.fieldSelector = parsedFieldSelector(firstParam(parseQuery(query), 'fieldSelector'));
  }
  return info;
}

/** The authorizer's attributes for a request by user. */
export function attributesOf(info: RequestInfo, user: UserInfo): Attributes {
  return {
    user,
    verb: info.verb,
    isResourceRequest: info.isResourceRequest,
    path: info.path,
    apiGroup: info.apiGroup,
    apiVersion: info.apiVersion,
    namespace: info.namespace,
    resource: info.resource,
    subresource: info.subresource,
    name: info.name,
    ...(info.fieldSelector ? { fieldSelector: info.fieldSelector } : {}),
  };
}
