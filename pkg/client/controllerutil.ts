// Owner references and client-go/controller's ControllerExpectations: a controller
// records how many creates/deletes it has issued, and does not act again for that
// owner until its informer has observed them (or 5 minutes pass), so it never
// over-creates while its own writes are still in flight.
import type { KubeObject, OwnerReference } from '../../api/meta/v1/types.js';

/** metav1.GetControllerOf: the ownerReference with controller: true. */
export function controllerRef(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** metav1.IsControlledBy. */
export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = controllerRef(obj);
  return ref !== undefined && owner.metadata.uid !== undefined && ref.uid === owner.metadata.uid;
}

/** metav1.NewControllerRef: controller and blockOwnerDeletion set. */
export function newControllerRef(owner: KubeObject, gvk: { apiVersion: string; kind: string }): OwnerReference {
  if (!owner.metadata.name || !owner.metadata.uid) throw new Error('newControllerRef: owner needs metadata.name and metadata.uid');
  return { apiVersion: gvk.apiVersion, kind: gvk.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/** client-go's ExpectationsTimeout. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

export interface ControlleeExpectations {
  add: number;
  del: number;
  timestamp: number;
}

export class ControllerExpectations {
  private readonly store = new Map<string, ControlleeExpectations>();

  constructor(
    private readonly now: () => number = Date.now,
    readonly ttlMs = EXPECTATIONS_TIMEOUT_MS,
  ) {}

  getExpectations(key: string): ControlleeExpectations | undefined {
    return this.store.get(key);
  }

  /** SetExpectations: replaces whatever was expected. */
  setExpectations(key: string, add: number, del: number): void {
    this.store.set(key, { add, del, timestamp: this.now() });
  }

  expectCreations(key: string, adds: number): void {
    this.setExpectations(key, adds, 0);
  }

  expectDeletions(key: string, dels: number): void {
    this.setExpectations(key, 0, dels);
  }

  raiseExpectations(key: string, add: number, del: number): void {
    const e = this.store.get(key);
    if (e) {
      e.add += add;
      e.del += del;
    }
  }

  lowerExpectations(key: string, add: number, del: number): void {
    const e = this.store.get(key);
    if (e) {
      e.add -= add;
      e.del -= del;
    }
  }

  creationObserved(key: string): void {
    this.lowerExpectations(key, 1, 0);
  }

  deletionObserved(key: string): void {
    this.lowerExpectations(key, 0, 1);
  }

  deleteExpectations(key: string): void {
    this.store.delete(key);
  }

  /**
   * SatisfiedExpectations: true when nothing is recorded (first sync), when every
   * expected create/delete was observed, or when the record expired (a watch event
   * was lost; sync rather than wait forever).
   */
  satisfied(key: string): boolean {
    const e = this.store.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.now() - e.timestamp > this.ttlMs;
  }
}
