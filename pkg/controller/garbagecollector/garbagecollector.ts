// The garbage collector (Kubernetes' pkg/controller/garbagecollector): deletes
// dependents whose owners are all gone (background), deletes a foreground-deleted
// owner's dependents before letting the owner go, and orphans the dependents of an
// owner deleted with propagationPolicy Orphan. Informers of every resource feed the
// dependency graph (graph.ts); two work queues of uids, attemptToDelete and
// attemptToOrphan, drive the API writes.
import type { CustomResourceDefinition } from '../../../api/apiextensions/v1/types.js';
import type { KubeObject, OwnerReference } from '../../../api/meta/v1/types.js';
import { isStatus, type GroupVersionResource, type ResourceClient } from '../../client/rest.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import type { Controller, ControllerContext } from '../context.js';
import { DependencyGraph, describe, FinalizerDeleteDependents, FinalizerOrphanDependents, type GraphNode, type ObjectIdentity } from './graph.js';
import { builtinGCResources, groupOf, RESTMapper } from './restmapper.js';

type DeletionPropagation = 'Orphan' | 'Background' | 'Foreground';

/** How many owners verified absent are remembered, to spare GETs when many dependents share one (client-go keeps 500). */
const ABSENT_OWNER_CACHE_SIZE = 500;
/** Read-modify-write attempts against 409 Conflicts before the item is requeued with backoff. */
const CONFLICT_RETRIES = 5;

export class GarbageCollector implements Controller {
  readonly attemptToDelete = new RateLimitingQueue<string>(undefined, 'garbage_collector_attempt_to_delete');
  readonly attemptToOrphan = new RateLimitingQueue<string>(undefined, 'garbage_collector_attempt_to_orphan');
  readonly graph: DependencyGraph;
  private readonly mapper = new RESTMapper();
  private readonly informers: SharedIndexInformer<KubeObject>[] = [];
  private readonly watched = new Set<string>();
  /** Owner coordinates verified absent, oldest first (a Map keeps insertion order). */
  private readonly absentOwners = new Map<string, true>();

