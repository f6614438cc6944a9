// DefaultPreemption (PostFilter): when a pod fits nowhere, find a node where
// evicting lower-priority pods makes it fit, pick the node that hurts least,
// evict the victims and nominate the node for the pod.
import type { Pod } from '../../../../api/core/v1/types.js';
import type { PodDisruptionBudget } from '../../../../api/policy/v1/types.js';
import { Code, CycleState, SUCCESS, unschedulable } from '../../framework/types.js';
import type { ClusterLister, NodeInfo, PostFilterPlugin, Profile, Status } from '../../framework/types.js';
import { selectorFromLabelSelector } from '../../../../api/labels/selector.js';
import { newNodeInfo } from '../helper/nodeinfo.js';
import { podPriority } from '../helper/priority.js';

export const NAME = 'DefaultPreemption';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';
export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

/** The writes preemption makes; the scheduler wires it to the apiserver (clientPreemptionWriter). */
export interface PreemptionWriter {
  /** DELETE the victim with a uid precondition. */
  deletePod(victim: Pod, preemptor: Pod, nodeName: string): Promise<void>;
  /** Set the preemptor's status.nominatedNodeName. */
  setNominatedNodeName(pod: Pod, nodeName: string): Promise<void>;
}

export interface Victims {
  pods: Pod[];
  numPDBViolations: number;
}

