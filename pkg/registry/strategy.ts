// Per-type behaviour plugged into the generic store (pkg/registry/store.ts),
// after Kubernetes' RESTCreateStrategy / RESTUpdateStrategy.
import type { KubeObject } from '../../api/meta/v1/types.js';
import type { StatusCause } from '../../api/meta/v1/status.js';

export interface Strategy {
  /** Fill in defaults, as Kubernetes' SetDefaults_* do. Runs on create and update (and on patched results). */
  defaults?(obj: KubeObject): void;
  /** Semantic checks beyond the schema (names, labels, selectors, ...). Return one cause per offending field. */
  validate?(obj: KubeObject): StatusCause[];
  /** Checks that need the previous version (immutable fields, ...). */
  validateUpdate?(obj: KubeObject, old: KubeObject): StatusCause[];
}
