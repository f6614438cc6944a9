// What the kubelet reads of Secrets and ConfigMaps (upstream's
// pkg/kubelet/util/manager/manager.go and cache_based_manager.go): pods are
// registered as they are added or updated and unregistered when they go; only
// the objects registered pods refer to can be read, from an ObjectCache that
// watches exactly those.
import type { Pod } from '../../../../api/core/v1/types.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { ObjectCache } from './watch_based_manager.js';

export interface Manager<T extends KubeObject> {
  /** The object, undefined when it does not exist; throws when no registered pod refers to it or it cannot be read. */
  getObject(namespace: string, name: string): Promise<T | undefined>;
  /** Starts (or, for an updated pod, adjusts) watching what the pod refers to. */
  registerPod(pod: Pod): void;
  /** Stops watching what only this pod referred to. */
  unregisterPod(pod: Pod): void;
  /** The UIDs of registered pods that refer to namespace/name. */
  podsReferencing(namespace: string, name: string): string[];
  stop(): Promise<void>;
}

/** The names of the objects of this manager's kind that a pod refers to. */
export type ReferencedObjects = (pod: Pod) => Set<string>;

/** upstream's cacheBasedManager: registered pods by UID, and the references each holds in the cache. */
export class CacheBasedManager<T extends KubeObject> implements Manager<T> {
  private readonly registered = new Map<string, Pod>();

  constructor(
    private readonly cache: ObjectCache<T>,
    private readonly referenced: ReferencedObjects,
  ) {}

  getObject(namespace: string, name: string): Promise<T | undefined> {
    return this.cache.get(namespace, name);
  }

  registerPod(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    const ns = pod.metadata.namespace ?? '';
    const prev = this.registered.get(uid);
    this.registered.set(uid, pod);
    // New references first, so an object both versions use keeps its reflector.
    for (const name of this.referenced(pod)) this.cache.addReference(ns, name, uid);
    if (prev) for (const name of this.referenced(prev)) this.cache.deleteReference(prev.metadata.namespace ?? '', name, uid);
  }

  unregisterPod(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    const prev = this.registered.get(uid);
    if (!prev) return;
    this.registered.delete(uid);
    for (const name of this.referenced(prev)) this.cache.deleteReference(prev.metadata.namespace ?? '', name, uid);
  }

  podsReferencing(namespace: string, name: string): string[] {
    return this.cache.referencedBy(namespace, name);
  }

  stop(): Promise<void> {
    this.registered.clear();
    return this.cache.stop();
  }
}
