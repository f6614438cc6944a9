// EndpointSlice validation after k8s pkg/apis/discovery/validation.
import type { KubeObject } from '../../meta/v1/types.js';
import { type ErrorList, arrAt, duplicate, invalid, notSupported, objs, required, str, tooMany, validateImmutableField } from '../../validation/field.js';
import { IP_ERROR, isDNS1123Label, isDNS1123Subdomain, isIP, isIPv4, isValidPortNum, nameIsDNSSubdomain } from '../../validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../validation/objectmeta.js';

const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;

export function validateEndpointSlice(slice: KubeObject): ErrorList {
  const errs = validateObjectMeta(slice.metadata, { nameFn: nameIsDNSSubdomain });
  const type = slice.addressType;
  if (type === undefined || type === '') errs.push(required('addressType', ''));
  else if (!ADDRESS_TYPES.includes(String(type))) errs.push(notSupported('addressType', type, ADDRESS_TYPES));
  const endpoints = objs(slice, 'endpoints');
  if (endpoints.length > MAX_ENDPOINTS) errs.push(tooMany('endpoints', endpoints.length, MAX_ENDPOINTS));
  endpoints.forEach((ep, i) => {
    const addrs = arrAt(ep, 'addresses');
    const f = `endpoints[${i}].addresses`;
    if (addrs.length === 0) errs.push(required(f, 'must contain at least 1 address'));
    else if (addrs.length > MAX_ADDRESSES) errs.push(tooMany(f, addrs.length, MAX_ADDRESSES));
    addrs.forEach((a, j) => {
      const s = String(a);
      if (type === 'IPv4' && !isIPv4(s)) errs.push(invalid(`${f}[${j}]`, s, IP_ERROR));
      else if (type === 'IPv6' && (isIPv4(s) || !isIP(s))) errs.push(invalid(`${f}[${j}]`, s, IP_ERROR));
      else if (type === 'FQDN') errs.push(...isDNS1123Subdomain(s).map((m) => invalid(`${f}[${j}]`, s, m)));
    });
    const hostname = str(ep, 'hostname');
    if (hostname) errs.push(...isDNS1123Label(hostname).map((m) => invalid(`endpoints[${i}].hostname`, hostname, m)));
  });
  const ports = objs(slice, 'ports');
  if (ports.length > MAX_PORTS) errs.push(tooMany('ports', ports.length, MAX_PORTS));
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const name = str(p, 'name') ?? '';
    if (name) errs.push(...isDNS1123Label(name).map((m) => invalid(`ports[${i}].name`, name, m)));
    if (names.has(name)) errs.push(duplicate(`ports[${i}].name`, name));
    names.add(name);
    if (typeof p.port === 'number') errs.push(...isValidPortNum(p.port).map((m) => invalid(`ports[${i}].port`, p.port, m)));
    if (p.protocol !== undefined && !['SCTP', 'TCP', 'UDP'].includes(String(p.protocol)))
      errs.push(notSupported(`ports[${i}].protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
  });
  return errs;
}

export function validateEndpointSliceUpdate(slice: KubeObject, old: KubeObject): ErrorList {
  return [...validateObjectMetaUpdate(slice.metadata, old.metadata), ...validateImmutableField(slice.addressType, old.addressType, 'addressType')];
}
