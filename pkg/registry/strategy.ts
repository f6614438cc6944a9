// Per-type behaviour plugged into the generic store (pkg/registry/store.ts),
// after Kubernetes' RESTCreateStrategy / RESTUpdateStrategy / RESTDeleteStrategy.
import type { KubeObject } from '../../api/meta/v1/types.js';
import type { StatusCause } from '../../api/meta/v1/status.js';
import type { UserInfo } from '../auth/user.js';
import type { Conversion } from '../../api/conversion.js';
import type { PrinterColumn } from './printers/index.js';
import type { SchemaNode } from '../../api/schema/types.js';

/** A conversion that may call out, and converts many objects in one call (one ConversionReview per list). */
export interface BatchConversion {
  /** apiVersion objects are stored at. */
  storageVersion: string;
  /** The objects at apiVersion, in order; objects already there come back as they are. asList: a list's items. */
  convert(objs: KubeObject[], apiVersion: string, asList?: boolean): Promise<KubeObject[]>;
}

/** A schema check's outcome: 422 causes, and the paths of unknown fields it pruned. */
export interface SchemaValidation {
  causes: StatusCause[];
  unknownFields: string[];
}

export interface Strategy {
  /** Fill in defaults, as Kubernetes' SetDefaults_* do. Runs on create and update (and on patched results). */
  defaults?(obj: KubeObject): void;
  /** Semantic checks beyond the schema (names, labels, selectors, ...). Return one cause per offending field. */
  validate?(obj: KubeObject): StatusCause[];
  /** Checks of a new object only (upstream validates creates and updates apart for a few kinds). */
  validateCreate?(obj: KubeObject): StatusCause[];
  /** Checks that need the previous version (immutable fields, ...); subresource: the subresource written ('status', 'approval'). */
  validateUpdate?(obj: KubeObject, old: KubeObject, subresource?: string): StatusCause[];
  /**
   * The kind's own update rules, once the store has merged the request into the stored object
   * (upstream's PrepareForUpdate of the strategy, or of its status or approval strategy).
   */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, subresource: string | undefined): void;
  /** metadata.generation starts at 1 and counts spec changes (kinds whose controllers report observedGeneration). */
  tracksGeneration?: boolean;
  /** Status changes count as spec changes for metadata.generation (custom resources without a status subresource). */
  generationIncludesStatus?: boolean;
  /** A status sent on create is kept (a Node registers with its status); otherwise the server resets it. */
  allowCreateWithStatus?: boolean;
  /** Seconds a deletion waits before the object goes (a pod's kubelet stops its containers first); 0 when absent. */
  gracePeriod?(obj: KubeObject, requested: number | undefined): number;
  /** DELETE answers with the deleted object rather than a Status (upstream's Store.ReturnDeletedObject). */
  returnDeletedObject?: boolean;
  /**
   * Custom resources: the CRD version's structural schema, in place of the built-in schemas (prunes obj in place),
   * and its validation rules (old: the stored object on an update; warnings: where ratcheted failures go).
   */
  validateSchema?(obj: KubeObject, old?: KubeObject, warnings?: string[]): SchemaValidation;
  /** Objects are stored at another version (custom resources: the CRD's storage version). */
  conversion?: Conversion;
  /** Conversion that calls out (a CRD's conversion webhook), in place of conversion: many objects per call. */
  batchConversion?: BatchConversion;
  /** Strategic merge patches are refused with 415 (custom resources have no patch strategies). */
  refusesStrategicMergePatch?: boolean;
  /** Custom resources: the CRD version's schema for server-side apply and managedFields (built-in kinds have theirs). */
  schema?: SchemaNode;
  /** Custom resources: the CRD version's additionalPrinterColumns for Table output. */
  printerColumns?: PrinterColumn[];
}

/** Strategy plus hooks the generic store calls at fixed points. */
export interface StrategyWithHooks extends Strategy {
  /**
   * On create only, after metadata.uid/name are assigned and defaults() ran: status reset and uid-derived
   * fields (Job selectors, ...); user is who creates it (a CertificateSigningRequest records the requester).
   */
  prepareForCreate?(obj: KubeObject, user?: UserInfo): void;
}
