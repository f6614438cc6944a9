// The OpenAPI definition of a custom resource version, after apiextensions-apiserver's
// openapi builder: named by the reversed group, the version and the kind
// (com.example.stable.v1.CronTab), the CRD's schema with apiVersion, kind and
// ObjectMeta added; the v2 form leaves out what swagger 2.0 cannot say.
import type { CustomKindSchema, Flavour } from '../../schema/openapi.js';
import type { CustomResourceDefinition, CustomResourceDefinitionVersion, JSONSchemaProps } from './types.js';

type Json = Record<string, unknown>;

const OBJECT_META_REF = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

export function definitionName(group: string, version: string, kind: string): string {
  return [...group.split('.').reverse(), version, kind].join('.');
}

/** Swagger 2.0 has no nullable, oneOf, anyOf or not; upstream drops them (and int-or-string's type) from v2. */
function toV2(s: JSONSchemaProps): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'nullable' || k === 'oneOf' || k === 'anyOf' || k === 'allOf' || k === 'not' || k === 'x-kubernetes-validations') continue;
    if (k === 'properties' && v && typeof v === 'object') {
      out.properties = Object.fromEntries(Object.entries(v as Record<string, JSONSchemaProps>).map(([n, p]) => [n, toV2(p)]));
    } else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = toV2(v as JSONSchemaProps);
    } else out[k] = v;
  }
  return out;
}

export function customResourceSchema(crd: CustomResourceDefinition, version: CustomResourceDefinitionVersion, kind: string): CustomKindSchema {
  const group = crd.spec.group;
  return {
    ref: definitionName(group, version.name, kind),
    schema(flavour: Flavour, prefix: string): Json {
      const base: JSONSchemaProps = version.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      const schema = flavour === 'v2' ? toV2(base) : (structuredClone(base) as Json);
      const properties = { ...((schema.properties as Json | undefined) ?? {}) };
      properties.apiVersion = {
        description:
          'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
        type: 'string',
      };
      properties.kind = {
        description:
          'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
        type: 'string',
      };
      const metaRef = `${prefix}${OBJECT_META_REF}`;
      properties.metadata =
        flavour === 'v3'
          ? {
              description:
                "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
              allOf: [{ $ref: metaRef }],
            }
          : {
              description:
                "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
              $ref: metaRef,
            };
      schema.properties = properties;
      schema['x-kubernetes-group-version-kind'] = [{ group, kind, version: version.name }];
      return schema;
    },
  };
}
