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
  /** A custom resource version's deprecation warning, sent with every request to it. */
  deprecationWarning?: string;
  /** A custom resource version's selectableFields: JSON paths (`.spec.color`) usable in field selectors. */
  selectableFields?: string[];
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** A resource that is only created and never stored (reviews): served by its REST storage, not a Store. */
/** Whether the resource serves every one of these verbs (create-only reviews serve no list or watch). */
export function supportsVerbs(r: Pick<ResourceInfo, 'verbs'>, ...verbs: string[]): boolean {
  const served = r.verbs ?? ALL_VERBS;
  return verbs.every((v) => served.includes(v));
}

export function isCreateOnly(r: Pick<ResourceInfo, 'verbs'>): boolean {
  return r.verbs !== undefined && r.verbs.length === 1 && r.verbs[0] === 'create';
}

export function groupVersion(r: Pick<ResourceInfo, 'group' | 'version'>): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}
