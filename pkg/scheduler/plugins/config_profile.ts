// Profiles from a KubeSchedulerConfiguration, as upstream's framework runtime
// builds them: the default plugins (multiPoint, with their weights) less what a
// profile disables, plus what it enables, expanded onto each extension point; a
// point's own enabled plugins that are also multi-point come first, then the
// other multi-point ones, then the rest. Score weights: the point's entry, else
// the multi-point one, else the plugin's default. Errors are upstream's words.
import type {
  KubeSchedulerConfiguration,
  KubeSchedulerProfile,
  NodeResourcesBalancedAllocationArgs,
  NodeResourcesFitArgs,
  Plugin as PluginRef,
  PluginSet,
} from '../apis/config/types.js';
import type { ClusterLister, CycleState, NodeInfo, Plugin, Profile, ScorePlugin } from '../framework/types.js';
import type { Pod } from '../../../api/core/v1/types.js';
import { NodeUnschedulable } from './nodeunschedulable/node_unschedulable.js';
import { NodeName } from './nodename/node_name.js';
import { TaintToleration } from './tainttoleration/taint_toleration.js';
import { NodeAffinity } from './nodeaffinity/node_affinity.js';
import { NodePorts } from './nodeports/node_ports.js';
import { NodeResourcesFit } from './noderesources/fit.js';
import { VolumeBinding } from './volumebinding/volume_binding.js';
import { PodTopologySpread } from './podtopologyspread/plugin.js';
import { InterPodAffinity } from './interpodaffinity/plugin.js';
import { DefaultPreemption, type PreemptionWriter } from './defaultpreemption/default_preemption.js';
import { BalancedAllocation } from './noderesources/balanced_allocation.js';
import { ImageLocality } from './imagelocality/image_locality.js';

interface Handle {
  lister: ClusterLister;
  /** The profile being built (DefaultPreemption dry-runs the filters of its own profile). */
  profile: () => Profile;
  preemptionWriter?: PreemptionWriter;
  args?: unknown;
}

/** The in-tree plugins this scheduler has, by upstream name. */
const REGISTRY = new Map<string, (h: Handle) => Plugin>([
  ['NodeUnschedulable', () => new NodeUnschedulable()],
  ['NodeName', () => new NodeName()],
  ['TaintToleration', () => new TaintToleration()],
  ['NodeAffinity', () => new NodeAffinity()],
  ['NodePorts', () => new NodePorts()],
  ['NodeResourcesFit', (h) => new NodeResourcesFit((h.args ?? {}) as NodeResourcesFitArgs)],
  ['VolumeBinding', (h) => new VolumeBinding(h.lister)],
  ['PodTopologySpread', (h) => new PodTopologySpread(h.lister)],
  ['InterPodAffinity', (h) => new InterPodAffinity(h.lister)],
  ['DefaultPreemption', (h) => new DefaultPreemption(h.lister, h.profile, h.preemptionWriter)],
  [
    'NodeResourcesBalancedAllocation',
    (h) =>
      new BalancedAllocation(
        (h.args as NodeResourcesBalancedAllocationArgs | undefined)?.resources?.length ? (h.args as NodeResourcesBalancedAllocationArgs).resources : undefined,
      ),
  ],
  ['ImageLocality', (h) => new ImageLocality(h.lister)],
]);

/** Plugins whose arguments a pluginConfig may set here. */
const TAKES_ARGS = new Set(['NodeResourcesFit', 'NodeResourcesBalancedAllocation']);

/**
 * Upstream plugin names that are accepted and have no plugin object here: the queue's
 * priority order and the binder are built in; the rest are not implemented.
 */
const IMPLICIT = new Set(['PrioritySort', 'DefaultBinder', 'SchedulingGates', 'VolumeRestrictions', 'NodeVolumeLimits', 'VolumeZone']);

/** Upstream's v1 default plugins (default_plugins.go), in order, with their score weights. */
export const DEFAULT_MULTI_POINT: PluginRef[] = [
  { name: 'SchedulingGates' },
  { name: 'PrioritySort' },
  { name: 'NodeUnschedulable' },
  { name: 'NodeName' },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts' },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'VolumeRestrictions' },
  { name: 'NodeVolumeLimits' },
  { name: 'VolumeBinding' },
  { name: 'VolumeZone' },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'DefaultPreemption' },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'ImageLocality', weight: 1 },
  { name: 'DefaultBinder' },
];

/** The points a Profile runs, with the method that marks a plugin as taking part and upstream's interface name. */
const POINTS = [
  ['preFilter', 'preFilter', 'PreFilterPlugin'],
  ['filter', 'filter', 'FilterPlugin'],
  ['postFilter', 'postFilter', 'PostFilterPlugin'],
  ['preScore', 'preScore', 'PreScorePlugin'],
  ['score', 'score', 'ScorePlugin'],
  ['reserve', 'reserve', 'ReservePlugin'],
] as const;

/** Points upstream has that this scheduler runs only through built-in behaviour. */
const OTHER_POINTS = [
  ['preEnqueue', 'PreEnqueuePlugin'],
  ['queueSort', 'QueueSortPlugin'],
  ['permit', 'PermitPlugin'],
  ['preBind', 'PreBindPlugin'],
  ['bind', 'BindPlugin'],
  ['postBind', 'PostBindPlugin'],
] as const;

const implementsPoint = (p: Plugin, method: string) => typeof (p as unknown as Record<string, unknown>)[method] === 'function';

