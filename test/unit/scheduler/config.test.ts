// The scheduler's --config: a KubeSchedulerConfiguration decoded strictly,
// defaulted and validated with upstream's messages; profiles built from it
// (plugins enabled and disabled per extension point, weights, NodeResourcesFit's
// scoring strategies); and those strategies' scores.
import { describe, expect, test } from '@jest/globals';
import { parseKubeSchedulerConfiguration } from '../../../pkg/scheduler/apis/config/load.js';
import { profileFromConfig, profilesFromConfig } from '../../../pkg/scheduler/plugins/config_profile.js';
import { defaultProfile } from '../../../pkg/scheduler/plugins/registry.js';
import { CycleState, type ClusterLister, type Profile, type ScorePlugin } from '../../../pkg/scheduler/framework/types.js';
import { NodeResourcesFit } from '../../../pkg/scheduler/plugins/noderesources/fit.js';
import { brokenLinearFunction } from '../../../pkg/scheduler/plugins/noderesources/scoring.js';
import { makeNode, makePod, nodeInfo, scoreWith } from './plugins/fixtures.js';

const lister: ClusterLister = { nodes: () => [], nodeInfo: () => undefined, get: () => undefined, list: () => [] };
const HEAD = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';
const parse = (body: string) => parseKubeSchedulerConfiguration(HEAD + body);

/** The plugin names per extension point, with score weights. */
function shape(p: Profile) {
  return {
    preFilter: p.preFilter.map((x) => x.name),
    filter: p.filter.map((x) => x.name),
    postFilter: p.postFilter.map((x) => x.name),
    preScore: p.preScore.map((x) => x.name),
    score: p.score.map((x) => `${x.name}:${x.weight}`),
    reserve: p.reserve.map((x) => x.name),
  };
}

describe('KubeSchedulerConfiguration', () => {
  test('defaults: one default-scheduler profile that is the built-in default profile', () => {
    const cfg = parse('');
    expect(cfg.profiles).toEqual([{ schedulerName: 'default-scheduler' }]);
    expect([cfg.parallelism, cfg.podInitialBackoffSeconds, cfg.podMaxBackoffSeconds]).toEqual([16, 1, 10]);
    expect(shape(profilesFromConfig(lister, cfg)[0])).toEqual(shape(defaultProfile(lister)));
  });

  test('refuses another version, a missing kind, unknown fields and wrong types', () => {
    expect(() => parseKubeSchedulerConfiguration('apiVersion: kubescheduler.config.k8s.io/v1beta3\nkind: KubeSchedulerConfiguration\n')).toThrow(
      'no kind "KubeSchedulerConfiguration" is registered for version "kubescheduler.config.k8s.io/v1beta3"',
    );
    expect(() => parseKubeSchedulerConfiguration('apiVersion: kubescheduler.config.k8s.io/v1\n')).toThrow("Object 'Kind' is missing");
    expect(() => parse('profiles:\n- schedulerName: a\n  plugin: {}\n')).toThrow('strict decoding error: unknown field "profiles[0].plugin"');
    expect(() => parse('profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args: {scoringStrategy: {typ: MostAllocated}}\n')).toThrow(
      'strict decoding error: unknown field "profiles[0].pluginConfig[0].args.scoringStrategy.typ"',
    );
    expect(() => parse('parallelism: "4"\n')).toThrow('json: cannot unmarshal string into field parallelism of type number');
  });

  test("validation errors in upstream's words, all of them at once", () => {
    expect(() => parse('percentageOfNodesToScore: 120\n')).toThrow(/^percentageOfNodesToScore: Invalid value: 120: not in valid range \[0-100\]$/);
    let message = '';
    try {
      parse(
        [
          'parallelism: 0',
          'podInitialBackoffSeconds: 5',
          'podMaxBackoffSeconds: 2',
          'profiles:',
          '- schedulerName: a',
          '  percentageOfNodesToScore: -1',
          '- schedulerName: a',
          '- {}',
          '',
        ].join('\n'),
      );
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      '[parallelism: Invalid value: 0: should be an integer value greater than zero, ' +
        'profiles[0].percentageOfNodesToScore: Invalid value: -1: not in valid range [0-100], ' +
        'profiles[1].schedulerName: Duplicate value: "profiles[0].schedulerName", ' +
        'profiles[2].schedulerName: Required value, ' +
        'podMaxBackoffSeconds: Invalid value: 2: must be greater than or equal to PodInitialBackoffSeconds]',
    );
  });

  test('NodeResourcesFit arguments: defaults and validation', () => {
    const cfg = parse('profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args: {scoringStrategy: {type: MostAllocated}}\n');
    expect(cfg.profiles?.[0].pluginConfig?.[0].args).toEqual({
      scoringStrategy: {
        type: 'MostAllocated',
        resources: [
          { name: 'cpu', weight: 1 },
          { name: 'memory', weight: 1 },
        ],
      },
    });
    const fit = (args: string) => () => parse(`profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args: ${args}\n`);
    const p = 'profiles[0].pluginConfig[0].args.scoringStrategy';
    expect(fit('{scoringStrategy: {type: Binpack}}')).toThrow(
      `${p}.type: Unsupported value: "Binpack": supported values: "LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"`,
    );
    expect(fit('{scoringStrategy: {type: MostAllocated, resources: [{name: cpu, weight: 101}]}}')).toThrow(
      `${p}.resources[0].weight: Invalid value: 101: resource weight of cpu not in valid range (0, 100]`,
    );
    expect(fit('{scoringStrategy: {type: RequestedToCapacityRatio}}')).toThrow(
      `${p}.requestedToCapacityRatio: Required value: must be specified when type is RequestedToCapacityRatio`,
    );
    expect(
      fit(
        '{scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: [{utilization: 50, score: 1}, {utilization: 40, score: 11}]}}}',
      ),
    ).toThrow(
      `[${p}.requestedToCapacityRatio.shape[1].utilization: Invalid value: 40: values must be sorted in increasing order, ${p}.requestedToCapacityRatio.shape[1].score: Invalid value: 11: not in valid range [0, 10]]`,
    );
    expect(fit('{scoringStrategy: {type: LeastAllocated, requestedToCapacityRatio: {shape: []}}}')).toThrow(
      `${p}.requestedToCapacityRatio: Forbidden: must be nil when type is not RequestedToCapacityRatio`,
    );
    expect(() => parse('profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n  - name: NodeResourcesFit\n')).toThrow(
      'profiles[0].pluginConfig[1]: Duplicate value: "NodeResourcesFit"',
    );
  });
});