  constructor(private readonly deps: ControllerContext) {
    this.graph = new DependencyGraph(this.mapper, {
      attemptToDelete: (uid) => this.attemptToDelete.add(uid),
      attemptToOrphan: (uid) => this.attemptToOrphan.add(uid),
      invalidOwnerReference: (node, ref) => this.reportInvalidOwnerReference(node, ref),
    });
    const builtins = builtinGCResources();
    for (const gvr of builtins) this.mapper.add(gvr);
    for (const gvr of builtins) this.informers.push(this.watch(gvr));
    // Custom resources can be owners and dependents too: watch each once its CRD is established.
    const crds = deps.informers.forResource<CustomResourceDefinition>('apiextensions.k8s.io/v1', 'customresourcedefinitions');
    crds.addEventHandler({
      onAdd: (crd) => this.watchCustomResource(crd),
      onUpdate: (_, crd) => this.watchCustomResource(crd),
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    const stop = () => {
      this.attemptToDelete.shutDown();
      this.attemptToOrphan.shutDown();
    };
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    this.deps.log('starting garbage collector', { resources: this.informers.length });
    this.deps.informers.start(); // idempotent: the controller-manager may have started them already
    // Work before the graph is complete could mistake a not-yet-listed owner for a virtual one; wait for it.
    const started = Date.now();
    let warned = false;
    while (!signal.aborted && !this.informers.every((i) => i.hasSynced())) {
      if (!warned && Date.now() - started > 30_000) {
        warned = true;
        const pending = builtinGCResources()
          .filter((_, i) => !this.informers[i]?.hasSynced())
          .map((g) => `${g.resource}.${g.group || 'core'}`);
        this.deps.log('garbage collector: still waiting for resource monitors to sync', { pending });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (signal.aborted) return;
    this.deps.log('garbage collector: all resource monitors have synced', { nodes: this.graph.nodes.size });
    const log = (msg: string) => this.deps.log(msg);
    await Promise.all([
      runWorkers(this.attemptToDelete, workers, (uid) => this.attemptToDeleteWorker(uid), { log }),
      runWorkers(this.attemptToOrphan, workers, (uid) => this.attemptToOrphanWorker(uid), { log }),
    ]);
    this.deps.log('garbage collector stopped');
  }

  private watch(gvr: GroupVersionResource): SharedIndexInformer<KubeObject> {
    const inf = this.deps.informers.forResource<KubeObject>(gvr);
    this.watched.add(`${gvr.group}/${gvr.resource}`);
    const guard = (what: string, fn: () => void) => {
      try {
        fn();
      } catch (err) {
        this.deps.log(`garbage collector: ${what} for ${gvr.resource} failed: ${(err as Error)?.message ?? String(err)}`);
      }
    };
    inf.addEventHandler({
      onAdd: (obj) => guard('add', () => this.graph.observe(gvr, obj)),
      onUpdate: (_, obj) => guard('update', () => this.graph.observe(gvr, obj)),
      onDelete: (obj) =>
        guard('delete', () => {
          const node = this.graph.observeDelete(obj);
          if (node) this.markAbsent(node.identity);
        }),
    });
    return inf;
  }

  private watchCustomResource(crd: CustomResourceDefinition): void {
    const spec = crd.spec;
    const established = (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
    if (!spec?.group || !spec.names?.plural || !spec.names.kind || !established) return;
    if (this.watched.has(`${spec.group}/${spec.names.plural}`)) return;
    const served = (spec.versions ?? []).filter((v) => v.served);
    const version = (served.find((v) => v.storage) ?? served[0])?.name;
    if (!version) return;
    const gvr: GroupVersionResource = { group: spec.group, version, resource: spec.names.plural, namespaced: spec.scope !== 'Cluster', kind: spec.names.kind };
    this.mapper.add(gvr);
    this.watch(gvr);
  }

  // ---- attemptToDelete ----

  private async attemptToDeleteWorker(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    if (node.virtual) return this.verifyVirtualNode(node);
    await this.attemptToDeleteItem(node);
  }

  /** A node known only from ownerReferences: if the API has no such object, its dependents are examined. */
  private async verifyVirtualNode(node: GraphNode): Promise<void> {
    const id = node.identity;
    const gvr = this.resolve(id.apiVersion, id.kind);
    if (!gvr) throw new Error(`cannot map ${id.kind} in ${id.apiVersion} to a resource; owner ${describe(id)} unverified`);
    const live = await this.getLive(gvr, id.namespace, id.name);
    if (live?.metadata.uid === id.uid) return; // it exists; its informer will report it
    this.deps.log.v(2)(`garbage collector: owner ${describe(id)} is absent`);
    this.markAbsent(id, gvr);
    this.graph.remove(node);
  }

  private async attemptToDeleteItem(node: GraphNode): Promise<void> {
    const id = node.identity;
    // Being deleted, and not waiting for dependents: nothing left for the collector.
    if (node.beingDeleted && !node.deletingDependents) return;
    const gvr = id.gvr ?? this.resolve(id.apiVersion, id.kind);
    if (!gvr) throw new Error(`cannot map ${id.kind} in ${id.apiVersion} to a resource`);
    const latest = await this.getLive(gvr, id.namespace, id.name);
    if (!latest || latest.metadata.uid !== id.uid) {
      // Gone already (the informer will say so too): treat it as deleted now.
      this.markAbsent(id, gvr);
      this.graph.remove(node);
      return;
    }
    if (latest.metadata.deletionTimestamp && (latest.metadata.finalizers ?? []).includes(FinalizerDeleteDependents)) {
      return this.processDeletingDependentsItem(node, gvr);
    }
    // The graph may lag: the live object is already on its way out.
    if (latest.metadata.deletionTimestamp) return;
    const refs = latest.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;

    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waitingForDependentsDeletion: OwnerReference[] = [];
    for (const ref of refs) {
      const state = await this.classify(node, ref);
      if (state === 'solid') solid.push(ref);
      else if (state === 'dangling') dangling.push(ref);
      else waitingForDependentsDeletion.push(ref);
    }
    this.deps.log.v(4)(`garbage collector: classified references of ${describe(id)}`, {
      solid: solid.length,
      dangling: dangling.length,
      waiting: waitingForDependentsDeletion.length,
    });

    if (solid.length > 0) {
      // Some owner remains: only drop the references to owners that are gone or deleting.
      const drop = new Set([...dangling, ...waitingForDependentsDeletion].map((r) => r.uid));
      if (drop.size > 0) await this.removeOwnerReferences(gvr, id, drop);
      return;
    }
    if (waitingForDependentsDeletion.length > 0 && node.dependents.size > 0) {
      // Its owner waits for it, and it has dependents of its own: delete it in the
      // foreground so they go first. A dependent also deleting dependents may form a
      // cycle, so first stop this object from blocking its owners.
      if ([...node.dependents].some((d) => d.deletingDependents)) await this.unblockOwnerReferences(gvr, id);
      this.deps.log(`garbage collector: deleting ${describe(id)} in the foreground: an owner waits for it and it has dependents`);
      return this.deleteObject(gvr, id, 'Foreground');
    }
    const finalizers = latest.metadata.finalizers ?? [];
    const policy: DeletionPropagation = finalizers.includes(FinalizerOrphanDependents)
      ? 'Orphan'
      : finalizers.includes(FinalizerDeleteDependents)
        ? 'Foreground'
        : 'Background';
    this.deps.log(`garbage collector: deleting ${describe(id)}: all owners are gone or being deleted`, { propagationPolicy: policy });
    await this.deleteObject(gvr, id, policy);
  }

  /** An owner in foreground deletion: delete its blocking dependents; once none remain, let it go. */
  private async processDeletingDependentsItem(node: GraphNode, gvr: GroupVersionResource): Promise<void> {
    const blocking = node.blockingDependents();
    if (blocking.length === 0) {
      this.deps.log(`garbage collector: removing ${FinalizerDeleteDependents} finalizer from ${describe(node.identity)}`);
      await this.removeFinalizer(gvr, node.identity, FinalizerDeleteDependents);
      return;
    }
    for (const d of blocking) if (!d.deletingDependents) this.attemptToDelete.add(d.identity.uid);
  }

  /** solid: the owner exists; dangling: it does not (404 or another uid); waiting: it is deleting its dependents. */
  private async classify(node: GraphNode, ref: OwnerReference): Promise<'solid' | 'dangling' | 'waiting'> {
    const gvr = this.resolve(ref.apiVersion, ref.kind);
    if (!gvr) throw new Error(`cannot map ${ref.kind} in ${ref.apiVersion} (owner of ${describe(node.identity)}) to a resource`);
    // A cluster-scoped dependent cannot name a namespaced owner: the reference never resolves, and never counts as gone.
    if (gvr.namespaced && !node.identity.namespace) return 'solid';
    const namespace = gvr.namespaced ? node.identity.namespace : '';
    const ownerID: ObjectIdentity = { apiVersion: ref.apiVersion, kind: ref.kind, namespace, name: ref.name, uid: ref.uid };
    if (this.absentOwners.has(absentKey(ownerID, gvr))) return 'dangling';
    const owner = await this.getLive(gvr, namespace, ref.name);
    if (!owner || owner.metadata.uid !== ref.uid) {
      this.markAbsent(ownerID, gvr);
      return 'dangling';
    }
    return owner.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes(FinalizerDeleteDependents) ? 'waiting' : 'solid';
  }

  // ---- attemptToOrphan ----

  /** An owner deleted with the orphan finalizer: strip references to it from its dependents, then drop the finalizer. */
  private async attemptToOrphanWorker(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node || node.virtual || !node.orphaning) return;
    const gvr = node.identity.gvr ?? this.resolve(node.identity.apiVersion, node.identity.kind);
    if (!gvr) return;
    const failures: string[] = [];
    await Promise.all(
      [...node.dependents].map(async (d) => {
        const dgvr = d.identity.gvr ?? this.resolve(d.identity.apiVersion, d.identity.kind);
        if (!dgvr) return;
        try {
          await this.removeOwnerReferences(dgvr, d.identity, new Set([uid]));
        } catch (err) {
          failures.push(`${describe(d.identity)}: ${(err as Error)?.message ?? String(err)}`);
        }
      }),
    );
    if (failures.length) throw new Error(`orphaning dependents of ${describe(node.identity)} failed: ${failures.join('; ')}`);
    this.deps.log(`garbage collector: orphaned dependents of ${describe(node.identity)}; removing ${FinalizerOrphanDependents} finalizer`);
    await this.removeFinalizer(gvr, node.identity, FinalizerOrphanDependents);
  }

  // ---- API writes ----

  private client(gvr: GroupVersionResource, namespace: string): ResourceClient<KubeObject> {
    return this.deps.client.resource<KubeObject>(gvr).namespace(gvr.namespaced ? namespace : undefined);
  }

  /** The live object, or undefined on 404. */
  private async getLive(gvr: GroupVersionResource, namespace: string, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.client(gvr, namespace).get(name);
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  /** DELETE with a uid precondition, so a newer object of the same name is never hit. */
  private async deleteObject(gvr: GroupVersionResource, id: ObjectIdentity, propagationPolicy: DeletionPropagation): Promise<void> {
    try {
      await this.client(gvr, id.namespace).delete(id.name, { propagationPolicy, preconditions: { uid: id.uid } });
    } catch (err) {
      // 404: already gone; 409: the name now belongs to another object, which is not ours to judge here.
      if (isStatus(err, 404) || isStatus(err, 409)) return;
      throw err;
    }
  }

  /**
   * Read-modify-write of one object's metadata, as a JSON merge patch carrying the
   * resourceVersion it was computed from (a precondition), retried on 409.
   * mutate returns the metadata fields to patch, or undefined when nothing is to change.
   */
  private async patchMetadata(
    gvr: GroupVersionResource,
    id: ObjectIdentity,
    mutate: (latest: KubeObject) => Record<string, unknown> | undefined,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const latest = await this.getLive(gvr, id.namespace, id.name);
      if (!latest || latest.metadata.uid !== id.uid) return;
      const change = mutate(latest);
      if (!change) return;
      try {
        await this.client(gvr, id.namespace).patch(id.name, 'merge', { metadata: { ...change, resourceVersion: latest.metadata.resourceVersion } });
        return;
      } catch (err) {
        if (isStatus(err, 404)) return;
        if (isStatus(err, 409) && attempt < CONFLICT_RETRIES) continue;
        throw err;
      }
    }
  }

  private removeOwnerReferences(gvr: GroupVersionResource, id: ObjectIdentity, ownerUIDs: Set<string>): Promise<void> {
    return this.patchMetadata(gvr, id, (latest) => {
      const refs = latest.metadata.ownerReferences ?? [];
      const kept = refs.filter((r) => !ownerUIDs.has(r.uid));
      if (kept.length === refs.length) return undefined;
      this.deps.log(`garbage collector: removing owner references to ${[...ownerUIDs].join(',')} from ${describe(id)}`);
      return { ownerReferences: kept.length ? kept : null };
    });
  }

  /** Sets blockOwnerDeletion: false on every reference of the object. */
  private unblockOwnerReferences(gvr: GroupVersionResource, id: ObjectIdentity): Promise<void> {
    return this.patchMetadata(gvr, id, (latest) => {
      const refs = latest.metadata.ownerReferences ?? [];
      if (!refs.some((r) => r.blockOwnerDeletion)) return undefined;
      return { ownerReferences: refs.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r)) };
    });
  }

  private removeFinalizer(gvr: GroupVersionResource, id: ObjectIdentity, finalizer: string): Promise<void> {
    return this.patchMetadata(gvr, id, (latest) => {
      const finalizers = latest.metadata.finalizers ?? [];
      if (!finalizers.includes(finalizer)) return undefined;
      const kept = finalizers.filter((f) => f !== finalizer);
      return { finalizers: kept.length ? kept : null };
    });
  }

  // ---- helpers ----

  private resolve(apiVersion: string, kind: string): GroupVersionResource | undefined {
    return this.mapper.forKind(apiVersion, kind);
  }

  private markAbsent(id: ObjectIdentity, gvr = id.gvr): void {
    if (!gvr) return;
    const key = absentKey(id, gvr);
    this.absentOwners.delete(key);
    this.absentOwners.set(key, true);
    if (this.absentOwners.size > ABSENT_OWNER_CACHE_SIZE) {
      const oldest = this.absentOwners.keys().next().value;
      if (oldest !== undefined) this.absentOwners.delete(oldest);
    }
  }

  private reportInvalidOwnerReference(node: GraphNode, ref: OwnerReference): void {
    const id = node.identity;
    const message = id.namespace
      ? `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: ${id.namespace}, name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace "${id.namespace}"`
      : `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: , name: ${ref.name}, uid: ${ref.uid}] is a namespaced kind, which a cluster-scoped dependent cannot reference`;
    const obj: KubeObject = { apiVersion: id.apiVersion, kind: id.kind, metadata: { name: id.name, namespace: id.namespace || undefined, uid: id.uid } };
    void this.deps.recorder.event(obj, 'Warning', 'OwnerRefInvalidNamespace', message);
  }
}

/** Absent owners are remembered by where they were looked for, not by uid alone: a wrong-namespace reference must not condemn the real owner's other dependents. */
function absentKey(id: ObjectIdentity, gvr: GroupVersionResource): string {
  return [id.uid, groupOf(id.apiVersion) || gvr.group, id.kind, id.namespace, id.name].join('\u0000');
}
