// The strategy of one served version of a custom resource, built from its CRD
// (upstream: apiextensions-apiserver's customresource strategy): schema
// defaulting, pruning and validation, the x-kubernetes-validations rules, generation counting, storage at the
// CRD's storage version (None or webhook conversion, ../conversion.ts), and
// the version's printer columns.
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { CustomResourceDefinition, CustomResourceDefinitionVersion } from '../../../../api/apiextensions/v1/types.js';
import { StructuralSchema } from '../../../../api/apiextensions/v1/structural.js';
import { customResourceSchemaNode } from '../../../../api/apiextensions/v1/schemanode.js';
import { validateMetaSubdomain, validateMetaUpdate } from '../../../../api/core/v1/validation.js';
import type { SchemaValidation, StrategyWithHooks } from '../../strategy.js';
import { Validator } from '../cel/validation.js';
import { customResourceConversion } from '../conversion.js';
import type { WebhookConverter } from '../conversionwebhook.js';

/** Compiled schemas, one per CRD version and CRD generation (compiled once, kept while the CRD is unchanged). */
const schemas = new WeakMap<CustomResourceDefinitionVersion, StructuralSchema | undefined>();
/** Compiled validation rules, likewise. */
const validators = new WeakMap<CustomResourceDefinitionVersion, Validator | undefined>();

function schemaOf(v: CustomResourceDefinitionVersion): StructuralSchema | undefined {
  if (!schemas.has(v)) {
    const s = v.schema?.openAPIV3Schema;
    schemas.set(v, s ? new StructuralSchema(s) : undefined);
  }
  return schemas.get(v);
}

function validatorOf(v: CustomResourceDefinitionVersion): Validator | undefined {
  if (!validators.has(v)) validators.set(v, Validator.for(v.schema?.openAPIV3Schema));
  return validators.get(v);
}

/** Schema errors after which the rules are not run (upstream's hasBlockingErr): type, required, enum and size violations. */
const BLOCKING = new Set(['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid']);

/** The schema check, then the validation rules on what passed it. */
function validateWithRules(
  schema: StructuralSchema,
  rules: Validator | undefined,
  obj: KubeObject,
  old: KubeObject | undefined,
  warnings?: string[],
): SchemaValidation {
  const result = schema.validate(obj as Record<string, unknown>, true);
  if (!rules) return result;
  if (result.causes.some((c) => BLOCKING.has(c.reason ?? ''))) {
    result.causes.push({
      reason: 'FieldValueInvalid',
      message:
        'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      field: '<nil>',
    });
    return result;
  }
  const outcome = rules.validate(obj, old);
  result.causes.push(...outcome.causes);
  warnings?.push(...outcome.warnings);
  return result;
}

/** webhook: the CRD's conversion webhook client, when its conversion strategy is Webhook. */
export function customResourceStrategy(crd: CustomResourceDefinition, version: CustomResourceDefinitionVersion, webhook?: WebhookConverter): StrategyWithHooks {
  const schema = schemaOf(version);
  const rules = validatorOf(version);
  const strategy: StrategyWithHooks = {
    tracksGeneration: true,
    // Without a status subresource, every change but metadata's is a new generation.
    generationIncludesStatus: version.subresources?.status === undefined || version.subresources.status === null,
    refusesStrategicMergePatch: true,
    validate: (obj) => validateMetaSubdomain(obj),
    validateUpdate: (obj, old) => validateMetaUpdate(obj, old),
    validateSchema: (obj: KubeObject, old?: KubeObject, warnings?: string[]) =>
      schema ? validateWithRules(schema, rules, obj, old, warnings) : { causes: [], unknownFields: [] },
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
