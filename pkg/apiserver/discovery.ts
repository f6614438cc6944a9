// API discovery: /api, /apis and each group/version's resource list, in the
// legacy form and the aggregated (apidiscovery.k8s.io/v2) form kubectl asks for first.
import { ALL_VERBS, type ResourceInfo, groupVersion } from '../../api/resourceinfo.js';

interface SubresourceShape {
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

const SUBRESOURCES: Record<string, (r: ResourceInfo) => SubresourceShape> = {
  status: (r) => ({ kind: r.kind, verbs: ['get', 'patch', 'update'] }),
  scale: () => ({ kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] }),
  binding: () => ({ kind: 'Binding', verbs: ['create'] }),
  eviction: () => ({ kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] }),
  log: () => ({ kind: 'Pod', verbs: ['get'] }),
  exec: () => ({ kind: 'PodExecOptions', verbs: ['create', 'get'] }),
  attach: () => ({ kind: 'PodAttachOptions', verbs: ['create', 'get'] }),
  portforward: () => ({ kind: 'PodPortForwardOptions', verbs: ['create', 'get'] }),
  proxy: (r) => ({ kind: `${r.kind}ProxyOptions`, verbs: ['create', 'delete', 'get', 'patch', 'update'] }),
  finalize: () => ({ kind: 'Namespace', verbs: ['update'] }),
  approval: (r) => ({ kind: r.kind, verbs: ['get', 'patch', 'update'] }),
  token: () => ({ kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] }),
};

/** Groups in the order Kubernetes lists them; each group's versions, preferred first. */
export function groupsOf(resources: ResourceInfo[]): Array<{ name: string; versions: string[] }> {
  const groups = new Map<string, string[]>();
  for (const r of resources) {
    if (r.group === '') continue;
    const versions = groups.get(r.group) ?? [];
    if (!versions.includes(r.version)) versions.push(r.version);
    groups.set(r.group, versions);
  }
  return [...groups].map(([name, versions]) => ({ name, versions }));
}

export function apiVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupEntry(g: { name: string; versions: string[] }): object {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

export function apiGroupList(resources: ResourceInfo[]): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groupsOf(resources).map(groupEntry) };
}

export function apiGroup(resources: ResourceInfo[], group: string): object | undefined {
  const g = groupsOf(resources).find((x) => x.name === group);
  return g && { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g) };
}

export function apiResourceList(resources: ResourceInfo[], group: string, version: string): object | undefined {
  const inGV = resources.filter((r) => r.group === group && r.version === version);
  if (!inGV.length) return undefined;
  const list: object[] = [];
  for (const r of inGV) {
    const main: Record<string, unknown> = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs ?? ALL_VERBS };
    if (r.shortNames?.length) main.shortNames = r.shortNames;
    if (r.categories?.length) main.categories = r.categories;
    list.push(main);
    for (const sub of r.subresources ?? []) {
      const shape = SUBRESOURCES[sub]?.(r);
      if (!shape) continue;
      const entry: Record<string, unknown> = { name: `${r.plural}/${sub}`, singularName: '', namespaced: r.namespaced, kind: shape.kind, verbs: shape.verbs };
      if (shape.group !== undefined) entry.group = shape.group;
      if (shape.version !== undefined) entry.version = shape.version;
      list.push(entry);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources: list };
}

/** apidiscovery.k8s.io/v2 APIGroupDiscoveryList: every group, version and resource in one document. */
export function aggregatedDiscovery(resources: ResourceInfo[], legacy: boolean): object {
  const groups = legacy ? [{ name: '', versions: ['v1'] }] : groupsOf(resources);
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.name, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        freshness: 'Current',
        resources: resources
          .filter((r) => r.group === g.name && r.version === v)
          .map((r) => {
            const entry: Record<string, unknown> = {
              resource: r.plural,
              responseKind: { group: r.group, version: r.version, kind: r.kind },
              scope: r.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: r.singular,
              verbs: r.verbs ?? ALL_VERBS,
            };
            if (r.shortNames?.length) entry.shortNames = r.shortNames;
            if (r.categories?.length) entry.categories = r.categories;
            const subs = (r.subresources ?? [])
              .filter((s) => SUBRESOURCES[s])
              .map((s) => {
                const shape = SUBRESOURCES[s](r);
                return {
                  subresource: s,
                  responseKind: { group: shape.group ?? r.group, version: shape.version ?? r.version, kind: shape.kind },
                  verbs: shape.verbs,
                };
              });
            if (subs.length) entry.subresources = subs;
            return entry;
          }),
      })),
    })),
  };
}

/** Does the Accept header ask for the aggregated discovery document? */
export function wantsAggregated(accept: string | undefined): boolean {
  if (!accept) return false;
  const first = accept.split(',')[0];
  return /as=APIGroupDiscoveryList/.test(first) && /g=apidiscovery\.k8s\.io/.test(first) && /v=v2(?!beta)/.test(first);
}

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
