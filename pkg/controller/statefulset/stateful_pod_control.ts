// stateful_pod_control.go: the writes a StatefulSet makes for one pod: its
// claims first (so the pod never starts without its storage), then the pod;
// identity repairs; deletion; and the claims' owner references that carry
// persistentVolumeClaimRetentionPolicy (Delete → owned, so the garbage collector
// removes them; Retain → not owned, so they outlive pods and the set).
import type { StatefulSet } from '../../../api/apps/v1/types.js';
import type { PersistentVolumeClaim, Pod } from '../../../api/core/v1/types.js';
import type { OwnerReference } from '../../../api/meta/v1/types.js';
import type { EventRecorder } from '../../client/events.js';
import type { Lister } from '../../client/informer.js';
import { isStatus, type ResourceClient } from '../../client/rest.js';
import { getOrdinal, getPersistentVolumeClaims, identityMatches, podInOrdinalRange, updateIdentity } from './stateful_set_utils.js';
import { canonicalJSON } from '../../util/hash.js';
import { POD_GVK, STATEFULSET_GVK } from './types.js';

export interface StatefulPodControlDeps {
  pods: ResourceClient<Pod>;
  claims: ResourceClient<PersistentVolumeClaim>;
  claimLister: Lister<PersistentVolumeClaim>;
  recorder: EventRecorder;
}

export class StatefulPodControl {
  constructor(private readonly deps: StatefulPodControlDeps) {}

