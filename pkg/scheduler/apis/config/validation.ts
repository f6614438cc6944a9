// Validation of a defaulted KubeSchedulerConfiguration, with upstream's field
// paths and wording (pkg/scheduler/apis/config/validation): each error is
// "<path>: <type>[: <value>][: <detail>]", as field.Error prints itself.
import { SCORING_STRATEGY_TYPES, MAX_CUSTOM_PRIORITY_SCORE } from '../../plugins/noderesources/scoring.js';
import type { KubeSchedulerConfiguration, KubeSchedulerProfile, NodeResourcesBalancedAllocationArgs, NodeResourcesFitArgs } from './types.js';

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : v === undefined || v === null ? 'null' : String(v));
const invalid = (path: string, value: unknown, detail: string) => `${path}: Invalid value: ${show(value)}: ${detail}`;
const required = (path: string, detail = '') => `${path}: Required value${detail ? `: ${detail}` : ''}`;
const duplicate = (path: string, value: unknown) => `${path}: Duplicate value: ${show(value)}`;
const forbidden = (path: string, detail: string) => `${path}: Forbidden: ${detail}`;
const notSupported = (path: string, value: unknown, supported: string[]) =>
  `${path}: Unsupported value: ${show(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`;

/** A label-name-like resource name (qualified name: optional DNS prefix, then a name of up to 63 characters). */
function isQualifiedName(v: string): boolean {
  const parts = v.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  const prefixOK = parts.length === 1 || /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(parts[0]);
  return prefixOK && name.length <= 63 && /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name);
}

function validatePercentage(path: string, v: number | undefined): string[] {
  return v !== undefined && (v < 0 || v > 100) ? [invalid(path, v, 'not in valid range [0-100]')] : [];
}

export function validateNodeResourcesFitArgs(path: string, args: NodeResourcesFitArgs): string[] {
  const errs: string[] = [];
  for (const [i, res] of (args.ignoredResources ?? []).entries())
    if (!isQualifiedName(res)) errs.push(invalid(`${path}.ignoredResources[${i}]`, res, 'name part must consist of alphanumeric characters'));
  for (const [i, group] of (args.ignoredResourceGroups ?? []).entries()) {
    if (group.includes('/')) errs.push(invalid(`${path}.ignoredResourceGroups[${i}]`, group, "resource group name can't contain '/'"));
    else if (!isQualifiedName(group)) errs.push(invalid(`${path}.ignoredResourceGroups[${i}]`, group, 'name part must consist of alphanumeric characters'));
  }
  const sp = `${path}.scoringStrategy`;
  const strategy = args.scoringStrategy;
  if (!strategy) return [...errs, required(sp, 'ScoringStrategy field is required')];
  if (!SCORING_STRATEGY_TYPES.includes(strategy.type)) errs.push(notSupported(`${sp}.type`, strategy.type ?? '', SCORING_STRATEGY_TYPES));
  for (const [i, r] of (strategy.resources ?? []).entries())
    if (!(r.weight > 0 && r.weight <= 100))
      errs.push(invalid(`${sp}.resources[${i}].weight`, r.weight ?? 0, `resource weight of ${r.name} not in valid range (0, 100]`));
  if (strategy.type === 'RequestedToCapacityRatio') {
    if (!strategy.requestedToCapacityRatio) errs.push(required(`${sp}.requestedToCapacityRatio`, 'must be specified when type is RequestedToCapacityRatio'));
    else errs.push(...validateFunctionShape(strategy.requestedToCapacityRatio.shape ?? [], `${sp}.requestedToCapacityRatio.shape`));
  } else if (strategy.requestedToCapacityRatio) {
    errs.push(forbidden(`${sp}.requestedToCapacityRatio`, 'must be nil when type is not RequestedToCapacityRatio'));
  }
  return errs;
}