/** framework.FitError's message: "0/N nodes are available: <count> <reason>, ...." (reasons sorted). */
export function fitErrorMessage(numAllNodes: number, statuses: Map<string, Status>): string {
  const histogram = new Map<string, number>();
  for (const s of statuses.values()) for (const r of s.reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
  const parts = [...histogram].map(([r, n]) => `${n} ${r}`).sort();
  let msg = `0/${numAllNodes} nodes are available:`;
  if (parts.length > 0) msg += ` ${parts.join(', ')}.`;
  return msg;
}

function startTime(p: Pod): number {
  const s = p.status?.startTime ?? p.metadata.creationTimestamp;
  return s ? Date.parse(s) : 0;
}

/** A PDB with an empty or missing selector matches nothing here, as upstream. */
function pdbMatches(pdb: PodDisruptionBudget, pod: Pod): boolean {
  if (pdb.metadata.namespace !== pod.metadata.namespace) return false;
  try {
    const sel = selectorFromLabelSelector(pdb.spec?.selector);
    return !sel.isEmpty() && sel.matches(pod.metadata.labels ?? {});
  } catch {
    return false;
  }
}

/** Splits pods (most important first) into those whose eviction would violate a PDB and the rest. */
export function filterPodsWithPDBViolation(pods: Pod[], pdbs: PodDisruptionBudget[]): { violating: Pod[]; nonViolating: Pod[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const violating: Pod[] = [];
  const nonViolating: Pod[] = [];
  for (const pod of pods) {
    let violated = false;
    if (Object.keys(pod.metadata.labels ?? {}).length > 0) {
      pdbs.forEach((pdb, i) => {
        if (!pdbMatches(pdb, pod)) return;
        if (pod.metadata.name && pdb.status?.disruptedPods?.[pod.metadata.name]) return;
        allowed[i]--;
        if (allowed[i] < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(pod);
  }
  return { violating, nonViolating };
}

/** Upstream's candidate order: fewest PDB violations, lowest top victim priority, smallest priority sum, fewest victims, latest-started top victims. */
export function pickOneNodeForPreemption(candidates: Map<string, Victims>, priorityOf: (p: Pod) => number): string | undefined {
  let names = [...candidates.keys()];
  const narrow = (score: (v: Victims) => number): void => {
    if (names.length <= 1) return;
    let best = -Infinity;
    let kept: string[] = [];
    for (const n of names) {
      const s = score(candidates.get(n)!);
      if (s > best) {
        best = s;
        kept = [n];
      } else if (s === best) kept.push(n);
    }
    names = kept;
  };
  const highest = (v: Victims): number => (v.pods.length === 0 ? -Infinity : Math.max(...v.pods.map(priorityOf)));
  narrow((v) => -v.numPDBViolations);
  narrow((v) => -highest(v));
  narrow((v) => -v.pods.reduce((s, p) => s + priorityOf(p) + 2 ** 31, 0));
  narrow((v) => -v.pods.length);
  narrow((v) => {
    // The earliest start among the highest-priority victims; the latest such node wins.
    const top = highest(v);
    const times = v.pods.filter((p) => priorityOf(p) === top).map(startTime);
    return times.length === 0 ? Infinity : Math.min(...times);
  });
  return names[0];
}

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = NAME;
  constructor(
    private readonly lister: ClusterLister,
    private readonly profile: () => Profile,
    private readonly writer?: PreemptionWriter,
  ) {}

  private priority = (p: Pod): number => podPriority(p, this.lister);

  /** PodEligibleToPreemptOthers: the message when it is not. */
  private notEligible(pod: Pod): string | undefined {
    if (pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
    const nominated = pod.status?.nominatedNodeName;
    if (nominated) {
      const ni = this.lister.nodeInfo(nominated);
      const prio = this.priority(pod);
      if (ni?.pods.some((p) => p.metadata.deletionTimestamp && this.priority(p) < prio)) return 'not eligible due to a terminating pod on the nominated node.';
    }
    return undefined;
  }

  /** Runs the profile's PreFilter and Filter plugins as if `node` were the given NodeInfo. */
  private fits(pod: Pod, all: NodeInfo[], node: NodeInfo): Status {
    const profile = this.profile();
    const name = node.node.metadata.name;
    const nodes = all.map((n) => (n.node.metadata.name === name ? node : n));
    const state = new CycleState();
    for (const p of profile.preFilter) {
      const r = p.preFilter(state, pod, nodes);
      if (r.status.code !== Code.Success && r.status.code !== Code.Skip) return r.status;
    }
    for (const f of profile.filter) {
      const s = f.filter(state, pod, node);
      if (s.code !== Code.Success) return s;
    }
    return SUCCESS;
  }

  /** selectVictimsOnNode: remove every lower-priority pod, then reprieve as many as still lets the pod fit. */
  selectVictimsOnNode(pod: Pod, all: NodeInfo[], ni: NodeInfo, pdbs: PodDisruptionBudget[]): { victims?: Victims; status: Status } {
    const prio = this.priority(pod);
    const potential = ni.pods.filter((p) => this.priority(p) < prio);
    if (potential.length === 0) return { status: { code: Code.UnschedulableAndUnresolvable, reasons: [NO_VICTIMS] } };
    const kept = ni.pods.filter((p) => !potential.includes(p));
    const without = (extra: Pod[]): NodeInfo => newNodeInfo(ni.node, [...kept, ...extra], ni.generation + 1);
    const status = this.fits(pod, all, without([]));
    if (status.code !== Code.Success) return { status };
    // Most important first, so the least important stay victims.
    potential.sort((a, b) => this.priority(b) - this.priority(a) || startTime(a) - startTime(b));
    const { violating, nonViolating } = filterPodsWithPDBViolation(potential, pdbs);
    const victims: Pod[] = [];
    let numPDBViolations = 0;
    const reprieve = (p: Pod, isViolating: boolean): void => {
      kept.push(p);
      if (this.fits(pod, all, without([])).code !== Code.Success) {
        kept.pop();
        victims.push(p);
        if (isViolating) numPDBViolations++;
      }
    };
    for (const p of violating) reprieve(p, true);
    for (const p of nonViolating) reprieve(p, false);
    victims.sort((a, b) => this.priority(b) - this.priority(a));
    return { victims: { pods: victims, numPDBViolations }, status: SUCCESS };
  }

  /** Dry run over the nodes where preemption might help; returns candidates and each other node's status. */
  findCandidates(pod: Pod, filteredStatuses: Map<string, Status>): { candidates: Map<string, Victims>; statuses: Map<string, Status>; numNodes: number } {
    const all = this.lister.nodes();
    const statuses = new Map<string, Status>();
    const potential: NodeInfo[] = [];
    for (const ni of all) {
      const name = ni.node.metadata.name ?? '';
      const s = filteredStatuses.get(name);
      if (s && s.code === Code.Unschedulable) potential.push(ni);
      else statuses.set(name, { code: Code.UnschedulableAndUnresolvable, reasons: [NOT_HELPFUL] });
    }
    const candidates = new Map<string, Victims>();
    const pdbs = this.lister.list('policy/v1', 'poddisruptionbudgets') as PodDisruptionBudget[];
    const wanted = Math.min(potential.length, Math.max(Math.floor((all.length * MIN_CANDIDATE_NODES_PERCENTAGE) / 100), MIN_CANDIDATE_NODES_ABSOLUTE));
    for (const ni of potential) {
      const name = ni.node.metadata.name ?? '';
      const r = this.selectVictimsOnNode(pod, all, ni, pdbs);
      if (r.victims) candidates.set(name, r.victims);
      else statuses.set(name, r.status);
      if (candidates.size >= wanted) break;
    }
    return { candidates, statuses, numNodes: all.length };
  }

  async postFilter(_state: CycleState, pod: Pod, filteredStatuses: Map<string, Status>): Promise<{ status: Status; nominatedNodeName?: string }> {
    const prefix = 'preemption: ';
    const ineligible = this.notEligible(pod);
    if (ineligible) return { status: { ...unschedulable(prefix + ineligible), plugin: NAME } };
    const { candidates, statuses, numNodes } = this.findCandidates(pod, filteredStatuses);
    if (candidates.size === 0) return { status: { ...unschedulable(prefix + fitErrorMessage(numNodes, statuses)), plugin: NAME } };
    const nodeName = pickOneNodeForPreemption(candidates, this.priority)!;
    const victims = candidates.get(nodeName)!;
    if (this.writer) {
      try {
        await Promise.all(victims.pods.map((v) => this.writer!.deletePod(v, pod, nodeName)));
        await this.writer.setNominatedNodeName(pod, nodeName);
      } catch (err) {
        return { status: { code: Code.Error, reasons: [`preemption: ${(err as Error).message}`], plugin: NAME } };
      }
    }
    return { status: SUCCESS, nominatedNodeName: nodeName };
  }
}
