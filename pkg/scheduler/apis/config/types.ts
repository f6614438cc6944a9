// KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1), the file
// kube-scheduler's --config reads: profiles (one per schedulerName) with the
// plugins enabled and disabled per extension point and their arguments.
import type { ResourceSpec } from '../../plugins/noderesources/resource_allocation.js';
import type { ScoringStrategy } from '../../plugins/noderesources/scoring.js';

export const GROUP_VERSION = 'kubescheduler.config.k8s.io/v1';
export const KIND = 'KubeSchedulerConfiguration';

export interface Plugin {
  name: string;
  /** Score plugins only; 0 or unset takes the default. */
  weight?: number;
}

export interface PluginSet {
  enabled?: Plugin[];
  /** "*" disables every default plugin of the point. */
  disabled?: Plugin[];
}

/** The extension points of a profile's plugins, as upstream names them. */
export const EXTENSION_POINTS = [
  'preEnqueue',
  'queueSort',
  'preFilter',
  'filter',
  'postFilter',
  'preScore',
  'score',
  'reserve',
  'permit',
  'preBind',
  'bind',
  'postBind',
  'multiPoint',
] as const;
export type ExtensionPoint = (typeof EXTENSION_POINTS)[number];

export type Plugins = Partial<Record<ExtensionPoint, PluginSet>>;

export interface NodeResourcesFitArgs {
  ignoredResources?: string[];
  ignoredResourceGroups?: string[];
  scoringStrategy?: ScoringStrategy;
}

export interface NodeResourcesBalancedAllocationArgs {
  resources?: ResourceSpec[];
}

/** Arguments by plugin; only the plugins that take arguments here. */
export interface PluginConfig {
  name: string;
  args?: NodeResourcesFitArgs | NodeResourcesBalancedAllocationArgs;
}

export interface KubeSchedulerProfile {
  schedulerName?: string;
  percentageOfNodesToScore?: number;
  plugins?: Plugins;
  pluginConfig?: PluginConfig[];
}

export interface LeaderElectionConfiguration {
  leaderElect?: boolean;
  leaseDuration?: string;
  renewDeadline?: string;
  retryPeriod?: string;
  resourceLock?: string;
  resourceName?: string;
  resourceNamespace?: string;
}

export interface KubeSchedulerConfiguration {
  apiVersion: string;
  kind: string;
  parallelism?: number;
  leaderElection?: LeaderElectionConfiguration;
  clientConnection?: { kubeconfig?: string; acceptContentTypes?: string; contentType?: string; qps?: number; burst?: number };
  percentageOfNodesToScore?: number;
  podInitialBackoffSeconds?: number;
  podMaxBackoffSeconds?: number;
  profiles?: KubeSchedulerProfile[];
  extenders?: unknown[];
  enableProfiling?: boolean;
  enableContentionProfiling?: boolean;
  delayCacheUntilActive?: boolean;
}

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