function validateFunctionShape(shape: { utilization: number; score: number }[], path: string): string[] {
  if (shape.length === 0) return [required(path, 'at least one point must be specified')];
  const errs: string[] = [];
  for (let i = 1; i < shape.length; i++) {
    if (shape[i - 1].utilization >= shape[i].utilization) {
      errs.push(invalid(`${path}[${i}].utilization`, shape[i].utilization, 'values must be sorted in increasing order'));
      break;
    }
  }
  for (const [i, p] of shape.entries()) {
    if (!(p.utilization >= 0 && p.utilization <= 100)) errs.push(invalid(`${path}[${i}].utilization`, p.utilization, 'not in valid range [0, 100]'));
    if (!(p.score >= 0 && p.score <= MAX_CUSTOM_PRIORITY_SCORE))
      errs.push(invalid(`${path}[${i}].score`, p.score, `not in valid range [0, ${MAX_CUSTOM_PRIORITY_SCORE}]`));
  }
  return errs;
}

export function validateNodeResourcesBalancedAllocationArgs(path: string, args: NodeResourcesBalancedAllocationArgs): string[] {
  const errs: string[] = [];
  const seen = new Set<string>();
  for (const [i, r] of (args.resources ?? []).entries()) {
    if (seen.has(r.name)) errs.push(duplicate(`${path}.resources[${i}].name`, r.name));
    seen.add(r.name);
    if (r.weight !== 1) errs.push(invalid(`${path}.resources[${i}].weight`, r.weight ?? 0, 'must be 1'));
  }
  return errs;
}

function validateProfile(path: string, profile: KubeSchedulerProfile): string[] {
  const errs: string[] = [];
  if (!profile.schedulerName) errs.push(required(`${path}.schedulerName`));
  errs.push(...validatePercentage(`${path}.percentageOfNodesToScore`, profile.percentageOfNodesToScore));
  const seen = new Set<string>();
  for (const [i, pc] of (profile.pluginConfig ?? []).entries()) {
    const p = `${path}.pluginConfig[${i}]`;
    if (seen.has(pc.name)) errs.push(duplicate(p, pc.name));
    seen.add(pc.name);
    if (pc.name === 'NodeResourcesFit') errs.push(...validateNodeResourcesFitArgs(`${p}.args`, (pc.args ?? {}) as NodeResourcesFitArgs));
    else if (pc.name === 'NodeResourcesBalancedAllocation')
      errs.push(...validateNodeResourcesBalancedAllocationArgs(`${p}.args`, (pc.args ?? {}) as NodeResourcesBalancedAllocationArgs));
  }
  return errs;
}

/** Every error, in upstream's order. */
export function validateKubeSchedulerConfiguration(cc: KubeSchedulerConfiguration): string[] {
  const errs: string[] = [];
  const le = cc.leaderElection;
  if (le?.leaderElect && le.resourceLock !== undefined && le.resourceLock !== 'leases')
    errs.push(invalid('leaderElection.resourceLock', le.resourceLock, 'resourceLock value must be "leases"'));
  if (!((cc.parallelism ?? 0) > 0)) errs.push(invalid('parallelism', cc.parallelism ?? 0, 'should be an integer value greater than zero'));
  const profiles = cc.profiles ?? [];
  if (profiles.length === 0) errs.push(required('profiles'));
  const names = new Map<string, number>();
  for (const [i, profile] of profiles.entries()) {
    const path = `profiles[${i}]`;
    errs.push(...validateProfile(path, profile));
    const name = profile.schedulerName ?? '';
    const first = names.get(name);
    if (first !== undefined) errs.push(duplicate(`${path}.schedulerName`, `profiles[${first}].schedulerName`));
    else names.set(name, i);
  }
  errs.push(...validatePercentage('percentageOfNodesToScore', cc.percentageOfNodesToScore));
  if (!((cc.podInitialBackoffSeconds ?? 0) > 0)) errs.push(invalid('podInitialBackoffSeconds', cc.podInitialBackoffSeconds ?? 0, 'must be greater than 0'));
  if ((cc.podMaxBackoffSeconds ?? 0) < (cc.podInitialBackoffSeconds ?? 0))
    errs.push(invalid('podMaxBackoffSeconds', cc.podMaxBackoffSeconds ?? 0, 'must be greater than or equal to PodInitialBackoffSeconds'));
  // Not upstream's check: this scheduler calls no extenders.
  if (cc.extenders?.length) errs.push(forbidden('extenders', 'scheduler extenders are not supported'));
  return errs;
}
