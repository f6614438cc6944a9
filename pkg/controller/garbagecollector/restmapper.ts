// Which resources the garbage collector watches, and how an ownerReference's
// apiVersion + kind maps to a resource it can GET. Kubernetes discovers every
// deletable, listable resource; Timonel's built-in catalogue is that list, and
// CustomResourceDefinitions add theirs at run time.
import { BUILTIN_RESOURCES } from '../../../api/resources.js';
import { supportsVerbs } from '../../../api/resourceinfo.js';
import type { GroupVersionResource } from '../../client/rest.js';

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function apiVersionOf(gvr: GroupVersionResource): string {
  return gvr.group ? `${gvr.group}/${gvr.version}` : gvr.version;
}

/**
 * The built-in resources, each group/resource once at its preferred (first listed)
 * version, when it can be listed, watched and deleted (not the create-only reviews).
 * events.k8s.io Events are the core Events served again, so they are skipped.
 */
export function builtinGCResources(): GroupVersionResource[] {
  const seen = new Set<string>();
  const out: GroupVersionResource[] = [];
  for (const r of BUILTIN_RESOURCES) {
    if (r.group === 'events.k8s.io' || !supportsVerbs(r, 'list', 'watch', 'delete')) continue;
    const key = `${r.group}/${r.plural}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ group: r.group, version: r.version, resource: r.plural, namespaced: r.namespaced, kind: r.kind });
  }
  return out;
}

/** group/kind → the resource the collector uses for it (any version of a group serves the same objects). */
export class RESTMapper {
  private readonly byKind = new Map<string, GroupVersionResource>();

  /** The first resource added for a group/kind wins: it is the preferred version. */
  add(gvr: GroupVersionResource): void {
    if (!gvr.kind) return;
    const key = `${gvr.group}/${gvr.kind}`;
    if (!this.byKind.has(key)) this.byKind.set(key, gvr);
  }

  forKind(apiVersion: string, kind: string): GroupVersionResource | undefined {
    return this.byKind.get(`${groupOf(apiVersion)}/${kind}`);
  }
}
