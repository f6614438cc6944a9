// controller.UIDTrackingControllerExpectations on top of pkg/client's
// ControllerExpectations: deletions are tracked by pod key, so a pod observed
// "deleted" twice (first its deletionTimestamp, then its removal) lowers the
// expected deletions only once.
import { ControllerExpectations } from '../../client/controllerutil.js';

export class UIDTrackingExpectations {
  private readonly deleting = new Map<string, Set<string>>();

  constructor(readonly inner: ControllerExpectations = new ControllerExpectations()) {}

  satisfied(key: string): boolean {
    return this.inner.satisfied(key);
  }

  expectCreations(key: string, adds: number): void {
    this.inner.expectCreations(key, adds);
  }

  creationObserved(key: string): void {
    this.inner.creationObserved(key);
  }

  /** ExpectDeletions with the keys of the pods about to be deleted. */
  expectDeletions(key: string, podKeys: string[]): void {
    this.deleting.set(key, new Set(podKeys));
    this.inner.expectDeletions(key, podKeys.length);
  }

  /** DeletionObserved: lowers the expectation only for a pod we asked to delete and had not seen go yet. */
  deletionObserved(key: string, podKey: string): void {
    const keys = this.deleting.get(key);
    if (!keys || !keys.delete(podKey)) return;
    this.inner.deletionObserved(key);
  }

  deleteExpectations(key: string): void {
    this.deleting.delete(key);
    this.inner.deleteExpectations(key);
  }
}
