// NodeResourcesFit's scoring strategies (upstream least_allocated.go,
// most_allocated.go, requested_to_capacity_ratio.go): each maps a node's
// requested and allocatable amounts (with the pod) per resource to 0..100, and
// weights the resources. LeastAllocated spreads; MostAllocated packs (Swarm's
// binpack); RequestedToCapacityRatio follows a broken-linear shape.
import { MAX_NODE_SCORE } from '../../framework/types.js';
import type { ResourceSpec } from './resource_allocation.js';

export type ScoringStrategyType = 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';
export const SCORING_STRATEGY_TYPES: ScoringStrategyType[] = ['LeastAllocated', 'MostAllocated', 'RequestedToCapacityRatio'];

/** A point of RequestedToCapacityRatio's shape: utilization 0..100, score 0..10. */
export interface UtilizationShapePoint {
  utilization: number;
  score: number;
}

export interface ScoringStrategy {
  type: ScoringStrategyType;
  resources: ResourceSpec[];
  requestedToCapacityRatio?: { shape: UtilizationShapePoint[] };
}

/** config.MaxCustomPriorityScore: shape scores run 0..10 and are scaled to 0..MAX_NODE_SCORE. */
export const MAX_CUSTOM_PRIORITY_SCORE = 10;
const MAX_UTILIZATION = 100;

/** The unrequested share of the node, 0..100. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** The requested share of the node, 0..100 (more than capacity counts as full). */
export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  return Math.trunc((Math.min(requested, capacity) * MAX_NODE_SCORE) / capacity);
}

/** helper.BuildBrokenLinearFunction over integer utilization, on a shape already scaled to 0..100. */
export function brokenLinearFunction(shape: UtilizationShapePoint[]): (p: number) => number {
  return (p) => {
    for (let i = 0; i < shape.length; i++) {
      if (p <= shape[i].utilization) {
        if (i === 0) return shape[0].score;
        const [a, b] = [shape[i - 1], shape[i]];
        return a.score + Math.trunc(((b.score - a.score) * (p - a.utilization)) / (b.utilization - a.utilization));
      }
    }
    return shape[shape.length - 1].score;
  };
}

/** The scorer of a strategy: requested and allocatable per resource (in `resources` order) to a node score. */
export function scorerFor(strategy: ScoringStrategy): (requested: number[], allocatable: number[]) => number {
  const resources = strategy.resources;
  if (strategy.type === 'RequestedToCapacityRatio') {
    const scale = MAX_NODE_SCORE / MAX_CUSTOM_PRIORITY_SCORE;
    const raw = brokenLinearFunction((strategy.requestedToCapacityRatio?.shape ?? []).map((p) => ({ utilization: p.utilization, score: p.score * scale })));
    const resourceScore = (requested: number, capacity: number) =>
      capacity === 0 || requested > capacity ? raw(MAX_UTILIZATION) : raw(Math.trunc((requested * MAX_UTILIZATION) / capacity));
    return (requested, allocatable) => {
      let nodeScore = 0;
      let weightSum = 0;
      for (let i = 0; i < requested.length; i++) {
        if (allocatable[i] === 0) continue;
        const s = resourceScore(requested[i], allocatable[i]);
        // Upstream counts only resources that score above zero.
        if (s > 0) {
          nodeScore += s * resources[i].weight;
          weightSum += resources[i].weight;
        }
      }
      return weightSum === 0 ? 0 : Math.round(nodeScore / weightSum);
    };
  }
  const perResource = strategy.type === 'MostAllocated' ? mostRequestedScore : leastRequestedScore;
  return (requested, allocatable) => {
    let nodeScore = 0;
    let weightSum = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      nodeScore += perResource(requested[i], allocatable[i]) * resources[i].weight;
      weightSum += resources[i].weight;
    }
    return weightSum === 0 ? 0 : Math.trunc(nodeScore / weightSum);
  };
}
