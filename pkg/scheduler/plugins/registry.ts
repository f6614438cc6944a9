// The default profile: kube-scheduler's default plugins, in its order, with its weights.
import type { ClusterLister, FilterPlugin, PreFilterPlugin, PreScorePlugin, Profile, ScorePlugin } from '../framework/types.js';
import { NodeUnschedulable } from './nodeunschedulable/node_unschedulable.js';
import { NodeName } from './nodename/node_name.js';
import { TaintToleration } from './tainttoleration/taint_toleration.js';
import { NodeAffinity } from './nodeaffinity/node_affinity.js';
import { NodePorts } from './nodeports/node_ports.js';
import { NodeResourcesFit } from './noderesources/fit.js';
import { VolumeBinding } from './volumebinding/volume_binding.js';
import { PodTopologySpread } from './podtopologyspread/plugin.js';
import { InterPodAffinity } from './interpodaffinity/plugin.js';
import { DefaultPreemption } from './defaultpreemption/default_preemption.js';
import type { PreemptionWriter } from './defaultpreemption/default_preemption.js';
import { BalancedAllocation } from './noderesources/balanced_allocation.js';
import { ImageLocality } from './imagelocality/image_locality.js';

export type { PreemptionWriter } from './defaultpreemption/default_preemption.js';
export { clientPreemptionWriter } from './defaultpreemption/client_writer.js';

type AnyPlugin = { name: string } & Partial<PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin>;

/**
 * Builds the default-scheduler profile. Without a preemptionWriter, preemption
 * still dry-runs and nominates but evicts nothing; the scheduler binary passes
 * clientPreemptionWriter(client).
 */
export function defaultProfile(lister: ClusterLister, schedulerName = 'default-scheduler', opts: { preemptionWriter?: PreemptionWriter } = {}): Profile {
  // Upstream's MultiPoint order (apis/config/v1/default_plugins.go).
  const plugins: AnyPlugin[] = [
    new NodeUnschedulable(),
    new NodeName(),
    new TaintToleration(),
    new NodeAffinity(),
    new NodePorts(),
    new NodeResourcesFit(),
    new VolumeBinding(lister),
    new PodTopologySpread(lister),
    new InterPodAffinity(lister),
    new BalancedAllocation(),
    new ImageLocality(lister),
  ];
  const profile: Profile = {
    schedulerName,
    preFilter: plugins.filter((p): p is AnyPlugin & PreFilterPlugin => typeof p.preFilter === 'function'),
    filter: plugins.filter((p): p is AnyPlugin & FilterPlugin => typeof p.filter === 'function'),
    postFilter: [],
    preScore: plugins.filter((p): p is AnyPlugin & PreScorePlugin => typeof p.preScore === 'function'),
    score: plugins.filter((p): p is AnyPlugin & ScorePlugin => typeof p.score === 'function' && typeof p.weight === 'number'),
    reserve: [],
  };
  profile.postFilter.push(new DefaultPreemption(lister, () => profile, opts.preemptionWriter));
  return profile;
}
