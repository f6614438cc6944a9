// What the apiserver knows about each served resource: enough for routing,
// discovery, OpenAPI and etcd key layout. Adding a type is adding one of these.

export interface ResourceInfo {
  group: string; // '' for core
  version: string;
  kind: string;
  listKind: string;
  plural: string; // the resource name in URLs and etcd keys
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Subresources served besides the main resource: 'status', 'scale', 'binding', 'log', 'eviction', ... */
  subresources?: string[];
  /** Verbs the main resource supports; defaults to the full set. */
  verbs?: string[];
  /** The release that deprecated the kind ('1.19'): every request is answered with upstream's deprecation warning. */
  deprecatedIn?: string;
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function groupVersion(r: Pick<ResourceInfo, 'group' | 'version'>): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}
