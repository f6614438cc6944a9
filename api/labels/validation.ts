// metav1 validation of labels and label selectors
// (k8s.io/apimachinery/pkg/apis/meta/v1/validation), as StatusCauses ready for
// newInvalid(): field path in `field`, field-error body in `message`.
import type { StatusCause } from '../meta/v1/status.js';
import { isQualifiedName, isValidLabelValue } from '../util/validation.js';
import { invalidBody } from './errors.js';
import type { LabelSelector, LabelSelectorRequirement } from '../meta/v1/types.js';

function invalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: invalidBody(value, detail), field };
}

/** ValidateLabelName: a label key must be a qualified name. */
export function validateLabelName(name: string, fieldPath: string): StatusCause[] {
  return isQualifiedName(name).map((msg) => invalid(fieldPath, name, msg));
}

/** ValidateLabels: every key a qualified name, every value a label value; errors point at the map itself, as upstream. */
export function validateLabels(labels: Record<string, string> | undefined | null, fieldPath: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    causes.push(...validateLabelName(k, fieldPath));
    for (const msg of isValidLabelValue(String(v))) causes.push(invalid(fieldPath, v, msg));
  }
  return causes;
}

export function validateLabelSelectorRequirement(sr: LabelSelectorRequirement, fieldPath: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const values = sr.values ?? [];
  switch (sr.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0)
        causes.push({
          reason: 'FieldValueRequired',
          message: "Required value: must be specified when `operator` is 'In' or 'NotIn'",
          field: `${fieldPath}.values`,
        });
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0)
        causes.push({
          reason: 'FieldValueForbidden',
          message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          field: `${fieldPath}.values`,
        });
      break;
    default:
      causes.push(invalid(`${fieldPath}.operator`, sr.operator, 'not a valid selector operator'));
  }
  causes.push(...validateLabelName(sr.key, `${fieldPath}.key`));
  values.forEach((v, i) => {
    for (const msg of isValidLabelValue(v)) causes.push(invalid(`${fieldPath}.values[${i}]`, v, msg));
  });
  return causes;
}

/** ValidateLabelSelector for e.g. `spec.selector`. A missing selector is valid here; callers that require one say so. */
export function validateLabelSelector(ls: LabelSelector | null | undefined, fieldPath: string): StatusCause[] {
  if (!ls) return [];
  const causes = validateLabels(ls.matchLabels, `${fieldPath}.matchLabels`);
  (ls.matchExpressions ?? []).forEach((e, i) => causes.push(...validateLabelSelectorRequirement(e, `${fieldPath}.matchExpressions[${i}]`)));
  return causes;
}
