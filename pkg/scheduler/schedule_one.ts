// The scheduling algorithm of kube-scheduler's schedule_one.go, without I/O:
// PreFilter → Filter over (a rotating window of) nodes → PreScore → Score →
// pick the best. Everything here is synchronous, so the cache's NodeInfos cannot
// change under it. The Scheduler (scheduler.ts) drives it and does the writes.
import type { Pod } from '../../api/core/v1/types.js';
import { Code, CycleState, MAX_NODE_SCORE, SUCCESS, type FilterPlugin, type NodeInfo, type Profile, type Status } from './framework/types.js';

/** Upstream minFeasibleNodesToFind / minFeasibleNodesPercentageToFind. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** Upstream ErrNoNodesAvailable. */
export const NO_NODES_AVAILABLE_MSG = 'no nodes available to schedule pods';

/**
 * The pod fits no node: upstream framework.FitError. Its message is the one users read in
 * FailedScheduling events and the PodScheduled condition:
 * "0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu. preemption: …".
 */
export class FitError extends Error {
  private postFilterMsgValue = '';
  constructor(
    readonly pod: Pod,
    readonly numAllNodes: number,
    /** Per node name, why it was rejected. */
    readonly nodeToStatus: Map<string, Status>,
    /** Set when a PreFilter plugin rejected the pod outright (then node statuses are not counted). */
    readonly preFilterMsg = '',
    /** Plugins that rejected the pod (for requeueing on the events they care about). */
    readonly unschedulablePlugins: Set<string> = new Set(),
  ) {
    super(fitErrorMessage(numAllNodes, nodeToStatus, preFilterMsg));
    this.name = 'FitError';
  }

  /** The PostFilter (preemption) outcome, e.g. "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."; appended to the message. */
  get postFilterMsg(): string {
    return this.postFilterMsgValue;
  }

  set postFilterMsg(msg: string) {
    this.postFilterMsgValue = msg;
    this.message = fitErrorMessage(this.numAllNodes, this.nodeToStatus, this.preFilterMsg, msg);
  }
}

/**
 * Upstream FitError.Error(): "0/N nodes are available:" then either the PreFilter message
 * or the per-node reasons counted ("<count> <reason>"), sorted as strings and joined by
 * ", ", each part closed by "."; then the PostFilter (preemption) message the same way.
 */
export function fitErrorMessage(numAllNodes: number, nodeToStatus: Map<string, Status>, preFilterMsg = '', postFilterMsg = ''): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (preFilterMsg) {
    msg += ` ${preFilterMsg}.`;
  } else {
    const counts = new Map<string, number>();
    for (const st of nodeToStatus.values()) for (const r of st.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    // Go's sort.Strings: byte order, which for these ASCII strings is JS's default sort.
    const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort();
    if (parts.length) msg += ` ${parts.join(', ')}.`;
  }
  if (postFilterMsg) msg += ` ${postFilterMsg}.`;
  return msg;
}

/** Upstream Status.Message(): reasons joined by ", ". */
export function statusMessage(st: Status): string {
  return st.reasons.join(', ');
}

/**
 * How many feasible nodes to look for before stopping the search (upstream numFeasibleNodesToFind):
 * all below 100 nodes; otherwise percentage% (adaptive 50 − nodes/125, at least 5) but at least 100.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND || percentageOfNodesToScore >= 100) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage <= 0) {
    percentage = 50 - Math.trunc(numAllNodes / 125);
    if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * percentage) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

export interface ScheduleResult {
  suggestedHost: string;
  evaluatedNodes: number;
  feasibleNodes: number;
}

export interface AlgorithmState {
  /** Where the next Filter pass starts, so successive pods spread the search over all nodes. */
  nextStartNodeIndex: number;
  percentageOfNodesToScore?: number;
  random?: () => number;
}

function withPlugin(st: Status, plugin: string): Status {
  return st.plugin ? st : { ...st, plugin };
}

/** A plugin returned Code.Error: the attempt fails and the pod backs off (not a FitError). */
export class PluginError extends Error {}

/** The Filter plugins to run this cycle: those whose PreFilter did not return Skip. */
function activeFilters(profile: Profile, skip: Set<string>): FilterPlugin[] {
  return skip.size === 0 ? profile.filter : profile.filter.filter((pl) => !skip.has(pl.name));
}

