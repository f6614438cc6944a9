// Normalisation of a metric proposal: stabilisation windows, legacy limits and
// spec.behavior rate policies, on a fake clock.
import type { HorizontalPodAutoscalerBehavior } from '../../../../api/autoscaling/v2/types.js';
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import {
  behaviorWithDefaults,
  convertDesiredReplicasWithRules,
  ScalingHistory,
  type NormalizationArg,
} from '../../../../pkg/controller/podautoscaler/behavior.js';

function clock(start = 1_000_000) {
  const c = {
    t: start,
    now: () => c.t,
    advance: (s: number) => {
      c.t += s * 1000;
    },
  };
  return c;
}

function arg(b: HorizontalPodAutoscalerBehavior, current: number, desired: number, min = 1, max = 100): NormalizationArg {
  const { scaleUp, scaleDown } = behaviorWithDefaults(b, 300);
  return { key: 'ns/hpa', scaleUp, scaleDown, minReplicas: min, maxReplicas: max, currentReplicas: current, desiredReplicas: desired };
}

describe('behavior defaults', () => {
  it('fills autoscaling/v2 defaults field by field', () => {
    const d = behaviorWithDefaults({ scaleDown: { stabilizationWindowSeconds: 2 } }, 300);
    assert.deepEqual(d.scaleUp, {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    });
    assert.deepEqual(d.scaleDown, { stabilizationWindowSeconds: 2, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
    assert.equal(behaviorWithDefaults({}, 300).scaleDown.stabilizationWindowSeconds, 300);
  });
});

describe('legacy normalisation (no spec.behavior)', () => {
  it('clamps: scale-up limit max(2×, 4), TooManyReplicas, TooFewReplicas, within range', () => {
    assert.deepEqual(convertDesiredReplicasWithRules(3, 20, 1, 10), {
      replicas: 6,
      reason: 'ScaleUpLimit',
      message: 'the desired replica count is increasing faster than the maximum scale rate',
    });
    assert.deepEqual(convertDesiredReplicasWithRules(1, 20, 1, 10).replicas, 4);
    assert.deepEqual(convertDesiredReplicasWithRules(3, 12, 1, 5), {
      replicas: 5,
      reason: 'TooManyReplicas',
      message: 'the desired replica count is more than the maximum replica count',
    });
    assert.deepEqual(convertDesiredReplicasWithRules(3, 0, 2, 5), {
      replicas: 2,
      reason: 'TooFewReplicas',
      message: 'the desired replica count is less than the minimum replica count',
    });
    assert.deepEqual(convertDesiredReplicasWithRules(3, 4, 1, 5), {
      replicas: 4,
      reason: 'DesiredWithinRange',
      message: 'the desired count is within the acceptable range',
    });
  });

  it('a scale down waits for the highest recommendation of the last 5 minutes to age out', () => {
    const c = clock();
    const h = new ScalingHistory(c.now);
    h.recordInitialRecommendation('k', 5);
    c.advance(60);
    let n = h.normalizeDesiredReplicas('k', 5, 2, 1, 10);
    assert.equal(n.desiredReplicas, 5);
    assert.equal(n.ableToScale.reason, 'ScaleDownStabilized');
    assert.equal(n.scalingLimited.status, 'False');
    c.advance(241); // 301 s after the initial 5; the 2 from t=60 is still in the window
    n = h.normalizeDesiredReplicas('k', 5, 2, 1, 10);
    assert.equal(n.desiredReplicas, 2);
    assert.equal(n.ableToScale.reason, 'ReadyForNewScale');
  });

  it('scale up is immediate', () => {
    const h = new ScalingHistory(clock().now);
    h.recordInitialRecommendation('k', 2);
    const n = h.normalizeDesiredReplicas('k', 2, 4, 1, 10);
    assert.deepEqual([n.desiredReplicas, n.scalingLimited.reason], [4, 'DesiredWithinRange']);
  });
});

describe('spec.behavior normalisation', () => {
  it('default scale up: max of +4 pods and +100% per 15 s', () => {
    const h = new ScalingHistory(clock().now);
    const n = h.normalizeDesiredReplicasWithBehaviors(arg({}, 1, 10));
    assert.deepEqual([n.desiredReplicas, n.scalingLimited.status, n.scalingLimited.reason], [5, 'True', 'ScaleUpLimit']);
    assert.equal(h.normalizeDesiredReplicasWithBehaviors(arg({}, 10, 50)).desiredReplicas, 20);
  });

  it('a Percent policy counts replicas already added within its period', () => {
    const c = clock();
    const h = new ScalingHistory(c.now);
    const b: HorizontalPodAutoscalerBehavior = { scaleUp: { policies: [{ type: 'Percent', value: 100, periodSeconds: 60 }] } };
    const full = behaviorWithDefaults(b, 300);
    let n = h.normalizeDesiredReplicasWithBehaviors(arg(b, 2, 10));
    assert.equal(n.desiredReplicas, 4);
    h.storeScaleEvent(full, 'ns/hpa', 2, 4);
    c.advance(10);
    n = h.normalizeDesiredReplicasWithBehaviors(arg(b, 4, 10));
    assert.equal(n.desiredReplicas, 4, 'the period started at 2, so 100% is already spent');
    c.advance(51);
    assert.equal(h.normalizeDesiredReplicasWithBehaviors(arg(b, 4, 10)).desiredReplicas, 8);
  });

  it('selectPolicy Min takes the smallest change; Disabled stops that direction', () => {
    const h = new ScalingHistory(clock().now);
    const min: HorizontalPodAutoscalerBehavior = {
      scaleUp: {
        selectPolicy: 'Min',
        policies: [
          { type: 'Pods', value: 1, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      },
    };
    assert.equal(h.normalizeDesiredReplicasWithBehaviors(arg(min, 4, 10)).desiredReplicas, 5);
    const h2 = new ScalingHistory(clock().now);
    const off: HorizontalPodAutoscalerBehavior = { scaleDown: { selectPolicy: 'Disabled', stabilizationWindowSeconds: 0 } };
    const n = h2.normalizeDesiredReplicasWithBehaviors(arg(off, 6, 2));
    assert.deepEqual([n.desiredReplicas, n.scalingLimited.reason], [6, 'ScaleDownLimit']);
  });

  it('scale down policies: Pods per period, Max picks the larger drop', () => {
    const h = new ScalingHistory(clock().now);
    const b: HorizontalPodAutoscalerBehavior = {
      scaleDown: {
        stabilizationWindowSeconds: 0,
        policies: [
          { type: 'Pods', value: 2, periodSeconds: 60 },
          { type: 'Percent', value: 10, periodSeconds: 60 },
        ],
      },
    };
    assert.equal(h.normalizeDesiredReplicasWithBehaviors(arg(b, 10, 1)).desiredReplicas, 8);
    const h2 = new ScalingHistory(clock().now);
    const pct: HorizontalPodAutoscalerBehavior = {
      scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
    };
    assert.equal(h2.normalizeDesiredReplicasWithBehaviors(arg(pct, 9, 1)).desiredReplicas, 4, 'Percent truncates: 9 × 0.5 → 4');
  });

  it('the scale-down stabilisation window holds the highest recent recommendation', () => {
    const c = clock();
    const h = new ScalingHistory(c.now);
    const b: HorizontalPodAutoscalerBehavior = { scaleDown: { stabilizationWindowSeconds: 2 } };
    h.recordInitialRecommendation('ns/hpa', 4);
    c.advance(1);
    let n = h.normalizeDesiredReplicasWithBehaviors(arg(b, 4, 1));
    assert.deepEqual([n.desiredReplicas, n.ableToScale.reason], [4, 'ScaleDownStabilized']);
    c.advance(1.5);
    n = h.normalizeDesiredReplicasWithBehaviors(arg(b, 4, 1));
    assert.deepEqual([n.desiredReplicas, n.ableToScale.reason], [1, 'ReadyForNewScale']);
  });

  it('a scale-up stabilisation window applies the lowest recent recommendation', () => {
    const c = clock();
    const h = new ScalingHistory(c.now);
    const b: HorizontalPodAutoscalerBehavior = { scaleUp: { stabilizationWindowSeconds: 60 } };
    h.recordInitialRecommendation('ns/hpa', 2);
    c.advance(10);
    const n = h.normalizeDesiredReplicasWithBehaviors(arg(b, 2, 5));
    assert.deepEqual([n.desiredReplicas, n.ableToScale.reason], [2, 'ScaleUpStabilized']);
  });
});
