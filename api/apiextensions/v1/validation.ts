// CustomResourceDefinition validation after apiextensions-apiserver's validation.
import type { KubeObject } from '../../meta/v1/types.js';
import { type ErrorList, arrAt, invalid, notSupported, objAt, objs, required, str, validateImmutableField } from '../../validation/field.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain } from '../../validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../validation/objectmeta.js';
import { structuralErrors } from './structural.js';
import type { JSONSchemaProps } from './types.js';

export function validateCustomResourceDefinition(crd: KubeObject): ErrorList {
  const errs = validateObjectMeta(crd.metadata, { nameFn: (n) => isDNS1123Subdomain(n) });
  const spec = objAt(crd, 'spec') ?? {};
  const group = str(spec, 'group') ?? '';
  const names = objAt(spec, 'names') ?? {};
  const plural = str(names, 'plural') ?? '';
  const name = crd.metadata.name ?? '';
  if (name && name !== `${plural}.${group}`) errs.push(invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  if (!group) errs.push(required('spec.group', ''));
  else {
    errs.push(...isDNS1123Subdomain(group).map((m) => invalid('spec.group', group, m)));
    if (!group.includes('.')) errs.push(invalid('spec.group', group, 'should be a domain with at least one dot'));
  }
  const scope = spec.scope;
  if (!scope) errs.push(required('spec.scope', ''));
  else if (scope !== 'Cluster' && scope !== 'Namespaced') errs.push(notSupported('spec.scope', scope, ['Cluster', 'Namespaced']));
  if (!plural) errs.push(required('spec.names.plural', ''));
  else errs.push(...isDNS1035Label(plural).map((m) => invalid('spec.names.plural', plural, m)));
  const singular = str(names, 'singular');
  if (singular) errs.push(...isDNS1035Label(singular).map((m) => invalid('spec.names.singular', singular, m)));
  const kind = str(names, 'kind');
  if (!kind) errs.push(required('spec.names.kind', ''));
  else if (isDNS1035Label(kind.toLowerCase()).length)
    errs.push(invalid('spec.names.kind', kind, `may have mixed case, but should otherwise match: ${isDNS1035Label(kind.toLowerCase()).join(',')}`));
  const listKind = str(names, 'listKind');
  if (listKind && kind && listKind === kind) errs.push(invalid('spec.names.listKind', listKind, 'kind and listKind may not be the same'));
  arrAt(names, 'shortNames').forEach((short, i) => {
    const s = String(short);
    const bad = isDNS1035Label(s);
    if (bad.length) errs.push(invalid(`spec.names.shortNames[${i}]`, s, bad.join(',')));
  });
  const versions = objs(spec, 'versions');
  if (versions.length === 0) errs.push(required('spec.versions', 'must have exactly one version marked as storage version'));
  else if (versions.filter((v) => v.storage === true).length !== 1)
    errs.push(
      invalid('spec.versions', { raw: `[]apiextensions.CustomResourceDefinitionVersion{...}` }, 'must have exactly one version marked as storage version'),
    );
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const vn = str(v, 'name') ?? '';
    if (!vn) errs.push(required(`spec.versions[${i}].name`, ''));
    else {
      errs.push(...isDNS1123Label(vn).map((m) => invalid(`spec.versions[${i}].name`, vn, m)));
      if (seen.has(vn)) errs.push(invalid('spec.versions', vn, 'must contain unique version names'));
      seen.add(vn);
    }
    errs.push(...validateVersionExtras(v, `spec.versions[${i}]`));
    const schema = objAt(objAt(v, 'schema'), 'openAPIV3Schema');
    if (!schema) errs.push(required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
    // Only structural schemas can be pruned and defaulted.
    else errs.push(...structuralErrors(schema as JSONSchemaProps, `spec.versions[${i}].schema.openAPIV3Schema`));
  });
  if (spec.preserveUnknownFields === true) errs.push(invalid('spec.preserveUnknownFields', true, 'must be false in order to use defaults in the schema'));
  return errs;
}

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];

/** Printer columns and the scale subresource's paths (upstream's ValidateCustomResourceColumnDefinition and scale checks). */
function validateVersionExtras(v: Record<string, unknown>, path: string): ErrorList {
  const errs: ErrorList = [];
  objs(v, 'additionalPrinterColumns').forEach((col, i) => {
    const p = `${path}.additionalPrinterColumns[${i}]`;
    if (!str(col, 'name')) errs.push(required(`${p}.name`, ''));
    const type = str(col, 'type');
    if (!type) errs.push(required(`${p}.type`, ''));
    else if (!COLUMN_TYPES.includes(type)) errs.push(notSupported(`${p}.type`, type, COLUMN_TYPES));
    if (!str(col, 'jsonPath')) errs.push(required(`${p}.jsonPath`, ''));
  });
  const scale = objAt(objAt(v, 'subresources'), 'scale');
  if (scale) {
    const p = `${path}.subresources.scale`;
    const spec = str(scale, 'specReplicasPath') ?? '';
    if (!spec) errs.push(required(`${p}.specReplicasPath`, ''));
    else if (!spec.startsWith('.spec.')) errs.push(invalid(`${p}.specReplicasPath`, spec, 'should be a json path under .spec'));
    const status = str(scale, 'statusReplicasPath') ?? '';
    if (!status) errs.push(required(`${p}.statusReplicasPath`, ''));
    else if (!status.startsWith('.status.')) errs.push(invalid(`${p}.statusReplicasPath`, status, 'should be a json path under .status'));
    const selector = str(scale, 'labelSelectorPath');
    if (selector && !selector.startsWith('.spec.') && !selector.startsWith('.status.'))
      errs.push(invalid(`${p}.labelSelectorPath`, selector, 'should be a json path under either .spec or .status'));
  }
  return errs;
}

export function validateCustomResourceDefinitionUpdate(crd: KubeObject, old: KubeObject): ErrorList {
  const errs = validateObjectMetaUpdate(crd.metadata, old.metadata);
  errs.push(...validateImmutableField(objAt(crd, 'spec')?.group, objAt(old, 'spec')?.group, 'spec.group'));
  errs.push(...validateImmutableField(objAt(crd, 'spec')?.scope, objAt(old, 'spec')?.scope, 'spec.scope'));
  return errs;
}
