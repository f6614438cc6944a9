// Turning a metric proposal into the replica count to apply (horizontal.go
// upstream): stabilisation over recent recommendations, the min/max clamps, and
// either the legacy scale-up limit or spec.behavior's rate policies.
import type { HPAScalingRules, HorizontalPodAutoscalerBehavior } from '../../../api/autoscaling/v2/types.js';

/**
 * A scaling rule with every default filled in. The per-rule tolerance is not read:
 * the controller-wide --horizontal-pod-autoscaler-tolerance applies.
 */
export type ScalingRules = Required<Omit<HPAScalingRules, 'tolerance'>>;

interface TimestampedRecommendation {
  recommendation: number;
  timestamp: number;
}

interface TimestampedScaleEvent {
  replicaChange: number;
  timestamp: number;
  outdated: boolean;
}

/** The normalised count and the AbleToScale / ScalingLimited conditions that explain it. */
export interface Normalized {
  desiredReplicas: number;
  ableToScale: { reason: string; message: string };
  scalingLimited: { status: 'True' | 'False'; reason: string; message: string };
}

export interface NormalizationArg {
  key: string;
  scaleUp: ScalingRules;
  scaleDown: ScalingRules;
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
  desiredReplicas: number;
}

/** Legacy (no spec.behavior) scale-up limit: at most double, or 4, whichever is more. */
const SCALE_UP_LIMIT_FACTOR = 2.0;
const SCALE_UP_LIMIT_MINIMUM = 4.0;

/**
 * spec.behavior with autoscaling/v2's defaults filled in field by field (scale up: no
 * stabilisation, max of +4 pods or +100% per 15 s; scale down: -100% per 15 s, with the
 * controller's --horizontal-pod-autoscaler-downscale-stabilization as the window).
 */
