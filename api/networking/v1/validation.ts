// networking.k8s.io/v1 validation after k8s pkg/apis/networking/validation:
// Ingress, IngressClass and NetworkPolicy, with upstream's messages.
import type { KubeObject } from '../../meta/v1/types.js';
import { validateLabelSelector, type LabelSelector } from '../../labels/selector.js';
import { CIDR_ERROR, cidrContains, parseCIDR } from '../../validation/cidr.js';
import {
  type ErrorList,
  type Obj,
  arrAt,
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
} from '../../validation/field.js';
import {
  isDNS1123Subdomain,
  isIP,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNum,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
} from '../../validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../validation/objectmeta.js';
import { DNS1123_SUBDOMAIN_MAX_LENGTH, maxLenError, regexError } from '../../util/validation.js';

export const ANNOTATION_INGRESS_CLASS = 'kubernetes.io/ingress.class';
export const ANNOTATION_IS_DEFAULT_INGRESS_CLASS = 'ingressclass.kubernetes.io/is-default-class';
const MAX_LEN_INGRESS_CLASS_CONTROLLER = 250;
const SUPPORTED_PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const POLICY_TYPES = ['Ingress', 'Egress'];
const PARAMETER_SCOPES = ['Cluster', 'Namespace'];

const wildcardDNS1123SubdomainFmt = '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const wildcardDNS1123SubdomainErrMsg =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";

/** validation.IsWildcardDNS1123Subdomain */
export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!new RegExp(`^${wildcardDNS1123SubdomainFmt}$`).test(value)) {
    errs.push(regexError(wildcardDNS1123SubdomainErrMsg, wildcardDNS1123SubdomainFmt, '*.example.com'));
  }
  return errs;
}

const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";

