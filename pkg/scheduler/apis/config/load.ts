// Reading a KubeSchedulerConfiguration file as kube-scheduler does: YAML or JSON,
// decoded strictly (an unknown field is an error naming its path), then defaulted
// (upstream's v1 defaults) and validated.
import { readFileSync } from 'node:fs';
import { parse as parseYAML } from 'yaml';
import { DEFAULT_SCHEDULER_NAME, EXTENSION_POINTS, GROUP_VERSION, KIND, type KubeSchedulerConfiguration, type PluginConfig } from './types.js';
import { validateKubeSchedulerConfiguration } from './validation.js';

type Shape = 'string' | 'number' | 'boolean' | 'any' | { object: Record<string, Shape> } | { list: Shape };

const plugin: Shape = { object: { name: 'string', weight: 'number' } };
const pluginSet: Shape = { object: { enabled: { list: plugin }, disabled: { list: plugin } } };
const resources: Shape = { list: { object: { name: 'string', weight: 'number' } } };
const ARGS: Record<string, Shape> = {
  NodeResourcesFit: {
    object: {
      apiVersion: 'string',
      kind: 'string',
      ignoredResources: { list: 'string' },
      ignoredResourceGroups: { list: 'string' },
      scoringStrategy: {
        object: {
          type: 'string',
          resources,
          requestedToCapacityRatio: { object: { shape: { list: { object: { utilization: 'number', score: 'number' } } } } },
        },
      },
    },
  },
  NodeResourcesBalancedAllocation: { object: { apiVersion: 'string', kind: 'string', resources } },
};
const CONFIG: Shape = {
  object: {
    apiVersion: 'string',
    kind: 'string',
    parallelism: 'number',
    leaderElection: {
      object: {
        leaderElect: 'boolean',
        leaseDuration: 'string',
        renewDeadline: 'string',
        retryPeriod: 'string',
        resourceLock: 'string',
        resourceName: 'string',
        resourceNamespace: 'string',
      },
    },
    clientConnection: { object: { kubeconfig: 'string', acceptContentTypes: 'string', contentType: 'string', qps: 'number', burst: 'number' } },
    percentageOfNodesToScore: 'number',
    podInitialBackoffSeconds: 'number',
    podMaxBackoffSeconds: 'number',
    enableProfiling: 'boolean',
    enableContentionProfiling: 'boolean',
    delayCacheUntilActive: 'boolean',
    extenders: { list: 'any' },
    profiles: {
      list: {
        object: {
          schedulerName: 'string',
          percentageOfNodesToScore: 'number',
          plugins: { object: Object.fromEntries(EXTENSION_POINTS.map((p) => [p, pluginSet])) },
          pluginConfig: { list: { object: { name: 'string', args: 'any' } } },
        },
      },
    },
  },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks v against shape; returns the first problem, worded as Go's decoder words it. */
function check(v: unknown, shape: Shape, path: string): string | undefined {
  if (v === null || v === undefined || shape === 'any') return undefined;
  if (typeof shape === 'string') {
    if (typeof v === shape) return undefined;
    return `json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into field ${path} of type ${shape}`;
  }
  if ('list' in shape) {
    if (!Array.isArray(v)) return `json: cannot unmarshal ${typeof v} into field ${path} of type list`;
    for (const [i, item] of v.entries()) {
      const err = check(item, shape.list, `${path}[${i}]`);
      if (err) return err;
    }
    return undefined;
  }
  if (!isObject(v)) return `json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into field ${path} of type object`;
  for (const [key, value] of Object.entries(v)) {
    const child = Object.hasOwn(shape.object, key) ? shape.object[key] : undefined;
    const p = path ? `${path}.${key}` : key;
    if (!child) return `strict decoding error: unknown field "${p}"`;
    const err = check(value, child, p);
    if (err) return err;
  }
  return undefined;
}

/** Decodes a configuration document strictly (without defaults or validation). */
export function decodeKubeSchedulerConfiguration(text: string): KubeSchedulerConfiguration {
  let doc: unknown;
  try {
    doc = parseYAML(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new Error(`couldn't decode as KubeSchedulerConfiguration: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw new Error("couldn't decode as KubeSchedulerConfiguration: not an object");
  if (typeof doc.kind !== 'string' || !doc.kind) throw new Error(`Object 'Kind' is missing in '${JSON.stringify(doc)}'`);
  if (doc.kind !== KIND || doc.apiVersion !== GROUP_VERSION)
    throw new Error(`no kind "${doc.kind}" is registered for version "${String(doc.apiVersion ?? '')}" in scheme "pkg/scheduler/apis/config/scheme"`);
  const err = check(doc, CONFIG, '');
  if (err) throw new Error(err);
  const profiles = Array.isArray(doc.profiles) ? doc.profiles : [];
  for (const [i, profile] of profiles.entries()) {
    for (const [j, pc] of ((profile as { pluginConfig?: PluginConfig[] }).pluginConfig ?? []).entries()) {
      const shape = Object.hasOwn(ARGS, pc.name) ? ARGS[pc.name] : undefined;
      if (!shape || pc.args === undefined) continue;
      const argsErr = check(pc.args, shape, `profiles[${i}].pluginConfig[${j}].args`);
      if (argsErr) throw new Error(argsErr);
    }
  }
  return doc as unknown as KubeSchedulerConfiguration;
}

/** Upstream's v1 defaults, on a copy. */
export function setDefaults(cfg: KubeSchedulerConfiguration): KubeSchedulerConfiguration {
  const out: KubeSchedulerConfiguration = structuredClone(cfg);
  out.parallelism ??= 16;
  out.podInitialBackoffSeconds ??= 1;
  out.podMaxBackoffSeconds ??= 10;
  if (!out.profiles?.length) out.profiles = [{}];
  if (out.profiles.length === 1) out.profiles[0].schedulerName ??= DEFAULT_SCHEDULER_NAME;
  for (const profile of out.profiles) {
    for (const pc of profile.pluginConfig ?? []) {
      if (pc.name !== 'NodeResourcesFit') continue;
      const args = (pc.args ??= {}) as { scoringStrategy?: { type: string; resources?: unknown[] } };
      args.scoringStrategy ??= { type: 'LeastAllocated' };
      if (!args.scoringStrategy.resources?.length)
        args.scoringStrategy.resources = [
          { name: 'cpu', weight: 1 },
          { name: 'memory', weight: 1 },
        ];
    }
  }
  return out;
}

/** Decodes, defaults and validates; throws with every validation error, as kube-scheduler refuses to start. */
export function parseKubeSchedulerConfiguration(text: string): KubeSchedulerConfiguration {
  const cfg = setDefaults(decodeKubeSchedulerConfiguration(text));
  const errs = validateKubeSchedulerConfiguration(cfg);
  if (errs.length === 1) throw new Error(errs[0]);
  if (errs.length > 1) throw new Error(`[${errs.join(', ')}]`);
  return cfg;
}

/** --config: the file's configuration. */
export function loadKubeSchedulerConfiguration(file: string): KubeSchedulerConfiguration {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`failed to read config file "${file}": ${(err as Error).message}`);
  }
  return parseKubeSchedulerConfiguration(text);
}
