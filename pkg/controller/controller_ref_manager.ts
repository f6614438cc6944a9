// controller.ControllerRefManager (pkg/controller/controller_ref_manager.go),
// shared by the workload controllers: claiming (keep the objects an owner
// controls and still selects, release the ones it controls that no longer
// match, adopt matching orphans once a fresh read shows the owner is not being
// deleted), and the event-handler plumbing that maps an object to its owner.
import type { KubeObject, OwnerReference } from '../../api/meta/v1/types.js';
import { controllerRef } from '../client/controllerutil.js';
import { isStatus } from '../client/rest.js';
import { selectorFromLabelSelector, type LabelSelector } from '../../api/labels/selector.js';

export interface ClaimOptions<T extends KubeObject> {
  /** The would-be controller. */
  owner: KubeObject;
  /** Whether obj belongs to the owner: its selector, plus any controller-specific filter. */
  match: (obj: T) => boolean;
  /** Makes the owner obj's controller; the object to report as claimed, or undefined when there is none (e.g. it vanished). */
  adopt: (obj: T) => Promise<T | undefined>;
  /** Removes the owner's reference from obj. */
  release: (obj: T) => Promise<void>;
  /**
   * Asked before each adoption; false (or a rejection) means do not adopt.
   * Wrap it in canAdoptOnce to read the owner once per claim, as upstream does.
   */
  canAdopt: () => Promise<boolean>;
}

/**
 * ClaimObject: obj if the owner controls it (after adopting it if it was a
 * matching orphan), undefined if not; releases it if the owner controls it but
 * it no longer matches. Errors propagate.
 */
export async function claimObject<T extends KubeObject>(obj: T, opts: ClaimOptions<T>): Promise<T | undefined> {
  const { owner } = opts;
  const ref = controllerRef(obj);
  if (ref) {
    if (ref.uid !== (owner.metadata.uid ?? '')) return undefined; // someone else's
    if (opts.match(obj)) return obj;
    // Ours but no longer matching: release it, unless we are being deleted.
    if (owner.metadata.deletionTimestamp) return undefined;
    await opts.release(obj);
    return undefined;
  }
  // An orphan.
  if (owner.metadata.deletionTimestamp || obj.metadata.deletionTimestamp || !opts.match(obj)) return undefined;
  if (!(await opts.canAdopt())) return undefined;
  return opts.adopt(obj);
}

/**
 * Claim every object, carrying on past failures: an object gone meanwhile
 * (404), or whose ownerReferences or uid changed while being released (422),
 * has nothing to claim; other errors are collected and thrown together at the end.
 */
export async function claimObjects<T extends KubeObject>(objs: T[], opts: ClaimOptions<T>): Promise<T[]> {
  const claimed: T[] = [];
  const errors = new Set<string>();
  for (const obj of objs) {
    try {
      const c = await claimObject(obj, opts);
      if (c) claimed.push(c);
    } catch (err) {
      if (isStatus(err, 404)) continue;
      if (controllerRef(obj) && isStatus(err, 422)) continue;
      errors.add((err as Error)?.message ?? String(err));
    }
  }
  if (errors.size) throw new Error([...errors].join('; '));
  return claimed;
}

/** canAdoptOnce: the check runs at the first adoption of a claim and its outcome (or rejection) is reused. */
export function canAdoptOnce(check: () => Promise<boolean>): () => Promise<boolean> {
  let result: Promise<boolean> | undefined;
  return () => (result ??= check());
}

/** RecheckDeletionTimestamp: rejects unless a fresh read shows the same owner, not being deleted. */
export async function recheckDeletionTimestamp(owner: KubeObject, kind: string, getFresh: () => Promise<KubeObject>): Promise<true> {
  const fresh = await getFresh();
  const { namespace, name, uid } = owner.metadata;
  if (fresh.metadata.uid !== uid) throw new Error(`original ${kind} ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`);
  if (fresh.metadata.deletionTimestamp) throw new Error(`${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  return true;
}

/** A patch that makes ref the object's controller (uid guards against a recreated namesake). */
export function adoptPatch(obj: KubeObject, ref: OwnerReference): unknown {
  return { metadata: { ownerReferences: [ref], uid: obj.metadata.uid } };
}

/** A patch that removes the owner's reference from the object. */
export function releasePatch(obj: KubeObject, ownerUID: string | undefined): unknown {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUID }], uid: obj.metadata.uid } };
}

/**
 * resolveControllerRef: the owner a controllerRef names, if it is still that
 * object (same uid). Wrong kind — or, when group is given, wrong API group —
 * is not looked up at all.
 */
export function resolveControllerRef<O extends KubeObject>(
  lister: { get(namespace: string, name: string): O | undefined },
  namespace: string,
  ref: OwnerReference | undefined,
  kind: string,
  group?: string,
): O | undefined {
  if (!ref || ref.kind !== kind) return undefined;
  if (group !== undefined && !ref.apiVersion.startsWith(`${group}/`)) return undefined;
  const owner = lister.get(namespace, ref.name);
  return owner && owner.metadata.uid === ref.uid ? owner : undefined;
}

/**
 * get<Object><Owners>: owners whose (valid, non-empty) selector matches an
 * orphan's labels — the candidates to adopt it. An orphan without labels has none.
 */
export function ownersSelecting<O extends KubeObject>(
  owners: O[],
  labels: Record<string, string> | undefined,
  selectorOf: (owner: O) => LabelSelector | null | undefined,
): O[] {
  if (!labels || Object.keys(labels).length === 0) return [];
  return owners.filter((owner) => {
    try {
      const sel = selectorFromLabelSelector(selectorOf(owner));
      return !sel.isEmpty() && sel.matches(labels);
    } catch {
      return false;
    }
  });
}