export function behaviorWithDefaults(
  b: HorizontalPodAutoscalerBehavior,
  downscaleStabilizationSeconds: number,
): { scaleUp: ScalingRules; scaleDown: ScalingRules } {
  const up = b.scaleUp ?? {};
  const down = b.scaleDown ?? {};
  return {
    scaleUp: {
      stabilizationWindowSeconds: up.stabilizationWindowSeconds ?? 0,
      selectPolicy: up.selectPolicy ?? 'Max',
      policies: up.policies ?? [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    },
    scaleDown: {
      stabilizationWindowSeconds: down.stabilizationWindowSeconds ?? downscaleStabilizationSeconds,
      selectPolicy: down.selectPolicy ?? 'Max',
      policies: down.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    },
  };
}

/** Replicas added (or removed) by events within the last periodSeconds. */
export function getReplicasChangePerPeriod(periodSeconds: number, events: TimestampedScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let replicas = 0;
  for (const e of events) if (e.timestamp > cutoff) replicas += e.replicaChange;
  return replicas;
}

/** The most replicas the scale-up policies allow now, given what was already added in each period. */
export function calculateScaleUpLimitWithScalingRules(
  currentReplicas: number,
  upEvents: TimestampedScaleEvent[],
  downEvents: TimestampedScaleEvent[],
  rules: ScalingRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const p of rules.policies) {
    const periodStart =
      currentReplicas - getReplicasChangePerPeriod(p.periodSeconds, upEvents, now) + getReplicasChangePerPeriod(p.periodSeconds, downEvents, now);
    // Percent rounds up so that a small target can always grow.
    const proposed = p.type === 'Pods' ? periodStart + p.value : Math.ceil(periodStart * (1 + p.value / 100));
    result = pickMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** The fewest replicas the scale-down policies allow now. */
export function calculateScaleDownLimitWithBehaviors(
  currentReplicas: number,
  upEvents: TimestampedScaleEvent[],
  downEvents: TimestampedScaleEvent[],
  rules: ScalingRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const pickMin = rules.selectPolicy === 'Min'; // the smallest change: the highest floor
  let result = pickMin ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies) {
    const periodStart =
      currentReplicas - getReplicasChangePerPeriod(p.periodSeconds, upEvents, now) + getReplicasChangePerPeriod(p.periodSeconds, downEvents, now);
    const proposed = p.type === 'Pods' ? periodStart - p.value : Math.trunc(periodStart * (1 - p.value / 100));
    result = pickMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** Legacy clamping: [minReplicas, min(maxReplicas, max(2×current, 4))]. */
export function convertDesiredReplicasWithRules(
  currentReplicas: number,
  desiredReplicas: number,
  minReplicas: number,
  maxReplicas: number,
): { replicas: number; reason: string; message: string } {
  const scaleUpLimit = Math.max(SCALE_UP_LIMIT_FACTOR * currentReplicas, SCALE_UP_LIMIT_MINIMUM);
  let maximum: number;
  let reason: string;
  let message: string;
  if (maxReplicas > scaleUpLimit) {
    maximum = scaleUpLimit;
    reason = 'ScaleUpLimit';
    message = 'the desired replica count is increasing faster than the maximum scale rate';
  } else {
    maximum = maxReplicas;
    reason = 'TooManyReplicas';
    message = 'the desired replica count is more than the maximum replica count';
  }
  if (desiredReplicas < minReplicas)
    return { replicas: minReplicas, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
  if (desiredReplicas > maximum) return { replicas: maximum, reason, message };
  return { replicas: desiredReplicas, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
}

const READY_FOR_NEW_SCALE = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };

/** Per-HPA memory of recent recommendations and scale events, kept in process as upstream does. */
export class ScalingHistory {
  private readonly recommendations = new Map<string, TimestampedRecommendation[]>();
  private readonly scaleUpEvents = new Map<string, TimestampedScaleEvent[]>();
  private readonly scaleDownEvents = new Map<string, TimestampedScaleEvent[]>();

  constructor(
    private readonly now: () => number = Date.now,
    readonly downscaleStabilisationWindowMs = 5 * 60_000,
  ) {}

  /** The first sync of an HPA records the current size, so a scale down waits a full window. */
  recordInitialRecommendation(key: string, currentReplicas: number): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ recommendation: currentReplicas, timestamp: this.now() }]);
  }

  forget(key: string): void {
    this.recommendations.delete(key);
    this.scaleUpEvents.delete(key);
    this.scaleDownEvents.delete(key);
  }

  /** Without spec.behavior: the highest recommendation in the downscale window, then the legacy clamps. */
  normalizeDesiredReplicas(key: string, currentReplicas: number, prenormalized: number, minReplicas: number, maxReplicas: number): Normalized {
    const stabilized = this.stabilizeRecommendation(key, prenormalized);
    const ableToScale =
      stabilized !== prenormalized
        ? { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' }
        : READY_FOR_NEW_SCALE;
    const r = convertDesiredReplicasWithRules(currentReplicas, stabilized, minReplicas, maxReplicas);
    return {
      desiredReplicas: r.replicas,
      ableToScale,
      scalingLimited: { status: r.replicas === stabilized ? 'False' : 'True', reason: r.reason, message: r.message },
    };
  }

  /** With spec.behavior: per-direction stabilisation windows, then the rate policies and min/max. */
  normalizeDesiredReplicasWithBehaviors(arg: NormalizationArg): Normalized {
    const { recommendation, reason, message } = this.stabilizeRecommendationWithBehaviors(arg);
    const ableToScale = recommendation !== arg.desiredReplicas ? { reason, message } : READY_FOR_NEW_SCALE;
    const r = this.convertDesiredReplicasWithBehaviorRate({ ...arg, desiredReplicas: recommendation });
    return {
      desiredReplicas: r.replicas,
      ableToScale,
      scalingLimited: { status: r.replicas === recommendation ? 'False' : 'True', reason: r.reason, message: r.message },
    };
  }

  private stabilizeRecommendation(key: string, prenormalized: number): number {
    const now = this.now();
    const cutoff = now - this.downscaleStabilisationWindowMs;
    const recs = this.recommendations.get(key) ?? [];
    let max = prenormalized;
    let oldIndex = -1;
    recs.forEach((r, i) => {
      if (r.timestamp < cutoff) oldIndex = i;
      else if (r.recommendation > max) max = r.recommendation;
    });
    const entry = { recommendation: prenormalized, timestamp: now };
    if (oldIndex >= 0) recs[oldIndex] = entry;
    else recs.push(entry);
    this.recommendations.set(key, recs);
    return max;
  }

  private stabilizeRecommendationWithBehaviors(arg: NormalizationArg): { recommendation: number; reason: string; message: string } {
    const now = this.now();
    const upCutoff = now - arg.scaleUp.stabilizationWindowSeconds * 1000;
    const downCutoff = now - arg.scaleDown.stabilizationWindowSeconds * 1000;
    let up = arg.desiredReplicas;
    let down = arg.desiredReplicas;
    let oldIndex = -1;
    const recs = this.recommendations.get(arg.key) ?? [];
    recs.forEach((r, i) => {
      if (r.timestamp > upCutoff) up = Math.min(r.recommendation, up);
      if (r.timestamp > downCutoff) down = Math.max(r.recommendation, down);
      if (r.timestamp < upCutoff && r.timestamp < downCutoff) oldIndex = i;
    });
    // Scale up only to the lowest, and down only to the highest, recent recommendation.
    let recommendation = arg.currentReplicas;
    if (recommendation < up) recommendation = up;
    if (recommendation > down) recommendation = down;
    const entry = { recommendation: arg.desiredReplicas, timestamp: now };
    if (oldIndex >= 0) recs[oldIndex] = entry;
    else recs.push(entry);
    this.recommendations.set(arg.key, recs);
    if (arg.desiredReplicas >= arg.currentReplicas) {
      return {
        recommendation,
        reason: 'ScaleUpStabilized',
        message: 'recent recommendations were lower than current one, applying the lowest recent recommendation',
      };
    }
    return {
      recommendation,
      reason: 'ScaleDownStabilized',
      message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
    };
  }

  private convertDesiredReplicasWithBehaviorRate(arg: NormalizationArg): { replicas: number; reason: string; message: string } {
    const now = this.now();
    const upEvents = this.scaleUpEvents.get(arg.key) ?? [];
    const downEvents = this.scaleDownEvents.get(arg.key) ?? [];
    if (arg.desiredReplicas > arg.currentReplicas) {
      // Never below current: a limit under it only means "no further growth for now".
      const limit = Math.max(arg.currentReplicas, calculateScaleUpLimitWithScalingRules(arg.currentReplicas, upEvents, downEvents, arg.scaleUp, now));
      let maximum = arg.maxReplicas;
      let reason = 'TooManyReplicas';
      let message = 'the desired replica count is more than the maximum replica count';
      if (maximum > limit) {
        maximum = limit;
        reason = 'ScaleUpLimit';
        message = 'the desired replica count is increasing faster than the maximum scale rate';
      }
      if (arg.desiredReplicas > maximum) return { replicas: maximum, reason, message };
    } else if (arg.desiredReplicas < arg.currentReplicas) {
      const limit = Math.min(arg.currentReplicas, calculateScaleDownLimitWithBehaviors(arg.currentReplicas, upEvents, downEvents, arg.scaleDown, now));
      let minimum = arg.minReplicas;
      let reason = 'TooFewReplicas';
      let message = 'the desired replica count is less than the minimum replica count';
      if (minimum < limit) {
        minimum = limit;
        reason = 'ScaleDownLimit';
        message = 'the desired replica count is decreasing faster than the maximum scale rate';
      }
      if (arg.desiredReplicas < minimum) return { replicas: minimum, reason, message };
    }
    return { replicas: arg.desiredReplicas, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
  }

  /** Remembers a rescale for the rate policies (only HPAs with spec.behavior use them). */
  storeScaleEvent(behavior: { scaleUp: ScalingRules; scaleDown: ScalingRules } | undefined, key: string, prevReplicas: number, newReplicas: number): void {
    if (!behavior) return;
    const up = newReplicas > prevReplicas;
    const map = up ? this.scaleUpEvents : this.scaleDownEvents;
    const rules = up ? behavior.scaleUp : behavior.scaleDown;
    const now = this.now();
    const longest = Math.max(0, ...rules.policies.map((p) => p.periodSeconds));
    const events = map.get(key) ?? [];
    // Events older than the longest period no longer matter; reuse one slot of them.
    for (const e of events) if (e.timestamp < now - longest * 1000) e.outdated = true;
    const entry = { replicaChange: Math.abs(newReplicas - prevReplicas), timestamp: now, outdated: false };
    const i = events.findIndex((e) => e.outdated);
    if (i >= 0) events[i] = entry;
    else events.push(entry);
    map.set(key, events);
  }
}