  /** CreateStatefulPod: claims, then the pod (an AlreadyExists pod is someone else's race: surfaced as an error). */
  async createStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    await this.createPersistentVolumeClaims(set, pod);
    try {
      const created = await this.deps.pods.namespace(set.metadata.namespace).create(pod);
      this.recordPodEvent('create', set, pod);
      // whenScaled=Delete needs the pod's uid, which exists only now.
      await this.updateClaimOwnerRefs(set, created);
    } catch (err) {
      this.recordPodEvent('create', set, pod, err);
      throw err;
    }
  }

  /** UpdateStatefulPod: repairs identity labels (hostname/subdomain are immutable on a live pod) and claims. */
  async updateStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    await this.createPersistentVolumeClaims(set, pod);
    await this.updateClaimOwnerRefs(set, pod);
    if (identityMatches(set, pod)) return;
    const fixed = structuredClone(pod);
    const spec = fixed.spec;
    updateIdentity(set, fixed);
    fixed.spec = spec; // only metadata may change on a running pod
    try {
      await this.deps.pods.namespace(set.metadata.namespace).update(fixed);
      this.recordPodEvent('update', set, pod);
    } catch (err) {
      this.recordPodEvent('update', set, pod, err);
      throw err;
    }
  }

  /** DeleteStatefulPod: guarded by uid, so a stale cache can never delete the pod's successor. */
  async deleteStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.deps.pods.namespace(set.metadata.namespace).delete(pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid } });
      this.recordPodEvent('delete', set, pod);
    } catch (err) {
      if (isStatus(err, 404) || isStatus(err, 409)) return; // already gone (or replaced)
      this.recordPodEvent('delete', set, pod, err);
      throw err;
    }
  }

  /** createPersistentVolumeClaims: every missing claim of the pod's ordinal; a claim being deleted is an error to retry. */
  async createPersistentVolumeClaims(set: StatefulSet, pod: Pod): Promise<void> {
    const errors: string[] = [];
    for (const claim of getPersistentVolumeClaims(set, pod).values()) {
      const name = claim.metadata.name ?? '';
      const existing = this.deps.claimLister.get(set.metadata.namespace ?? '', name);
      if (existing) {
        if (existing.metadata.deletionTimestamp) errors.push(`pvc ${name} is being deleted`);
        continue;
      }
      try {
        await this.deps.claims.namespace(set.metadata.namespace).create(claim);
        this.recordClaimEvent(set, pod, claim);
      } catch (err) {
        if (isStatus(err, 409)) continue; // created since our cache last looked
        this.recordClaimEvent(set, pod, claim, err);
        errors.push(`failed to create PVC ${name}: ${(err as Error).message}`);
      }
    }
    if (errors.length) throw new Error(errors.join('; '));
  }

  /**
   * updateClaimOwnerRefForSetAndPod: whenDeleted=Delete → the set owns the claim;
   * whenScaled=Delete and the pod is outside the ordinal range (being scaled away)
   * → the pod owns it. Refs the policy no longer wants are removed.
   */
  async updateClaimOwnerRefs(set: StatefulSet, pod: Pod): Promise<void> {
    const policy = set.spec.persistentVolumeClaimRetentionPolicy ?? {};
    const wantSet = policy.whenDeleted === 'Delete';
    const wantPod = policy.whenScaled === 'Delete' && !podInOrdinalRange(pod, set) && getOrdinal(pod) >= 0 && pod.metadata.uid !== undefined;
    for (const want of getPersistentVolumeClaims(set, pod).values()) {
      const claim = this.deps.claimLister.get(set.metadata.namespace ?? '', want.metadata.name ?? '');
      if (!claim || claim.metadata.deletionTimestamp) continue;
      const refs = claim.metadata.ownerReferences ?? [];
      let next: OwnerReference[] = refs.filter(
        (r) =>
          !(r.kind === STATEFULSET_GVK.kind && r.name === set.metadata.name && r.apiVersion.startsWith('apps/')) &&
          !(r.kind === POD_GVK.kind && r.apiVersion === 'v1' && r.name === pod.metadata.name),
      );
      if (wantSet)
        next.push({
          apiVersion: STATEFULSET_GVK.apiVersion,
          kind: STATEFULSET_GVK.kind,
          name: set.metadata.name ?? '',
          uid: set.metadata.uid ?? '',
          blockOwnerDeletion: true,
        });
      if (wantPod) next.push({ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '', blockOwnerDeletion: true });
      // Keep a ref to a different set/pod uid out: it is stale for this name.
      next = next.filter((r, i, all) => all.findIndex((o) => o.uid === r.uid) === i);
      if (sameRefs(refs, next)) continue;
      const updated = structuredClone(claim);
      if (next.length) updated.metadata.ownerReferences = next;
      else delete updated.metadata.ownerReferences;
      try {
        await this.deps.claims.namespace(set.metadata.namespace).update(updated);
      } catch (err) {
        if (!isStatus(err, 404)) throw err;
      }
    }
  }

  private recordPodEvent(verb: string, set: StatefulSet, pod: Pod, err?: unknown): void {
    const title = verb[0].toUpperCase() + verb.slice(1);
    if (err === undefined) {
      void this.deps.recorder.event(
        set,
        'Normal',
        `Successful${title}`,
        `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`,
        STATEFULSET_GVK,
      );
    } else {
      void this.deps.recorder.event(
        set,
        'Warning',
        `Failed${title}`,
        `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error)?.message ?? String(err)}`,
        STATEFULSET_GVK,
      );
    }
  }

  private recordClaimEvent(set: StatefulSet, pod: Pod, claim: PersistentVolumeClaim, err?: unknown): void {
    if (err === undefined) {
      void this.deps.recorder.event(
        set,
        'Normal',
        'SuccessfulCreate',
        `create Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`,
        STATEFULSET_GVK,
      );
    } else {
      void this.deps.recorder.event(
        set,
        'Warning',
        'FailedCreate',
        `create Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error)?.message ?? String(err)}`,
        STATEFULSET_GVK,
      );
    }
  }
}

function sameRefs(a: OwnerReference[], b: OwnerReference[]): boolean {
  const key = (rs: OwnerReference[]) => canonicalJSON([...rs].sort((x, y) => x.uid.localeCompare(y.uid)));
  return key(a) === key(b);
}