function runFilters(filters: FilterPlugin[], state: CycleState, pod: Pod, info: NodeInfo): Status {
  for (let i = 0; i < filters.length; i++) {
    const pl = filters[i];
    const st = pl.filter(state, pod, info);
    if (st.code === Code.Success || st.code === Code.Skip) continue;
    if (st.code === Code.Error) throw new PluginError(`running "${pl.name}" filter plugin: ${statusMessage(st)}`);
    return withPlugin(st, pl.name);
  }
  return SUCCESS;
}

/**
 * Upstream schedulePod: the host for pod among nodes, or a FitError (PostFilter is left
 * to the caller, because it is asynchronous). Throws PluginError on plugin errors.
 */
export function schedulePod(profile: Profile, state: CycleState, pod: Pod, allNodes: NodeInfo[], alg: AlgorithmState): ScheduleResult {
  if (allNodes.length === 0) throw new PluginError(NO_NODES_AVAILABLE_MSG);
  const { feasible, nodeToStatus, evaluated } = findNodesThatFitPod(profile, state, pod, allNodes, alg);
  if (feasible.length === 0) {
    const plugins = new Set<string>();
    for (const st of nodeToStatus.values()) if (st.plugin) plugins.add(st.plugin);
    throw new FitError(pod, allNodes.length, nodeToStatus, '', plugins);
  }
  if (feasible.length === 1) return { suggestedHost: feasible[0].node.metadata.name ?? '', evaluatedNodes: evaluated, feasibleNodes: 1 };
  const totals = scoreNodes(profile, state, pod, feasible);
  return { suggestedHost: selectHostIndexed(feasible, totals, alg.random ?? Math.random), evaluatedNodes: evaluated, feasibleNodes: feasible.length };
}

export function findNodesThatFitPod(
  profile: Profile,
  state: CycleState,
  pod: Pod,
  allNodes: NodeInfo[],
  alg: AlgorithmState,
): { feasible: NodeInfo[]; nodeToStatus: Map<string, Status>; evaluated: number } {
  const nodeToStatus = new Map<string, Status>();
  // PreFilter: any rejection fails the pod on every node; node-name sets are intersected.
  const skipFilter = new Set<string>();
  let allowed: Set<string> | undefined;
  const narrowing: string[] = [];
  for (const pl of profile.preFilter) {
    const r = pl.preFilter(state, pod, allNodes);
    const st = r.status;
    if (st.code === Code.Skip) {
      skipFilter.add(pl.name);
      continue;
    }
    if (st.code === Code.Error) throw new PluginError(`running PreFilter plugin "${pl.name}": ${statusMessage(st)}`);
    if (st.code !== Code.Success) {
      const s = withPlugin(st, pl.name);
      for (const n of allNodes) nodeToStatus.set(n.node.metadata.name ?? '', s);
      throw new FitError(pod, allNodes.length, nodeToStatus, statusMessage(st), new Set([pl.name]));
    }
    if (r.nodeNames) {
      narrowing.push(pl.name);
      allowed = allowed ? new Set([...allowed].filter((n) => r.nodeNames?.has(n))) : new Set(r.nodeNames);
    }
  }
  let nodes = allNodes;
  if (allowed) {
    const plugins = [...narrowing].sort();
    if (allowed.size === 0) {
      const msg =
        plugins.length > 1
          ? `node(s) didn't satisfy plugin(s) [${plugins.join(' ')}] simultaneously`
          : `node(s) didn't satisfy plugin(s) [${plugins.join(' ')}]`;
      const s: Status = { code: Code.UnschedulableAndUnresolvable, reasons: [msg], plugin: plugins[0] };
      for (const n of allNodes) nodeToStatus.set(n.node.metadata.name ?? '', s);
      throw new FitError(pod, allNodes.length, nodeToStatus, msg, new Set(plugins));
    }
    const absent: Status = {
      code: Code.UnschedulableAndUnresolvable,
      reasons: [`node(s) didn't satisfy plugin(s) [${plugins.join(' ')}]`],
      plugin: plugins[0],
    };
    nodes = [];
    for (const n of allNodes) {
      const name = n.node.metadata.name ?? '';
      if (allowed.has(name)) nodes.push(n);
      else nodeToStatus.set(name, absent);
    }
  }
  const filters = activeFilters(profile, skipFilter);

  // A pod that preempted for a node is tried there first (upstream evaluateNominatedNode).
  const nominated = pod.status?.nominatedNodeName;
  if (nominated) {
    const info = nodes.find((n) => n.node.metadata.name === nominated);
    if (info && runFilters(filters, state, pod, info).code === Code.Success) {
      return { feasible: [info], nodeToStatus, evaluated: 1 };
    }
  }

  const numToFind = numFeasibleNodesToFind(nodes.length, alg.percentageOfNodesToScore);
  const feasible: NodeInfo[] = [];
  const n = nodes.length;
  const start = n ? alg.nextStartNodeIndex % n : 0;
  let processed = 0;
  for (let i = 0, j = start; i < n && feasible.length < numToFind; i++) {
    const info = nodes[j];
    if (++j === n) j = 0;
    processed++;
    const st = filters.length ? runFilters(filters, state, pod, info) : SUCCESS;
    if (st.code === Code.Success) feasible.push(info);
    else nodeToStatus.set(info.node.metadata.name ?? '', st);
  }
  alg.nextStartNodeIndex = n ? (start + processed) % n : 0;
  return { feasible, nodeToStatus, evaluated: processed };
}

