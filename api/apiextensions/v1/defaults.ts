// Defaulting for apiextensions.k8s.io/v1 CustomResourceDefinitions.
import type { KubeObject } from '../../meta/v1/types.js';
import { child, objAt, str } from '../../validation/field.js';

export function setDefaultsCustomResourceDefinition(crd: KubeObject): void {
  const spec = child(crd, 'spec');
  const names = child(spec, 'names');
  const kind = str(names, 'kind');
  if (kind) {
    if (!names.singular) names.singular = kind.toLowerCase();
    if (!names.listKind) names.listKind = `${kind}List`;
  }
  const conversion = child(spec, 'conversion');
  if (!conversion.strategy) conversion.strategy = 'None';
  // A conversion webhook's Service port defaults to 443.
  const service = objAt(objAt(objAt(conversion, 'webhook'), 'clientConfig'), 'service');
  if (service && service.port === undefined) service.port = 443;
}
