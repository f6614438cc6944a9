// The pod strategy, after upstream's pkg/registry/core/pod/strategy.go: defaulting
// and validation from api/core/v1, plus the graceful deletion rule.
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import * as coreDefaults from '../../../../api/core/v1/defaults.js';
import * as core from '../../../../api/core/v1/validation.js';
import type { StrategyWithHooks } from '../../strategy.js';

const DEFAULT_GRACE_PERIOD_SECONDS = 30;

/**
 * Only a pod on a node is deleted gracefully: its kubelet must stop the containers
 * first. An unscheduled or finished pod goes at once.
 */
export function podGracePeriod(pod: KubeObject, requested: number | undefined): number {
  const spec = (pod.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  return Math.max(0, requested ?? spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS);
}

export const podStrategy: StrategyWithHooks = {
  defaults: coreDefaults.setDefaultsPod,
  validate: core.validatePod,
  validateUpdate: core.validatePodUpdate,
  prepareForCreate: coreDefaults.prepareNewPod,
  gracePeriod: podGracePeriod,
  returnDeletedObject: true,
};