/**
 * PreScore then Score: the weighted sum of each plugin's (normalized) score, per node in
 * the order of nodes. Raw scores live in one array per plugin; only a plugin that
 * normalizes gets them as the name-keyed map its NormalizeScore takes.
 */
export function scoreNodes(profile: Profile, state: CycleState, pod: Pod, nodes: NodeInfo[]): Float64Array {
  const totals = new Float64Array(nodes.length);
  if (profile.score.length === 0) return totals;
  const skip = new Set<string>();
  for (const pl of profile.preScore) {
    const st = pl.preScore(state, pod, nodes);
    if (st.code === Code.Skip) skip.add(pl.name);
    else if (st.code !== Code.Success) throw new PluginError(`running PreScore plugin "${pl.name}": ${statusMessage(st)}`);
  }
  const raw = new Float64Array(nodes.length);
  for (const pl of profile.score) {
    if (skip.has(pl.name)) continue;
    for (let i = 0; i < nodes.length; i++) raw[i] = pl.score(state, pod, nodes[i]);
    if (pl.normalizeScores) {
      const byName = new Map<string, number>();
      for (let i = 0; i < nodes.length; i++) byName.set(nodes[i].node.metadata.name ?? '', raw[i]);
      pl.normalizeScores(state, pod, byName);
      for (let i = 0; i < nodes.length; i++) raw[i] = byName.get(nodes[i].node.metadata.name ?? '') ?? 0;
    }
    const w = pl.weight;
    for (let i = 0; i < nodes.length; i++) {
      const s = raw[i];
      if (!(s >= 0 && s <= MAX_NODE_SCORE)) {
        throw new PluginError(`plugin "${pl.name}" returns an invalid score ${s}, it should in the range of [0, ${MAX_NODE_SCORE}] after normalizing`);
      }
      totals[i] += s * w;
    }
  }
  return totals;
}

/** PreScore then Score, as a map from node name to the weighted sum (see scoreNodes). */
export function prioritizeNodes(profile: Profile, state: CycleState, pod: Pod, nodes: NodeInfo[]): Map<string, number> {
  const totals = scoreNodes(profile, state, pod, nodes);
  const out = new Map<string, number>();
  for (let i = 0; i < nodes.length; i++) out.set(nodes[i].node.metadata.name ?? '', totals[i]);
  return out;
}

/** The highest-scoring node; ties broken uniformly at random (upstream's reservoir sampling). */
function selectHostIndexed(nodes: NodeInfo[], totals: ArrayLike<number>, random: () => number): string {
  let best = -1;
  let bestScore = -Infinity;
  let ties = 0;
  for (let i = 0; i < nodes.length; i++) {
    const s = totals[i];
    if (s > bestScore) {
      best = i;
      bestScore = s;
      ties = 1;
    } else if (s === bestScore) {
      ties++;
      if (random() * ties < 1) best = i;
    }
  }
  return best < 0 ? '' : (nodes[best].node.metadata.name ?? '');
}

/** The highest-scoring node; ties broken uniformly at random (upstream's reservoir sampling). */
export function selectHost(nodes: NodeInfo[], scores: Map<string, number>, random: () => number = Math.random): string {
  return selectHostIndexed(
    nodes,
    nodes.map((n) => scores.get(n.node.metadata.name ?? '') ?? 0),
    random,
  );
}

export { CycleState };
