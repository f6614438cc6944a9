// The strategy of one served version of a custom resource, built from its CRD
// (upstream: apiextensions-apiserver's customresource strategy): schema
// defaulting, pruning and validation, generation counting, storage at the
// CRD's storage version (None or webhook conversion, ../conversion.ts), and
// the version's printer columns.
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { CustomResourceDefinition, CustomResourceDefinitionVersion } from '../../../../api/apiextensions/v1/types.js';
import { StructuralSchema } from '../../../../api/apiextensions/v1/structural.js';
import { customResourceSchemaNode } from '../../../../api/apiextensions/v1/schemanode.js';
import { validateMetaSubdomain, validateMetaUpdate } from '../../../../api/core/v1/validation.js';
import { customResourceConversion } from '../conversion.js';
import type { WebhookConverter } from '../conversionwebhook.js';
import type { StrategyWithHooks } from '../../strategy.js';

/** Compiled schemas, one per CRD version and CRD generation (compiled once, kept while the CRD is unchanged). */
const schemas = new WeakMap<CustomResourceDefinitionVersion, StructuralSchema | undefined>();

function schemaOf(v: CustomResourceDefinitionVersion): StructuralSchema | undefined {
  if (!schemas.has(v)) {
    const s = v.schema?.openAPIV3Schema;
    schemas.set(v, s ? new StructuralSchema(s) : undefined);
  }
  return schemas.get(v);
}

/** webhook: the CRD's conversion webhook client, when its conversion strategy is Webhook. */
export function customResourceStrategy(crd: CustomResourceDefinition, version: CustomResourceDefinitionVersion, webhook?: WebhookConverter): StrategyWithHooks {
  const schema = schemaOf(version);
  const strategy: StrategyWithHooks = {
    tracksGeneration: true,
    // Without a status subresource, every change but metadata's is a new generation.
    generationIncludesStatus: version.subresources?.status === undefined || version.subresources.status === null,
    refusesStrategicMergePatch: true,
    validate: (obj) => validateMetaSubdomain(obj),
    validateUpdate: (obj, old) => validateMetaUpdate(obj, old),
    validateSchema: (obj: KubeObject) => (schema ? schema.validate(obj as Record<string, unknown>, true) : { causes: [], unknownFields: [] }),
    defaults: (obj) => schema?.default(obj as Record<string, unknown>),
    // Without columns of its own a version shows NAME and AGE.
    schema: customResourceSchemaNode(version.schema?.openAPIV3Schema),
    printerColumns: version.additionalPrinterColumns?.length ? version.additionalPrinterColumns : undefined,
  };
  const { conversion, batchConversion } = customResourceConversion(crd, version, webhook);
  if (conversion) strategy.conversion = conversion;
  if (batchConversion) strategy.batchConversion = batchConversion;
  return strategy;
}
