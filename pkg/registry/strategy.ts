// Per-type behaviour plugged into the generic store (pkg/registry/store.ts),
// after Kubernetes' RESTCreateStrategy / RESTUpdateStrategy / RESTDeleteStrategy.
import type { KubeObject } from '../../api/meta/v1/types.js';
import type { StatusCause } from '../../api/meta/v1/status.js';

export interface Strategy {
  /** Fill in defaults, as Kubernetes' SetDefaults_* do. Runs on create and update (and on patched results). */
  defaults?(obj: KubeObject): void;
  /** Semantic checks beyond the schema (names, labels, selectors, ...). Return one cause per offending field. */
  validate?(obj: KubeObject): StatusCause[];
  /** Checks that need the previous version (immutable fields, ...). */
  validateUpdate?(obj: KubeObject, old: KubeObject): StatusCause[];
  /** metadata.generation starts at 1 and counts spec changes (kinds whose controllers report observedGeneration). */
  tracksGeneration?: boolean;
  /** A status sent on create is kept (a Node registers with its status); otherwise the server resets it. */
  allowCreateWithStatus?: boolean;
  /** Seconds a deletion waits before the object goes (a pod's kubelet stops its containers first); 0 when absent. */
  gracePeriod?(obj: KubeObject, requested: number | undefined): number;
  /** DELETE answers with the deleted object rather than a Status (upstream's Store.ReturnDeletedObject). */
  returnDeletedObject?: boolean;
}

/** Strategy plus hooks the generic store calls at fixed points. */
export interface StrategyWithHooks extends Strategy {
  /** On create only, after metadata.uid/name are assigned and defaults() ran: status reset and uid-derived fields (Job selectors, ...). */
  prepareForCreate?(obj: KubeObject): void;
}