/** validation.IsDomainPrefixedPath: `acme.io/foo`. */
export function validateDomainPrefixedPath(field: string, value: string): ErrorList {
  if (value.length === 0) return [required(field, '')];
  const slash = value.indexOf('/');
  const host = slash < 0 ? value : value.slice(0, slash);
  const path = slash < 0 ? '' : value.slice(slash + 1);
  if (slash < 0 || host.length === 0 || path.length === 0) return [invalid(field, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = isDNS1123Subdomain(host).map((m) => invalid(field, host, m));
  if (!new RegExp(`^${httpPathFmt}$`).test(path)) errs.push(invalid(field, path, regexError('Invalid path', httpPathFmt)));
  return errs;
}

// ---- NetworkPolicy ----

function validateNetworkPolicyPort(port: Obj, field: string): ErrorList {
  const errs: ErrorList = [];
  const protocol = port.protocol;
  if (protocol !== undefined && protocol !== null && !PROTOCOLS.includes(String(protocol))) errs.push(notSupported(`${field}.protocol`, protocol, PROTOCOLS));
  const p = port.port;
  const endPort = typeof port.endPort === 'number' ? port.endPort : undefined;
  if (p === undefined || p === null) {
    if (endPort !== undefined) errs.push(invalid(`${field}.endPort`, endPort, 'may not be specified when `port` is not specified'));
  } else if (typeof p === 'number') {
    errs.push(...isValidPortNum(p).map((m) => invalid(`${field}.port`, p, m)));
    if (endPort !== undefined) {
      if (endPort < p) errs.push(invalid(`${field}.endPort`, endPort, 'must be greater than or equal to `port`'));
      errs.push(...isValidPortNum(endPort).map((m) => invalid(`${field}.endPort`, endPort, m)));
    }
  } else {
    if (endPort !== undefined) errs.push(invalid(`${field}.endPort`, endPort, 'may not be specified when `port` is non-numeric'));
    errs.push(...isValidPortName(String(p)).map((m) => invalid(`${field}.port`, p, m)));
  }
  return errs;
}

function validateIPBlock(ipb: Obj, field: string): ErrorList {
  const cidr = str(ipb, 'cidr') ?? '';
  if (cidr === '') return [required(`${field}.cidr`, '')];
  const outer = parseCIDR(cidr);
  if (!outer) return [invalid(`${field}.cidr`, cidr, CIDR_ERROR)];
  const errs: ErrorList = [];
  arrAt(ipb, 'except').forEach((e, i) => {
    const p = `${field}.except[${i}]`;
    const except = String(e);
    const inner = parseCIDR(except);
    if (!inner) errs.push(invalid(p, except, CIDR_ERROR));
    else if (!cidrContains(outer, inner) || outer.prefix >= inner.prefix) errs.push(invalid(p, except, 'must be a strict subset of `cidr`'));
  });
  return errs;
}

function validateNetworkPolicyPeer(peer: Obj, field: string): ErrorList {
  const errs: ErrorList = [];
  let peers = 0;
  for (const key of ['podSelector', 'namespaceSelector']) {
    const sel = objAt(peer, key);
    if (!sel) continue;
    peers++;
    errs.push(...validateLabelSelector(sel as LabelSelector, `${field}.${key}`));
  }
  const ipBlock = objAt(peer, 'ipBlock');
  if (ipBlock) {
    peers++;
    errs.push(...validateIPBlock(ipBlock, `${field}.ipBlock`));
  }
  if (peers === 0) errs.push(required(field, 'must specify a peer'));
  else if (peers > 1 && ipBlock) errs.push(forbidden(field, 'may not specify both ipBlock and another peer'));
  return errs;
}

function validateNetworkPolicySpec(spec: Obj, field: string): ErrorList {
  const errs = validateLabelSelector((objAt(spec, 'podSelector') ?? {}) as LabelSelector, `${field}.podSelector`);
  for (const [key, peersKey] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    objs(spec, key).forEach((rule, i) => {
      const p = `${field}.${key}[${i}]`;
      objs(rule, 'ports').forEach((port, j) => errs.push(...validateNetworkPolicyPort(port, `${p}.ports[${j}]`)));
      objs(rule, peersKey).forEach((peer, j) => errs.push(...validateNetworkPolicyPeer(peer, `${p}.${peersKey}[${j}]`)));
    });
  }
  const types = arrAt(spec, 'policyTypes');
  if (types.length > POLICY_TYPES.length) {
    errs.push(
      invalid(
        `${field}.policyTypes`,
        { raw: `[]networking.PolicyType{${types.map((t) => JSON.stringify(t)).join(', ')}}` },
        'may not specify more than two policyTypes',
      ),
    );
    return errs;
  }
  types.forEach((t, i) => {
    if (!POLICY_TYPES.includes(String(t))) errs.push(notSupported(`${field}.policyTypes[${i}]`, t, POLICY_TYPES));
  });
  return errs;
}

export function validateNetworkPolicy(np: KubeObject): ErrorList {
  return [...validateObjectMeta(np.metadata, { nameFn: nameIsDNSSubdomain }), ...validateNetworkPolicySpec(objAt(np, 'spec') ?? {}, 'spec')];
}

export function validateNetworkPolicyUpdate(np: KubeObject, old: KubeObject): ErrorList {
  return validateObjectMetaUpdate(np.metadata, old.metadata);
}

// ---- Ingress ----

function validateTypedLocalObjectReference(ref: Obj, field: string): ErrorList {
  const errs: ErrorList = [];
  const apiGroup = str(ref, 'apiGroup');
  if (apiGroup !== undefined) errs.push(...isDNS1123Subdomain(apiGroup).map((m) => invalid(`${field}.apiGroup`, apiGroup, m)));
  for (const key of ['kind', 'name']) {
    const v = str(ref, key) ?? '';
    if (v === '') errs.push(required(`${field}.${key}`, ''));
    else errs.push(...isValidPathSegmentName(v).map((m) => invalid(`${field}.${key}`, v, m)));
  }
  return errs;
}

function validateIngressBackend(backend: Obj, field: string): ErrorList {
  const resource = objAt(backend, 'resource');
  const service = objAt(backend, 'service');
  if (resource && service) return [invalid(field, '', 'cannot set both resource and service backends')];
  if (resource) return validateTypedLocalObjectReference(resource, `${field}.resource`);
  if (!service) return [invalid(field, '', 'resource or service backend is required')];
  const errs: ErrorList = [];
  const name = str(service, 'name') ?? '';
  if (name === '') errs.push(required(`${field}.service.name`, ''));
  else errs.push(...nameIsDNS1035Label(name, false).map((m) => invalid(`${field}.service.name`, name, m)));
  const port = objAt(service, 'port') ?? {};
  const portName = str(port, 'name') ?? '';
  const portNumber = typeof port.number === 'number' ? port.number : 0;
  if (portName && portNumber) errs.push(invalid(field, '', 'cannot set both port name & port number'));
  else if (portName) errs.push(...isValidPortName(portName).map((m) => invalid(`${field}.service.port.name`, portName, m)));
  else if (portNumber) errs.push(...isValidPortNum(portNumber).map((m) => invalid(`${field}.service.port.number`, portNumber, m)));
  else errs.push(required(field, 'port name or number is required'));
  return errs;
}

function validateHTTPIngressPath(path: Obj, field: string): ErrorList {
  const errs: ErrorList = [];
  const pathType = path.pathType;
  if (pathType === undefined || pathType === null) return [required(`${field}.pathType`, 'pathType must be specified')];
  const p = str(path, 'path') ?? '';
  switch (pathType) {
    case 'Exact':
    case 'Prefix':
      if (!p.startsWith('/')) errs.push(invalid(`${field}.path`, p, 'must be an absolute path'));
      if (p.length > 0) {
        for (const seq of INVALID_PATH_SEQUENCES) if (p.includes(seq)) errs.push(invalid(`${field}.path`, p, `must not contain '${seq}'`));
        for (const suffix of INVALID_PATH_SUFFIXES) if (p.endsWith(suffix)) errs.push(invalid(`${field}.path`, p, `cannot end with '${suffix}'`));
      }
      break;
    case 'ImplementationSpecific':
      if (p.length > 0 && !p.startsWith('/')) errs.push(invalid(`${field}.path`, p, 'must be an absolute path'));
      break;
    default:
      errs.push(notSupported(`${field}.pathType`, pathType, SUPPORTED_PATH_TYPES));
  }
  errs.push(...validateIngressBackend(objAt(path, 'backend') ?? {}, `${field}.backend`));
  return errs;
}

function validateIngressRuleValue(rule: Obj, field: string): ErrorList {
  const http = objAt(rule, 'http');
  if (!http) return [];
  const paths = objs(http, 'paths');
  const errs: ErrorList = paths.length === 0 ? [required(`${field}.http.paths`, '')] : [];
  paths.forEach((p, i) => errs.push(...validateHTTPIngressPath(p, `${field}.http.paths[${i}]`)));
  return errs;
}

function validateIngressRules(rules: Obj[], field: string): ErrorList {
  const errs: ErrorList = [];
  rules.forEach((rule, i) => {
    const p = `${field}[${i}]`;
    const host = str(rule, 'host') ?? '';
    if (host) {
      if (isIP(host)) errs.push(invalid(`${p}.host`, host, 'must be a DNS name, not an IP address'));
      const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      errs.push(...msgs.map((m) => invalid(`${p}.host`, host, m)));
    }
    errs.push(...validateIngressRuleValue(rule, p));
  });
  return errs;
}

function validateIngressTLS(tls: Obj[], field: string): ErrorList {
  const errs: ErrorList = [];
  tls.forEach((t, i) => {
    arrAt(t, 'hosts').forEach((h, j) => {
      const host = String(h);
      const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      errs.push(...msgs.map((m) => invalid(`${field}[${i}].hosts[${j}]`, host, m)));
    });
    const secretName = str(t, 'secretName') ?? '';
    if (secretName) errs.push(...nameIsDNSSubdomain(secretName, false).map((m) => invalid(`${field}[${i}].secretName`, secretName, m)));
  });
  return errs;
}

function validateIngressSpec(spec: Obj, field: string): ErrorList {
  const errs: ErrorList = [];
  const rules = objs(spec, 'rules');
  const defaultBackend = objAt(spec, 'defaultBackend');
  if (rules.length === 0 && !defaultBackend) {
    const shown = Array.isArray(spec.rules) ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)';
    errs.push(invalid(field, { raw: shown }, 'either `defaultBackend` or `rules` must be specified'));
  }
  if (defaultBackend) errs.push(...validateIngressBackend(defaultBackend, `${field}.defaultBackend`));
  if (rules.length) errs.push(...validateIngressRules(rules, `${field}.rules`));
  const tls = objs(spec, 'tls');
  if (tls.length) errs.push(...validateIngressTLS(tls, `${field}.tls`));
  const className = str(spec, 'ingressClassName');
  if (className !== undefined) errs.push(...nameIsDNSSubdomain(className, false).map((m) => invalid(`${field}.ingressClassName`, className, m)));
  return errs;
}

export function validateIngress(ing: KubeObject): ErrorList {
  return [...validateObjectMeta(ing.metadata, { nameFn: nameIsDNSSubdomain }), ...validateIngressSpec(objAt(ing, 'spec') ?? {}, 'spec')];
}

/** The part of ValidateIngressCreate beyond validateIngress: the class annotation and ingressClassName must agree when both are set. */
export function validateIngressClassAnnotation(ing: KubeObject): ErrorList {
  const annotations = ing.metadata.annotations ?? {};
  const className = str(objAt(ing, 'spec'), 'ingressClassName');
  if (!Object.prototype.hasOwnProperty.call(annotations, ANNOTATION_INGRESS_CLASS) || className === undefined) return [];
  const value = annotations[ANNOTATION_INGRESS_CLASS];
  return value === className ? [] : [invalid(`annotations.${ANNOTATION_INGRESS_CLASS}`, value, 'must match `ingressClassName` when both are specified')];
}

export function validateIngressUpdate(ing: KubeObject, old: KubeObject): ErrorList {
  return validateObjectMetaUpdate(ing.metadata, old.metadata);
}

// ---- IngressClass ----

function validateIngressClassParametersReference(params: Obj, field: string): ErrorList {
  const errs: ErrorList = [];
  const apiGroup = str(params, 'apiGroup');
  if (apiGroup !== undefined) errs.push(...isDNS1123Subdomain(apiGroup).map((m) => invalid(`${field}.apiGroup`, apiGroup, m)));
  for (const key of ['kind', 'name']) {
    const v = str(params, key) ?? '';
    if (v === '') errs.push(required(`${field}.${key}`, ''));
    else errs.push(...isValidPathSegmentName(v).map((m) => invalid(`${field}.${key}`, v, m)));
  }
  const scope = params.scope;
  if (scope === undefined || scope === null) {
    errs.push(required(`${field}.scope`, ''));
    return errs;
  }
  if (!PARAMETER_SCOPES.includes(String(scope))) {
    errs.push(notSupported(`${field}.scope`, scope, PARAMETER_SCOPES));
    return errs;
  }
  const namespace = params.namespace;
  if (scope === 'Namespace') {
    if (typeof namespace !== 'string') errs.push(required(`${field}.namespace`, "`parameters.scope` is set to 'Namespace'"));
    else errs.push(...nameIsDNSLabel(namespace, false).map((m) => invalid(`${field}.namespace`, namespace, m)));
  }
  if (scope === 'Cluster' && namespace !== undefined && namespace !== null)
    errs.push(forbidden(`${field}.namespace`, "`parameters.scope` is set to 'Cluster'"));
  return errs;
}

export function validateIngressClass(ic: KubeObject): ErrorList {
  const errs = validateObjectMeta(ic.metadata, { nameFn: nameIsDNSSubdomain });
  const spec = objAt(ic, 'spec') ?? {};
  const controller = str(spec, 'controller') ?? '';
  if (controller === '') errs.push(required('spec.controller', ''));
  else {
    if (controller.length > MAX_LEN_INGRESS_CLASS_CONTROLLER) errs.push(tooLong('spec.controller', MAX_LEN_INGRESS_CLASS_CONTROLLER));
    errs.push(...validateDomainPrefixedPath('spec.controller', controller));
  }
  const params = objAt(spec, 'parameters');
  if (params) errs.push(...validateIngressClassParametersReference(params, 'spec.parameters'));
  return errs;
}

export function validateIngressClassUpdate(ic: KubeObject, old: KubeObject): ErrorList {
  return [
    ...validateObjectMetaUpdate(ic.metadata, old.metadata),
    ...validateImmutableField(str(objAt(ic, 'spec'), 'controller'), str(objAt(old, 'spec'), 'controller'), 'spec.controller'),
  ];
}

/** Whether an IngressClass is marked as the default one. */
export function isDefaultIngressClass(ic: KubeObject): boolean {
  const annotations = ic.metadata.annotations;
  return isObj(annotations) && annotations[ANNOTATION_IS_DEFAULT_INGRESS_CLASS] === 'true';
}