describe('profiles from the configuration', () => {
  test('plugins disabled and enabled per extension point, and score weights', () => {
    const cfg = parse(
      [
        'profiles:',
        '- schedulerName: custom',
        '  percentageOfNodesToScore: 50',
        '  plugins:',
        '    score:',
        '      disabled: [{name: ImageLocality}, {name: NodeResourcesBalancedAllocation}]',
        '      enabled: [{name: NodeResourcesFit, weight: 5}]',
        '    filter:',
        '      disabled: [{name: "*"}]',
        '      enabled: [{name: NodeName}, {name: NodeResourcesFit}]',
        '    multiPoint:',
        '      disabled: [{name: InterPodAffinity}]',
        '',
      ].join('\n'),
    );
    const p = profileFromConfig(lister, cfg.profiles![0]);
    expect(p.schedulerName).toBe('custom');
    expect(p.percentageOfNodesToScore).toBe(50);
    const s = shape(p);
    expect(s.filter).toEqual(['NodeName', 'NodeResourcesFit']);
    expect(s.score).toEqual(['NodeResourcesFit:5', 'TaintToleration:3', 'NodeAffinity:2', 'PodTopologySpread:2']);
    expect(s.preFilter).not.toContain('InterPodAffinity');
    expect(s.postFilter).toEqual(['DefaultPreemption']);
  });

  test('several profiles, each its own plugins; queue sort and binder are accepted', () => {
    const cfg = parse(
      [
        'profiles:',
        '- schedulerName: default-scheduler',
        '- schedulerName: binpack',
        '  plugins:',
        '    queueSort: {enabled: [{name: PrioritySort}]}',
        '    bind: {enabled: [{name: DefaultBinder}]}',
        '  pluginConfig:',
        '  - name: NodeResourcesFit',
        '    args: {scoringStrategy: {type: MostAllocated}}',
        '',
      ].join('\n'),
    );
    const [a, b] = profilesFromConfig(lister, cfg);
    const fitOf = (p: Profile) => p.score.find((x) => x.name === 'NodeResourcesFit') as unknown as NodeResourcesFit;
    expect(fitOf(a).strategy.type).toBe('LeastAllocated');
    expect(fitOf(b).strategy.type).toBe('MostAllocated');
    expect(fitOf(a)).not.toBe(fitOf(b));
  });

  test("errors building a profile, in the framework's words", () => {
    const build = (yaml: string) => () => profilesFromConfig(lister, parse(yaml));
    expect(build('profiles:\n- plugins: {filter: {enabled: [{name: Nope}]}}\n')).toThrow(
      'initializing profiles: creating profile for scheduler name default-scheduler: FilterPlugin "Nope" does not exist',
    );
    expect(build('profiles:\n- plugins: {filter: {enabled: [{name: ImageLocality}]}}\n')).toThrow('plugin "ImageLocality" does not extend FilterPlugin plugin');
    expect(build('profiles:\n- plugins: {multiPoint: {enabled: [{name: Nope}]}}\n')).toThrow('plugin "Nope" does not exist');
    expect(build('profiles:\n- plugins: {bind: {enabled: [{name: NodeName}]}}\n')).toThrow('plugin "NodeName" does not extend BindPlugin plugin');
    expect(build('profiles:\n- pluginConfig: [{name: InterPodAffinity, args: {hardPodAffinityWeight: 1}}]\n')).toThrow(
      'initializing plugin "InterPodAffinity": arguments for this plugin are not supported',
    );
  });
});