/** A score plugin at another weight than its own default. */
class WeightedScorePlugin implements ScorePlugin {
  readonly name: string;
  readonly normalizeScores?: ScorePlugin['normalizeScores'];
  constructor(
    private readonly inner: ScorePlugin,
    readonly weight: number,
  ) {
    this.name = inner.name;
    if (inner.normalizeScores) this.normalizeScores = (state, pod, scores) => inner.normalizeScores?.(state, pod, scores);
  }
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    return this.inner.score(state, pod, nodeInfo);
  }
}

/** mergePlugins for multiPoint: the defaults less the disabled ("*": all), then the enabled (an enabled default moves to its new place). */
function multiPointPlugins(custom: PluginSet | undefined): PluginRef[] {
  const disabled = new Set((custom?.disabled ?? []).map((p) => p.name));
  const enabled = custom?.enabled ?? [];
  const kept = disabled.has('*') ? [] : DEFAULT_MULTI_POINT.filter((p) => !disabled.has(p.name));
  // A default the profile enables again keeps its place, with the profile's weight.
  const out = kept.map((p) => enabled.find((e) => e.name === p.name) ?? p);
  for (const p of enabled) if (!out.some((o) => o.name === p.name)) out.push(p);
  return out;
}

/** One profile: its plugin objects placed on the extension points (frameworkruntime.NewFramework). */
export function profileFromConfig(lister: ClusterLister, cfg: KubeSchedulerProfile, opts: { preemptionWriter?: PreemptionWriter } = {}): Profile {
  const schedulerName = cfg.schedulerName ?? 'default-scheduler';
  const fail = (msg: string): never => {
    throw new Error(`initializing profiles: creating profile for scheduler name ${schedulerName}: ${msg}`);
  };
  const plugins = cfg.plugins ?? {};
  const args = new Map<string, unknown>();
  for (const pc of cfg.pluginConfig ?? []) {
    if (!REGISTRY.has(pc.name) && !IMPLICIT.has(pc.name)) fail(`plugin "${pc.name}" does not exist`);
    if (pc.args !== undefined && !TAKES_ARGS.has(pc.name))
      fail(`initializing plugin "${pc.name}": arguments for this plugin are not supported by this scheduler`);
    args.set(pc.name, pc.args);
  }
  const profile: Profile = { schedulerName, preFilter: [], filter: [], postFilter: [], preScore: [], score: [], reserve: [] };
  if (cfg.percentageOfNodesToScore !== undefined) profile.percentageOfNodesToScore = cfg.percentageOfNodesToScore;
  const instances = new Map<string, Plugin>();
  const instance = (name: string): Plugin | undefined => {
    if (IMPLICIT.has(name)) return undefined;
    let p = instances.get(name);
    if (!p) {
      const factory = REGISTRY.get(name);
      if (!factory) return undefined;
      p = factory({ lister, profile: () => profile, preemptionWriter: opts.preemptionWriter, args: args.get(name) });
      instances.set(name, p);
    }
    return p;
  };
  const multiPoint = multiPointPlugins(plugins.multiPoint);
  for (const p of multiPoint) if (!REGISTRY.has(p.name) && !IMPLICIT.has(p.name)) fail(`plugin "${p.name}" does not exist`);
  for (const [point, iface] of OTHER_POINTS)
    for (const p of plugins[point]?.enabled ?? [])
      if (!IMPLICIT.has(p.name)) fail(REGISTRY.has(p.name) ? `plugin "${p.name}" does not extend ${iface} plugin` : `${iface} "${p.name}" does not exist`);

  for (const [point, method, iface] of POINTS) {
    const set = plugins[point] ?? {};
    const disabled = new Set((set.disabled ?? []).map((p) => p.name));
    const enabled = set.enabled ?? [];
    const seen = new Set<string>();
    for (const p of enabled) {
      if (seen.has(p.name)) fail(`plugin "${p.name}" already registered as "${iface}"`);
      seen.add(p.name);
      if (IMPLICIT.has(p.name)) continue;
      if (!REGISTRY.has(p.name)) fail(`${iface} "${p.name}" does not exist`);
      if (!implementsPoint(instance(p.name) as Plugin, method)) fail(`plugin "${p.name}" does not extend ${iface} plugin`);
    }
    const multi = disabled.has('*')
      ? []
      : multiPoint.filter((p) => !disabled.has(p.name) && !IMPLICIT.has(p.name) && implementsPoint(instance(p.name) as Plugin, method));
    const multiNames = new Set(multi.map((p) => p.name));
    const specific = enabled.filter((p) => !IMPLICIT.has(p.name));
    const ordered = [
      ...specific.filter((p) => multiNames.has(p.name)),
      ...multi.filter((p) => !seen.has(p.name)),
      ...specific.filter((p) => !multiNames.has(p.name)),
    ];
    for (const ref of ordered) {
      const p = instance(ref.name) as Plugin;
      if (point === 'score') {
        const own = (p as ScorePlugin).weight;
        const weight = ref.weight || multiPoint.find((m) => m.name === ref.name)?.weight || own || 1;
        profile.score.push(weight === own ? (p as ScorePlugin) : new WeightedScorePlugin(p as ScorePlugin, weight));
      } else {
        (profile[point] as Plugin[]).push(p);
      }
    }
  }
  return profile;
}

/** Every profile of the configuration, in its order. */
export function profilesFromConfig(lister: ClusterLister, cfg: KubeSchedulerConfiguration, opts: { preemptionWriter?: PreemptionWriter } = {}): Profile[] {
  return (cfg.profiles ?? [{}]).map((p) => profileFromConfig(lister, p, opts));
}
