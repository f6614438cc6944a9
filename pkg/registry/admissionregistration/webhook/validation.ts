// The part of a webhook configuration's validation that needs CEL: each
// matchCondition must compile to a bool (upstream refuses it with 422 and the
// compiler's message), beside the field checks in api/admissionregistration/v1.
import type { MutatingWebhook, ValidatingWebhook } from '../../../../api/admissionregistration/v1/types.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { StatusCause } from '../../../../api/meta/v1/status.js';
import { matchConditionErrors } from '../cel/matchconditions.js';

export function validateWebhookMatchConditions(obj: KubeObject): StatusCause[] {
  const hooks = (obj as { webhooks?: unknown }).webhooks;
  if (!Array.isArray(hooks)) return [];
  return (hooks as Array<MutatingWebhook | ValidatingWebhook>).flatMap((h, i) =>
    typeof h === 'object' && h !== null && Array.isArray(h.matchConditions)
      ? matchConditionErrors(h.matchConditions, `webhooks[${i}].matchConditions`, { params: false, variables: false })
      : [],
  );
}
