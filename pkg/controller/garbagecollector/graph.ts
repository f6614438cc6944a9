// The dependency graph: uid → node, owners by ownerReferences, dependents as the
// reverse edges. Kubernetes' GraphBuilder funnels informer events through one
// goroutine into this graph; here the event loop is that single thread, so the
// informer handlers update the graph directly (cheap, in-memory bookkeeping, as an
// indexer is) and only enqueue uids for the workers that talk to the apiserver.
import type { KubeObject, OwnerReference } from '../../../api/meta/v1/types.js';
import type { GroupVersionResource } from '../../client/rest.js';
import { apiVersionOf, type RESTMapper } from './restmapper.js';

export const FinalizerOrphanDependents = 'orphan';
export const FinalizerDeleteDependents = 'foregroundDeletion';

export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  name: string;
  uid: string;
  /** Known for observed objects; resolved from apiVersion/kind for virtual ones. */
  gvr?: GroupVersionResource;
}

export function describe(id: ObjectIdentity): string {
  return `${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name} (uid ${id.uid})`;
}

export class GraphNode {
  /** ownerReferences by owner uid. */
  owners = new Map<string, OwnerReference>();
  readonly dependents = new Set<GraphNode>();
  beingDeleted = false;
  /** Deleted with the foregroundDeletion finalizer: its blocking dependents go first. */
  deletingDependents = false;
  /** Deleted with the orphan finalizer: its dependents lose their references to it. */
  orphaning = false;

  /** virtual: known only from someone's ownerReference, not (yet) observed by an informer. */
  constructor(
    public identity: ObjectIdentity,
    public virtual: boolean,
  ) {}

  /** Dependents whose reference to this node has blockOwnerDeletion: true. */
  blockingDependents(): GraphNode[] {
    return [...this.dependents].filter((d) => d.owners.get(this.identity.uid)?.blockOwnerDeletion === true);
  }
}

export interface GraphSink {
  attemptToDelete(uid: string): void;
  attemptToOrphan(uid: string): void;
  /** A reference that can never resolve: a cluster-scoped dependent naming a namespaced owner kind. */
  invalidOwnerReference(dependent: GraphNode, ref: OwnerReference): void;
}

export class DependencyGraph {
  readonly nodes = new Map<string, GraphNode>();

  constructor(
    private readonly mapper: RESTMapper,
    private readonly sink: GraphSink,
  ) {}

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  /** An add or update from an informer of gvr. */
  observe(gvr: GroupVersionResource, obj: KubeObject): void {
    const m = obj.metadata;
    const uid = m?.uid;
    if (!uid || !m.name) return;
    const identity: ObjectIdentity = {
      apiVersion: apiVersionOf(gvr),
      kind: gvr.kind ?? obj.kind ?? '',
      namespace: gvr.namespaced ? (m.namespace ?? '') : '',
      name: m.name,
      uid,
      gvr,
    };
    let node = this.nodes.get(uid);
    if (!node) {
      node = new GraphNode(identity, false);
      this.nodes.set(uid, node);
    } else {
      node.identity = identity;
      node.virtual = false;
    }

    const refs = ownerReferencesOf(obj);
    const old = node.owners;
    node.owners = refs;
    for (const [ownerUID, oldRef] of old) {
      const owner = this.nodes.get(ownerUID);
      const now = refs.get(ownerUID);
      if (!now) {
        owner?.dependents.delete(node);
        this.dropIfUnreferencedVirtual(owner);
      }
      // A removed or no longer blocking reference may be what a foreground deletion waits for.
      if (owner?.deletingDependents && (!now || (oldRef.blockOwnerDeletion && !now.blockOwnerDeletion))) this.sink.attemptToDelete(ownerUID);
    }
    for (const [ownerUID, ref] of refs) {
      if (!old.has(ownerUID)) this.addDependentToOwner(node, ref);
      // A dependent that arrives while its owner deletes in the foreground goes too.
      if (this.nodes.get(ownerUID)?.deletingDependents) this.sink.attemptToDelete(uid);
    }

    const finalizers = m.finalizers ?? [];
    node.beingDeleted = !!m.deletionTimestamp;
    node.deletingDependents = node.beingDeleted && finalizers.includes(FinalizerDeleteDependents);
    node.orphaning = node.beingDeleted && finalizers.includes(FinalizerOrphanDependents);
    if (node.orphaning) this.sink.attemptToOrphan(uid);
    if (node.deletingDependents) {
      this.sink.attemptToDelete(uid);
      for (const d of node.dependents) this.sink.attemptToDelete(d.identity.uid);
    }
  }

  /** A delete from an informer; ignored if the uid is already someone else's (a stale event). */
  observeDelete(obj: KubeObject): GraphNode | undefined {
    const uid = obj.metadata?.uid;
    if (!uid) return undefined;
    const node = this.nodes.get(uid);
    if (!node || node.virtual) return undefined;
    this.remove(node);
    return node;
  }

  /** Removes a node (observed deleted, or verified absent); its dependents are re-examined. */
  remove(node: GraphNode): void {
    if (this.nodes.get(node.identity.uid) !== node) return;
    this.nodes.delete(node.identity.uid);
    for (const ownerUID of node.owners.keys()) {
      const owner = this.nodes.get(ownerUID);
      if (!owner) continue;
      owner.dependents.delete(node);
      if (owner.deletingDependents) this.sink.attemptToDelete(ownerUID);
      this.dropIfUnreferencedVirtual(owner);
    }
    for (const d of node.dependents) this.sink.attemptToDelete(d.identity.uid);
  }

  private addDependentToOwner(node: GraphNode, ref: OwnerReference): void {
    const dep = node.identity;
    const ownerGVR = this.mapper.forKind(ref.apiVersion, ref.kind);
    if (ownerGVR?.namespaced && !dep.namespace) {
      this.sink.invalidOwnerReference(node, ref);
      return;
    }
    let owner = this.nodes.get(ref.uid);
    if (!owner) {
      // Unknown owner: remember it as virtual and let a worker verify it exists.
      const namespace = ownerGVR ? (ownerGVR.namespaced ? dep.namespace : '') : dep.namespace;
      owner = new GraphNode({ apiVersion: ref.apiVersion, kind: ref.kind, namespace, name: ref.name, uid: ref.uid }, true);
      this.nodes.set(ref.uid, owner);
      this.sink.attemptToDelete(ref.uid);
    } else if (!owner.virtual && owner.identity.gvr?.namespaced && owner.identity.namespace !== dep.namespace) {
      // A namespaced owner only counts in its own namespace: from here it is absent.
      this.sink.invalidOwnerReference(node, ref);
      this.sink.attemptToDelete(dep.uid);
      return;
    }
    owner.dependents.add(node);
  }

  private dropIfUnreferencedVirtual(owner: GraphNode | undefined): void {
    if (owner?.virtual && owner.dependents.size === 0) this.nodes.delete(owner.identity.uid);
  }
}

/** ownerReferences by uid (a repeated uid counts once; entries without a uid are ignored). */
export function ownerReferencesOf(obj: KubeObject): Map<string, OwnerReference> {
  const out = new Map<string, OwnerReference>();
  const refs = obj.metadata?.ownerReferences;
  if (!Array.isArray(refs)) return out;
  for (const r of refs) if (r && typeof r.uid === 'string' && r.uid && !out.has(r.uid)) out.set(r.uid, r);
  return out;
}
