// Helpers over CustomResourceDefinitions (upstream's apiextensions helpers): conditions,
// and the resources a CRD serves once its names are accepted.
import type { ResourceInfo } from '../../resourceinfo.js';
import type { CustomResourceDefinition, CustomResourceDefinitionCondition, CustomResourceDefinitionNames, CustomResourceDefinitionVersion } from './types.js';

/** Removes the CRD's objects before the CRD itself goes. */
export const CUSTOM_RESOURCE_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

export type ConditionType = 'Established' | 'NamesAccepted' | 'Terminating' | 'NonStructuralSchema';

export function findCondition(crd: CustomResourceDefinition, type: ConditionType): CustomResourceDefinitionCondition | undefined {
  return (crd.status?.conditions ?? []).find((c) => c.type === type);
}

export function isConditionTrue(crd: CustomResourceDefinition, type: ConditionType): boolean {
  return findCondition(crd, type)?.status === 'True';
}

/** Sets a condition; lastTransitionTime moves only when the status changes (upstream's SetCRDCondition). */
export function setCondition(crd: CustomResourceDefinition, cond: CustomResourceDefinitionCondition, now: string): void {
  const status = (crd.status ??= {});
  const conditions = (status.conditions ??= []);
  const i = conditions.findIndex((c) => c.type === cond.type);
  if (i < 0) {
    conditions.push({ ...cond, lastTransitionTime: now });
    return;
  }
  const old = conditions[i];
  const lastTransitionTime = old.status === cond.status && old.lastTransitionTime ? old.lastTransitionTime : now;
  conditions[i] = { type: cond.type, status: cond.status, lastTransitionTime, reason: cond.reason, message: cond.message };
}

export function storageVersion(crd: CustomResourceDefinition): string | undefined {
  return crd.spec.versions.find((v) => v.storage)?.name;
}

/** The versions served at /apis/<group>/<version>. */
export function servedVersions(crd: CustomResourceDefinition): CustomResourceDefinitionVersion[] {
  return (crd.spec.versions ?? []).filter((v) => v.served);
}

/** Subresources a version serves besides the main resource. */
export function subresourcesOf(v: CustomResourceDefinitionVersion): string[] {
  const subs: string[] = [];
  if (v.subresources?.status !== undefined && v.subresources.status !== null) subs.push('status');
  if (v.subresources?.scale) subs.push('scale');
  return subs;
}

/**
 * One ResourceInfo per served version, named by status.acceptedNames as upstream serves them.
 * Versions sort as upstream's discovery does (kube-aware version priority).
 */
export function resourceInfosFor(crd: CustomResourceDefinition): ResourceInfo[] {
  const names: CustomResourceDefinitionNames = crd.status?.acceptedNames ?? crd.spec.names;
  const kind = names.kind;
  return sortVersions(servedVersions(crd)).map((v) => {
    const info: ResourceInfo = {
      group: crd.spec.group,
      version: v.name,
      kind,
      listKind: names.listKind || `${kind}List`,
      plural: names.plural,
      singular: names.singular || kind.toLowerCase(),
      namespaced: crd.spec.scope === 'Namespaced',
    };
    if (names.shortNames?.length) info.shortNames = [...names.shortNames];
    if (names.categories?.length) info.categories = [...names.categories];
    const subs = subresourcesOf(v);
    if (subs.length) info.subresources = subs;
    if (v.deprecated) info.deprecationWarning = v.deprecationWarning ?? `${crd.spec.group}/${v.name} ${kind} is deprecated`;
    if (v.selectableFields?.length) info.selectableFields = v.selectableFields.map((f) => f.jsonPath);
    return info;
  });
}

/** Kubernetes' version ordering: GA > beta > alpha, higher major first, then the rest by name. */
export function compareKubeAwareVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    const stage = m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0;
    return [stage, Number(m[1]), m[3] === undefined ? 0 : Number(m[3])];
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa && !pb) return -1;
  if (!pa && pb) return 1;
  if (!pa || !pb) return a < b ? -1 : a > b ? 1 : 0;
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pb[i] - pa[i];
  return 0;
}

function sortVersions(versions: CustomResourceDefinitionVersion[]): CustomResourceDefinitionVersion[] {
  return [...versions].sort((a, b) => compareKubeAwareVersions(a.name, b.name));
}