describe('NodeResourcesFit scoring strategies', () => {
  // Two nodes of 4 cpu / 8Gi: one already half used, one empty; the pod asks for 1 cpu / 2Gi.
  const used = nodeInfo(makeNode('used'), [makePod('e', { cpu: '2', memory: '4Gi' })]);
  const empty = nodeInfo(makeNode('empty'));
  const pod = makePod('p', { cpu: '1', memory: '2Gi' });
  const scores = (plugin: ScorePlugin & { preScore?: NodeResourcesFit['preScore'] }) => Object.fromEntries(scoreWith(plugin, pod, [used, empty]));

  test('LeastAllocated (the default) prefers the emptier node; MostAllocated the fuller', () => {
    expect(scores(new NodeResourcesFit())).toEqual({ used: 25, empty: 75 });
    expect(
      scores(
        new NodeResourcesFit({
          scoringStrategy: {
            type: 'MostAllocated',
            resources: [
              { name: 'cpu', weight: 1 },
              { name: 'memory', weight: 1 },
            ],
          },
        }),
      ),
    ).toEqual({
      used: 75,
      empty: 25,
    });
  });

  test('weights pick the resources that count', () => {
    // With the pod: cpu 4 of 4 (100), memory 3Gi of 8Gi (37); the weighted mean moves with the weights.
    const mixed = nodeInfo(makeNode('mixed'), [makePod('e', { cpu: '3', memory: '1Gi' })]);
    const most = (cpu: number, memory: number) =>
      scoreWith(
        new NodeResourcesFit({
          scoringStrategy: {
            type: 'MostAllocated',
            resources: [
              { name: 'cpu', weight: cpu },
              { name: 'memory', weight: memory },
            ],
          },
        }),
        pod,
        [mixed],
      ).get('mixed');
    expect(most(1, 3)).toBe(Math.trunc((100 + 37 * 3) / 4));
    expect(most(3, 1)).toBe(Math.trunc((300 + 37) / 4));
  });

  test('RequestedToCapacityRatio follows its shape (scores 0..10 scaled to 0..100)', () => {
    const f = brokenLinearFunction([
      { utilization: 0, score: 0 },
      { utilization: 100, score: 100 },
    ]);
    expect([f(0), f(37), f(100), f(120)]).toEqual([0, 37, 100, 100]);
    const binpack = new NodeResourcesFit({
      scoringStrategy: {
        type: 'RequestedToCapacityRatio',
        resources: [
          { name: 'cpu', weight: 1 },
          { name: 'memory', weight: 1 },
        ],
        requestedToCapacityRatio: {
          shape: [
            { utilization: 0, score: 0 },
            { utilization: 100, score: 10 },
          ],
        },
      },
    });
    expect(scores(binpack)).toEqual({ used: 75, empty: 25 });
    const spread = new NodeResourcesFit({
      scoringStrategy: {
        type: 'RequestedToCapacityRatio',
        resources: [
          { name: 'cpu', weight: 1 },
          { name: 'memory', weight: 1 },
        ],
        requestedToCapacityRatio: {
          shape: [
            { utilization: 0, score: 10 },
            { utilization: 100, score: 0 },
          ],
        },
      },
    });
    expect(scores(spread)).toEqual({ used: 25, empty: 75 });
  });

  test('ignoredResources: an extended resource the filter does not check', () => {
    const node = nodeInfo(makeNode('n'));
    const gpuPod = makePod('g', { containers: [{ name: 'c', image: 'x', resources: { requests: { 'example.com/gpu': '1' } } }] });
    const plain = new NodeResourcesFit();
    const lenient = new NodeResourcesFit({ ignoredResources: ['example.com/gpu'] });
    const run = (p: NodeResourcesFit) => {
      const st = new CycleState();
      p.preFilter(st, gpuPod);
      return p.filter(st, gpuPod, node).reasons;
    };
    expect(run(plain)).toEqual(['Insufficient example.com/gpu']);
    expect(run(lenient)).toEqual([]);
  });
});
