// The generic registry store, after Kubernetes' generic registry: every served
// resource goes through the same create/update/patch/delete logic here, and a
// per-type Strategy supplies defaults, validation and the kind's own rules. Every
// read-modify-write is one guaranteedUpdate (pkg/storage/store.ts).
import { runAdmissionPhase, type AdmissionMetrics, type NamedAdmissionPlugin } from './admission/metrics.js';
import { copyJSON } from '../storage/objectjson.js';
import type { UserInfo } from '../auth/user.js';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, ObjectMeta } from '../../api/meta/v1/types.js';
import { apiVersionOf } from '../../api/meta/v1/types.js';
import { StatusError, newBadRequest, newConflict, newInvalid, newNotFound, type StatusCause } from '../../api/meta/v1/status.js';
import { schemaForKind } from '../../api/schema/build.js';
import { validateObject } from '../../api/schema/validate.js';
import { conversionFor, type Conversion } from '../../api/conversion.js';
import { applyJSONPatch } from './patch/jsonpatch.js';
import { applyMergePatch } from './patch/mergepatch.js';
import { applyStrategicMergePatch } from './patch/strategic.js';
import { applyPatch as serverSideApply, conflictError, createdManagedFields, updateManagedFields } from './patch/apply.js';
import type { ResourceInfo } from '../../api/resourceinfo.js';
import { DELETE_OBJECT, type ResourceStorage, type ListOptions, type ListResult, type UpdateResult } from '../storage/store.js';
import type { CacheWatchHandlers, WatchFilter } from '../storage/cacher.js';
import type { BatchConversion, StrategyWithHooks } from './strategy.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** What a request brings besides its body. */
export interface RequestContext {
  namespace?: string;
  dryRun: boolean;
  fieldManager?: string;
  fieldValidation: FieldValidation;
  force?: boolean;
  /** Warnings to send back as `Warning: 299 - "..."` headers. */
  warnings: string[];
  /** Who asks (after impersonation); absent for the apiserver's own writes. */
  user?: UserInfo;
  /**
   * Adds an annotation to the request's audit event (upstream's audit.AddAuditAnnotation, e.g.
   * pod-security.kubernetes.io/enforce-policy); the first value of a key stays. Absent when the
   * request is not audited.
   */
  addAuditAnnotation?: (key: string, value: string) => void;
}

export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
}

export interface DeleteResult {
  /** The object as deleted, or as marked for deletion when finalizers or a grace period hold it. */
  object: KubeObject;
  /** Whether it is gone from storage (with dryRun: would be). */
  deleted: boolean;
}

/** Computes the object to write from the current one (upstream's rest.UpdatedObjectInfo); may run more than once. */
export type UpdatedObject = (current: KubeObject) => KubeObject | Promise<KubeObject>;

/** Hooks for resources that need more than a Strategy (allocation, lifecycle checks). */
export interface StoreHooks {
  /** Before the first write of a new object (after defaults and validation). */
  beforeCreate?(obj: KubeObject, ctx: RequestContext): Promise<void>;
  /** subresource: 'status' for a status write. */
  beforeUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext, subresource?: string): Promise<void>;
  /** Refuses a deletion outright (e.g. of a system namespace). */
  beforeDelete?(obj: KubeObject, ctx?: RequestContext): void;
  /** After the object is gone from storage (release allocations). */
  afterDelete?(obj: KubeObject): Promise<void>;
  /** Extra finalizer-like conditions that hold an object with a deletionTimestamp in storage. */
  pendingFinalization?(obj: KubeObject): boolean;
  /** Changes made when deletion starts (e.g. a namespace's phase becomes Terminating). */
  onDeletionStarted?(obj: KubeObject): void;
}

/**
 * An admission plugin on creates (and updates), after upstream's admission chain (k8s.io/apiserver/pkg/admission):
 * a mutating step that may change the new object before it is validated, then a validating step
 * that may only refuse it. Plugins that read other resources (RuntimeClass, DefaultIngressClass)
 * are added by the registry to the store of the kind they admit.
 */
export interface AdmissionPlugin extends NamedAdmissionPlugin {
  /** Mutating admission of a create: runs after the kind's defaults, before validation. */
  admitCreate?(obj: KubeObject, ctx: RequestContext): Promise<void>;
  /** Validating admission of a create: runs after validation; throws to refuse. */
  validateCreate?(obj: KubeObject, ctx: RequestContext): Promise<void>;
  /** Mutating admission of an update (subresource: 'status', ...): runs after the kind's defaults, before validation. */
  admitUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext, subresource?: string): Promise<void>;
  /** Validating admission of an update that writes something (subresource: 'status', ...); throws to refuse. */
  validateUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext, subresource?: string): Promise<void>;
  /** Validating admission of a delete, with the object as stored; throws to refuse. */
  validateDelete?(old: KubeObject, ctx: RequestContext): Promise<void>;
  /** Validating admission of a CONNECT (exec, attach, port-forward, proxy), given its options object; throws to refuse. */
  validateConnect?(options: KubeObject, name: string, subresource: string, ctx: RequestContext): Promise<void>;
}

export interface NamespaceLifecycle {
  /** Throws NotFound / Forbidden when objects cannot be created in the namespace. */
  admit(namespace: string, ref: { group: string; resource: string; name?: string }): Promise<void>;
}

/** What one try of a read-modify-write decided. */
interface Decision {
  /** The object to store (at the storage version), DELETE_OBJECT, or undefined: nothing to write. */
  write: UpdateResult;
  /** The answer when nothing is written (a no-op, a dry run), or the object deleted; else the stored object. */
  answer?: KubeObject;
  /** The object is deleted (or with dryRun would be). */
  deletes?: boolean;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

let stampSecond = -1;
let stamp = '';

/** The current time in seconds, as Kubernetes writes timestamps; formatted once per second (every write asks). */
export function nowRFC3339(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== stampSecond) {
    stampSecond = second;
    stamp = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return stamp;
}

/** The parts of an object that are its "spec": everything but metadata and status. */
function specOf(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

function isNotFound(err: unknown): boolean {
  return err instanceof StatusError && err.code === 404;
}

export class Store {
  readonly apiVersion: string;
  private readonly hasStatus: boolean;
  private readonly hasSpec: boolean;
  private readonly conversion?: Conversion;
  private readonly batchConversion?: BatchConversion;
  /** Whether any object names this uid as an owner (set by the registry, which sees every resource). */
  dependents?: (uid: string) => boolean;
  /** Admission plugins on creates, in order (added by the registry). */
  readonly admission: AdmissionPlugin[] = [];
  /** Where admission phases and plugins are timed (set by the registry when it has metrics). */
  admissionMetrics?: AdmissionMetrics;

  constructor(
    readonly info: ResourceInfo,
    readonly storage: ResourceStorage,
    private readonly strategy: StrategyWithHooks,
    private readonly namespaces: NamespaceLifecycle | undefined,
    private readonly hooks: StoreHooks = {},
  ) {
    this.apiVersion = apiVersionOf(info.group, info.version);
    this.hasStatus = (info.subresources ?? []).includes('status');
    // Built-in kinds always have their spec; a custom resource has what its client sent.
    this.hasSpec = !strategy.schema && this.schema()?.properties?.spec !== undefined;
    this.batchConversion = strategy.batchConversion;
    if (!this.batchConversion) this.conversion = strategy.conversion ?? conversionFor(info.group, info.version, info.kind);
  }

  /** The CRD version's printer columns (custom resources only). */
  get printerColumns() {
    return this.strategy.printerColumns;
  }

  /** A kind with a spec always has one, as Go's value-typed Spec field is always written (`"spec": {}`). */
  /** The kind's defaults (a spec, always, for kinds that have one): on every write, and on an object admission changed. */
  setDefaults(obj: KubeObject): void {
    if (this.hasSpec && (obj.spec === undefined || obj.spec === null)) obj.spec = {};
    this.strategy.defaults?.(obj);
  }

  /** Whether objects are stored at another version than this store serves. */
  get converts(): boolean {
    return this.conversion !== undefined || this.batchConversion !== undefined;
  }

  /** Whether conversion calls out (a conversion webhook): objects come out through presentAll, not present. */
  get convertsAsync(): boolean {
    return this.batchConversion !== undefined;
  }

  /** DELETE answers with the deleted object rather than a Status. */
  get returnDeletedObject(): boolean {
    return this.strategy.returnDeletedObject ?? false;
  }

  private async toStorage(obj: KubeObject): Promise<KubeObject> {
    if (this.batchConversion) return (await this.batchConversion.convert([obj], this.batchConversion.storageVersion))[0];
    return this.conversion ? this.conversion.toStorage(obj) : obj;
  }

  private ref(name?: string) {
    return { group: this.info.group, resource: this.info.plural, name };
  }

  private schema() {
    return this.strategy.schema ?? schemaForKind(this.info.group, this.info.version, this.info.kind);
  }

  /**
   * Objects come out at this store's version, in order: with a conversion webhook, those
   * stored at another version are converted in one call.
   */
  async presentAll(objs: KubeObject[], asList = false): Promise<KubeObject[]> {
    const batch = this.batchConversion;
    if (batch && objs.some((o) => o.apiVersion !== this.apiVersion)) objs = await batch.convert(objs, this.apiVersion, asList);
    return objs.map((o) => this.present(o));
  }

  private async output(obj: KubeObject): Promise<KubeObject> {
    return this.batchConversion ? (await this.presentAll([obj]))[0] : this.present(obj);
  }

  /** Objects come out at this store's version, with apiVersion and kind set (already converted, with a conversion webhook: presentAll). */
  present(obj: KubeObject): KubeObject {
    // Stored at another version (the storage version, or a custom resource's earlier one).
    if (this.conversion && obj.apiVersion !== this.apiVersion) obj = this.conversion.fromStorage(obj);
    const out = { apiVersion: this.apiVersion, kind: this.info.kind, ...obj, metadata: obj.metadata };
    // Without a conversion the content is obj's (its own apiVersion and kind win), so is its JSON.
    if (!this.conversion) copyJSON(obj, out);
    return out;
  }

  /** A consistent read; the object (below its top level) is shared with the watch cache: read it, do not change it. */
  async get(ctx: RequestContext, name: string): Promise<KubeObject> {
    const obj = await this.storage.getConsistent(ctx.namespace, name);
    if (!obj) throw newNotFound(this.ref(name));
    return this.output(obj);
  }

  /** The object as the watch cache has it (a moment behind etcd at most), or undefined; shared: do not change it. */
  async getCached(namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const obj = await this.storage.getCached(namespace, name);
    return obj && this.output(obj);
  }

  /** The object, or undefined when there is none. */
  async getIfExists(ctx: RequestContext, name: string): Promise<KubeObject | undefined> {
    const obj = await this.storage.get(ctx.namespace, name);
    return obj && this.output(obj);
  }

  async list(opts: ListOptions & { asJSON?: boolean }): Promise<ListResult & { itemsJSON?: string[] }> {
    const res = await this.storage.listMaybeJSON({ ...opts, asJSON: opts.asJSON && !this.converts });
    return { ...res, items: this.batchConversion ? await this.presentAll(res.items, true) : res.items.map((o) => this.present(o)) };
  }

  /**
   * A watch from the watch cache (410 Expired for a resourceVersion it cannot serve).
   * resourceVersion is the cache's once the watch is registered: what a client has
   * seen when the initial events have been sent.
   */
  async watch(
    opts: { namespace?: string; filter?: WatchFilter; resourceVersion?: string },
    handlers: CacheWatchHandlers,
  ): Promise<{ cancel: () => void; resourceVersion: number }> {
    const cancel = await this.storage.watch(opts, handlers);
    return { cancel, resourceVersion: this.storage.cache.resourceVersion };
  }

  /**
   * The read-modify-write every write of an existing object goes through:
   * tryUpdate decides on the stored object (its own copy), guaranteedUpdate retries
   * it on the newer value when another writer came first.
   */
  private async guaranteedUpdate(
    namespace: string | undefined,
    name: string,
    tryUpdate: (stored: KubeObject) => Decision | Promise<Decision>,
  ): Promise<DeleteResult> {
    let last: Decision = { write: undefined };
    const stored = await this.storage.guaranteedUpdate(namespace, name, async (current) => {
      last = await tryUpdate(current);
      return last.write;
    });
    if (last.write === DELETE_OBJECT) {
      await this.hooks.afterDelete?.(stored);
      const answer = last.answer ?? stored;
      return { object: await this.output({ ...answer, metadata: { ...answer.metadata, resourceVersion: stored.metadata.resourceVersion } }), deleted: true };
    }
    return { object: await this.output(last.write ? stored : (last.answer ?? stored)), deleted: !!last.deletes };
  }

  // ---- create ----

  /** bodyIsCopy: the caller hands over a body nobody else holds (a request's decoded body), so it is not cloned. */
  async create(ctx: RequestContext, body: KubeObject, bodyIsCopy = false): Promise<KubeObject> {
    return this.createObject(ctx, bodyIsCopy ? body : clone(body));
  }

  /** managedFields: the entries to store (server-side apply's), instead of an Update entry for ctx's manager. */
  private async createObject(ctx: RequestContext, body: KubeObject, managedFields?: ObjectMeta['managedFields']): Promise<KubeObject> {
    const obj = this.checkIdentity(ctx, body, undefined);
    const meta = obj.metadata;
    const generateName = !meta.name && meta.generateName ? meta.generateName : undefined;
    if (generateName) meta.name = generatedName(generateName);
    if (this.info.namespaced && ctx.namespace && this.namespaces) await this.namespaces.admit(ctx.namespace, this.ref(meta.name));
    // Fields the server owns.
    meta.uid = randomUUID();
    meta.creationTimestamp = nowRFC3339();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    if (this.strategy.tracksGeneration) meta.generation = 1;
    else delete meta.generation;
    // Status is the server's to set, unless the kind is created with it.
    if (this.hasStatus && !this.strategy.allowCreateWithStatus) delete obj.status;
    this.setDefaults(obj);
    this.strategy.prepareForCreate?.(obj, ctx.user);
    await runAdmissionPhase(this.admission, this.admissionMetrics, 'admit', 'CREATE', (p) => p.admitCreate?.(obj, ctx));
    this.validate(ctx, obj, undefined);
    await runAdmissionPhase(this.admission, this.admissionMetrics, 'validate', 'CREATE', (p) => p.validateCreate?.(obj, ctx));
    await this.hooks.beforeCreate?.(obj, ctx);
    obj.metadata.managedFields = managedFields ?? this.managedFieldsFor(undefined, obj, ctx, undefined);
    if (ctx.dryRun) return this.present(obj);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.output(await this.storage.create(await this.toStorage(obj)));
      } catch (err) {
        // A generated name that collides gets another try, as Kubernetes' client-side retry would.
        if (err instanceof StatusError && err.reason === 'AlreadyExists' && generateName && attempt < 3) {
          obj.metadata.name = generatedName(generateName);
          continue;
        }
        throw err;
      }
    }
  }

  // ---- update ----

  /** PUT: the body replaces the object; a resourceVersion in it must be the stored one. */
  async update(ctx: RequestContext, name: string, body: KubeObject, subresource?: string): Promise<KubeObject> {
    // The checked copy serves the first try; a retry (the object changed meanwhile) takes a fresh one.
    let checked: KubeObject | undefined = this.checkIdentity(ctx, clone(body), name);
    const wantRV = checked.metadata.resourceVersion;
    return this.updateWith(
      ctx,
      name,
      (current) => {
        if (wantRV && wantRV !== current.metadata.resourceVersion) {
          throw newConflict(this.ref(name), 'the object has been modified; please apply your changes to the latest version and try again');
        }
        const incoming = checked ?? this.checkIdentity(ctx, clone(body), name);
        checked = undefined;
        return incoming;
      },
      subresource,
    );
  }

  /**
   * An update whose new object is computed from the current one (scale, ...):
   * updatedObject gets its own copy at this store's version and returns the whole
   * new object, which goes through the same checks as a PUT.
   */
  async updateWith(ctx: RequestContext, name: string, updatedObject: UpdatedObject, subresource?: string): Promise<KubeObject> {
    const res = await this.guaranteedUpdate(ctx.namespace, name, async (stored) => {
      const incoming = await updatedObject(await this.output(clone(stored)));
      return this.commitUpdate(ctx, stored, incoming, subresource);
    });
    return res.object;
  }

  /** Shared by update and patch: merge server-owned fields, validate, and decide the write (none for a no-op). */
  private async commitUpdate(
    ctx: RequestContext,
    stored: KubeObject,
    incoming: KubeObject,
    subresource?: string,
    managedFieldsOverride?: ObjectMeta['managedFields'],
  ): Promise<Decision> {
    const old = await this.output(stored);
    let obj: KubeObject;
    // Subresources that write part of the object: the status, a CertificateSigningRequest's approval.
    if (subresource === 'status' || subresource === 'approval') {
      obj = clone(old);
      obj.status = incoming.status;
      // Status writers may still touch labels/annotations, as in Kubernetes.
      obj.metadata.labels = incoming.metadata.labels;
      obj.metadata.annotations = incoming.metadata.annotations;
    } else {
      obj = incoming;
      if (this.hasStatus) {
        if (old.status === undefined) delete obj.status;
        else obj.status = clone(old.status);
      }
    }
    const meta = obj.metadata;
    const oldMeta = old.metadata;
    meta.name = oldMeta.name;
    meta.namespace = oldMeta.namespace;
    meta.uid = oldMeta.uid;
    meta.creationTimestamp = oldMeta.creationTimestamp;
    if (oldMeta.deletionTimestamp) meta.deletionTimestamp = oldMeta.deletionTimestamp;
    else delete meta.deletionTimestamp;
    if (oldMeta.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
    else delete meta.deletionGracePeriodSeconds;
    if (oldMeta.generateName !== undefined) meta.generateName = oldMeta.generateName;
    meta.resourceVersion = oldMeta.resourceVersion;
    if (oldMeta.deletionTimestamp) {
      const added = (meta.finalizers ?? []).filter((f) => !(oldMeta.finalizers ?? []).includes(f));
      if (added.length)
        throw newInvalid(this.info.kind, this.info.group, meta.name ?? '', [
          {
            reason: 'FieldValueForbidden',
            field: 'metadata.finalizers',
            message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
          },
        ]);
    }
    this.strategy.prepareForUpdate?.(obj, old, subresource);
    this.setDefaults(obj);
    await runAdmissionPhase(this.admission, this.admissionMetrics, 'admit', 'UPDATE', (p) => p.admitUpdate?.(obj, old, ctx, subresource));
    this.validate(ctx, obj, old, subresource);
    if (this.strategy.tracksGeneration) {
      const changed = this.strategy.generationIncludesStatus
        ? !isDeepStrictEqual([specOf(obj), obj.status], [specOf(old), old.status])
        : !isDeepStrictEqual(specOf(obj), specOf(old));
      meta.generation = (oldMeta.generation ?? 1) + (changed ? 1 : 0);
    } else if (oldMeta.generation !== undefined) meta.generation = oldMeta.generation;
    await this.hooks.beforeUpdate?.(obj, old, ctx, subresource);
    meta.managedFields = managedFieldsOverride ?? this.managedFieldsFor(old, obj, ctx, subresource);

    if (isDeepStrictEqual(stripVolatile(obj), stripVolatile(old))) return { write: undefined, answer: old }; // no-op: no write, no new resourceVersion
    await runAdmissionPhase(this.admission, this.admissionMetrics, 'validate', 'UPDATE', (p) => p.validateUpdate?.(obj, old, ctx, subresource));
    if (ctx.dryRun) return { write: undefined, answer: obj };
    // The last finalizer is gone: the object's deletion completes now.
    if (meta.deletionTimestamp && !(meta.finalizers ?? []).length && !this.hooks.pendingFinalization?.(obj)) return { write: DELETE_OBJECT, answer: obj };
    return { write: await this.toStorage(obj) };
  }

  // ---- patch ----

  /** A patch of the current object; created: an apply patch made a new object. */
  async patch(ctx: RequestContext, name: string, type: PatchType, patch: unknown, subresource?: string): Promise<{ object: KubeObject; created: boolean }> {
    let refused: unknown;
    try {
      const res = await this.guaranteedUpdate(ctx.namespace, name, async (old) => {
        try {
          return await this.patchDecision(ctx, old, type, patch, subresource);
        } catch (err) {
          refused = err;
          throw err;
        }
      });
      return { object: res.object, created: false };
    } catch (err) {
      // Server-side apply creates the object when there is none.
      if (type === 'apply' && err !== refused && isNotFound(err)) return { object: await this.applyCreate(ctx, name, patch), created: true };
      throw err;
    }
  }

  private async patchDecision(ctx: RequestContext, old: KubeObject, type: PatchType, patch: unknown, subresource?: string): Promise<Decision> {
    const name = old.metadata.name ?? '';
    // Patches may change the object they are given; old stays as stored for commitUpdate.
    if (type === 'strategic' && this.strategy.refusesStrategicMergePatch) throw STRATEGIC_MERGE_PATCH_UNSUPPORTED;
    const current = await this.output(clone(old));
    let patched: KubeObject;
    let managed: ObjectMeta['managedFields'] | undefined;
    switch (type) {
      case 'json':
        patched = applyJSONPatch(current, patch) as KubeObject;
        break;
      case 'merge':
        patched = applyMergePatch(current, asObject(patch)) as KubeObject;
        break;
      case 'strategic':
        patched = applyStrategicMergePatch(current, asObject(patch), this.schema()) as KubeObject;
        break;
      case 'apply': {
        const applied = this.checkIdentity(ctx, asObject(patch) as KubeObject, name);
        const res = serverSideApply(current, applied, this.requireManager(ctx), ctx.force ?? false, this.schema(), nowRFC3339(), { subresource });
        if (res.conflicts?.length) throw conflictError(res.conflicts, this.ref(name));
        patched = res.object as KubeObject;
        managed = (patched.metadata as ObjectMeta).managedFields;
        break;
      }
    }
    if (!patched || typeof patched !== 'object' || Array.isArray(patched) || typeof patched.metadata !== 'object' || patched.metadata === null) {
      throw newBadRequest('the patch produced an object without metadata');
    }
    this.checkPatchedIdentity(patched, old);
    const rvPrecondition = patched.metadata.resourceVersion;
    if (rvPrecondition && rvPrecondition !== old.metadata.resourceVersion) {
      throw newConflict(this.ref(name), 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return this.commitUpdate(ctx, old, patched, subresource, managed);
  }

  private async applyCreate(ctx: RequestContext, name: string, patch: unknown): Promise<KubeObject> {
    const applied = this.checkIdentity(ctx, clone(asObject(patch)) as KubeObject, name);
    const manager = this.requireManager(ctx);
    const res = serverSideApply(undefined, applied, manager, ctx.force ?? false, this.schema(), nowRFC3339(), {});
    const obj = res.object as KubeObject;
    // Stored with the Apply ownership server-side apply recorded.
    return this.createObject({ ...ctx, fieldManager: manager }, obj, obj.metadata.managedFields);
  }

  private requireManager(ctx: RequestContext): string {
    if (!ctx.fieldManager) throw newBadRequest('PATCH, application/apply-patch+yaml requests must include a fieldManager query parameter');
    return ctx.fieldManager;
  }

  // ---- connect ----

  /** Admission of a CONNECT request to one object (pods/exec, nodes/proxy, ...), before it is relayed. */
  async admitConnect(ctx: RequestContext, name: string, subresource: string, options: KubeObject): Promise<void> {
    await runAdmissionPhase(this.admission, this.admissionMetrics, 'validate', 'CONNECT', (p) => p.validateConnect?.(options, name, subresource, ctx));
  }

  // ---- delete ----

  async delete(ctx: RequestContext, name: string, opts: DeleteOptions): Promise<DeleteResult> {
    return this.guaranteedUpdate(ctx.namespace, name, async (old) => {
      const current = await this.output(old);
      await runAdmissionPhase(this.admission, this.admissionMetrics, 'validate', 'DELETE', (p) => p.validateDelete?.(current, ctx));
      return this.deleteDecision(ctx, old, opts);
    });
  }

  private deleteDecision(ctx: RequestContext, old: KubeObject, opts: DeleteOptions): Decision {
    const name = old.metadata.name ?? '';
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw newConflict(this.ref(name), `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw newConflict(
        this.ref(name),
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
      );
    }
    this.hooks.beforeDelete?.(old, ctx);
    const obj = clone(old);
    const finalizers = new Set(obj.metadata.finalizers ?? []);
    const policy = opts.propagationPolicy ?? (opts.orphanDependents ? 'Orphan' : undefined);
    // Foreground and orphan deletion hand the object to the garbage collector through
    // a finalizer; with no dependents there is nothing for it to do, so skip the hand-off.
    const dependents = (policy === 'Foreground' || policy === 'Orphan') && !!obj.metadata.uid && (this.dependents?.(obj.metadata.uid) ?? true);
    if (policy === 'Foreground' && dependents) {
      finalizers.add('foregroundDeletion');
      finalizers.delete('orphan');
    } else if (policy === 'Orphan' && dependents) {
      finalizers.add('orphan');
      finalizers.delete('foregroundDeletion');
    } else if (policy) {
      finalizers.delete('orphan');
      finalizers.delete('foregroundDeletion');
    }
    const grace = this.strategy.gracePeriod?.(obj, opts.gracePeriodSeconds) ?? 0;
    const deleteNow: Decision = ctx.dryRun ? { write: undefined, answer: obj, deletes: true } : { write: DELETE_OBJECT };
    if (finalizers.size === 0 && grace === 0 && !this.hooks.pendingFinalization?.(obj)) return deleteNow;
    // Deletion is pending: mark it and let finalizers (or the kubelet) finish it.
    const meta = obj.metadata;
    if (!meta.deletionTimestamp) {
      meta.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      meta.deletionGracePeriodSeconds = grace;
      this.hooks.onDeletionStarted?.(obj);
    } else if (grace < (meta.deletionGracePeriodSeconds ?? 0)) {
      meta.deletionGracePeriodSeconds = grace;
    }
    meta.finalizers = finalizers.size ? [...finalizers] : undefined;
    if (!meta.finalizers) delete meta.finalizers;
    if (grace === 0 && finalizers.size === 0 && !this.hooks.pendingFinalization?.(obj)) return deleteNow;
    if (ctx.dryRun || isDeepStrictEqual(obj, old)) return { write: undefined, answer: obj };
    return { write: obj };
  }

  async deleteCollection(ctx: RequestContext, listOpts: ListOptions, opts: DeleteOptions): Promise<KubeObject[]> {
    const { items } = await this.storage.list(listOpts);
    const out: KubeObject[] = [];
    for (const item of items) {
      try {
        out.push((await this.delete({ ...ctx, namespace: item.metadata.namespace }, item.metadata.name ?? '', opts)).object);
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
    }
    return out;
  }

  // ---- helpers ----

  /** The body must name this kind, and the URL's namespace and name. */
  private checkIdentity(ctx: RequestContext, obj: KubeObject, urlName: string | undefined): KubeObject {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw newBadRequest('the request body must be a JSON or YAML object');
    if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
    if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw newBadRequest('metadata must be an object');
    const typeErrors = serverSetMetadataTypeErrors(obj.metadata as unknown as Record<string, unknown>);
    if (typeErrors.length) throw newInvalid(this.info.kind, this.info.group, typeof obj.metadata.name === 'string' ? obj.metadata.name : '', typeErrors);
    if (obj.kind !== undefined && obj.kind !== this.info.kind) {
      throw newBadRequest(`the kind in the body (${String(obj.kind)}) does not match the kind of the URL (${this.info.kind})`);
    }
    if (obj.apiVersion !== undefined && obj.apiVersion !== this.apiVersion) {
      throw newBadRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${this.apiVersion})`);
    }
    obj.apiVersion = this.apiVersion;
    obj.kind = this.info.kind;
    const meta = obj.metadata;
    if (this.info.namespaced) {
      if (meta.namespace && ctx.namespace && meta.namespace !== ctx.namespace) {
        throw newBadRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = ctx.namespace ?? meta.namespace;
    } else delete meta.namespace;
    if (urlName !== undefined) {
      if (meta.name && meta.name !== urlName)
        throw newBadRequest('the name of the object (' + meta.name + ') does not match the name on the URL (' + urlName + ')');
      meta.name = urlName;
    }
    return obj;
  }

  private checkPatchedIdentity(patched: KubeObject, old: KubeObject): void {
    const p = patched.metadata;
    if (
      (p.name !== undefined && p.name !== old.metadata.name) ||
      (this.info.namespaced && p.namespace !== undefined && p.namespace !== old.metadata.namespace)
    ) {
      throw newBadRequest('metadata.name and metadata.namespace cannot be changed by a patch');
    }
    if (patched.kind !== undefined && patched.kind !== this.info.kind)
      throw newBadRequest(`the kind cannot be changed by a patch (got ${String(patched.kind)})`);
    if (patched.apiVersion !== undefined && patched.apiVersion !== this.apiVersion)
      throw newBadRequest(`the apiVersion cannot be changed by a patch (got ${String(patched.apiVersion)})`);
    patched.kind = this.info.kind;
    patched.apiVersion = this.apiVersion;
  }

  /** Schema check, strict field validation, then the type's semantic checks; 422 with every cause. */
  private validate(ctx: RequestContext, obj: KubeObject, old: KubeObject | undefined, subresource?: string): void {
    // Unknown fields are dropped (Warn, Ignore) or refused (Strict), never stored.
    const schemaResult = this.strategy.validateSchema
      ? this.strategy.validateSchema(obj, old, ctx.warnings)
      : validateObject(this.info.group, this.info.version, this.info.kind, obj, { unknownFields: ctx.fieldValidation, prune: true });
    if (ctx.fieldValidation === 'Ignore') schemaResult.unknownFields = [];
    if (schemaResult.unknownFields.length) {
      if (ctx.fieldValidation === 'Strict') {
        const list = schemaResult.unknownFields.map((f) => `unknown field "${f}"`);
        throw newBadRequest(`strict decoding error: ${list.join(', ')}`);
      }
      if (ctx.fieldValidation === 'Warn') for (const f of schemaResult.unknownFields) ctx.warnings.push(`unknown field "${f}"`);
    }
    const causes: StatusCause[] = [...schemaResult.causes];
    if (!causes.length) {
      causes.push(...(this.strategy.validate?.(obj) ?? []));
      if (old) causes.push(...(this.strategy.validateUpdate?.(obj, old, subresource) ?? []));
      else causes.push(...(this.strategy.validateCreate?.(obj) ?? []));
    }
    if (causes.length) throw newInvalid(this.info.kind, this.info.group, obj.metadata.name ?? '', dedupeCauses(causes));
  }

  private managedFieldsFor(old: KubeObject | undefined, obj: KubeObject, ctx: RequestContext, subresource: string | undefined): ObjectMeta['managedFields'] {
    const manager = ctx.fieldManager ?? 'unknown';
    const given = obj.metadata.managedFields;
    if (!old && !subresource && (given === undefined || (Array.isArray(given) && given.length === 0))) {
      return createdManagedFields(obj, manager, this.schema(), nowRFC3339());
    }
    const updated = updateManagedFields(old, obj, manager, 'Update', this.schema(), nowRFC3339(), subresource) as KubeObject;
    return updated.metadata.managedFields;
  }
}

// What upstream answers a strategic merge patch of a custom resource.
const STRATEGIC_MERGE_PATCH_UNSUPPORTED = new StatusError(
  415,
  'UnsupportedMediaType',
  'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
);

function asObject(v: unknown): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw newBadRequest('the patch must be a JSON object');
  return v as Record<string, unknown>;
}

/** metadata fields the server sets, with their types: the body's values are replaced, but Go's decoder refuses wrong types first. */
const SERVER_SET_METADATA: Array<[string, 'string' | 'integer']> = [
  ['uid', 'string'],
  ['resourceVersion', 'string'],
  ['selfLink', 'string'],
  ['creationTimestamp', 'string'],
  ['deletionTimestamp', 'string'],
  ['generation', 'integer'],
  ['deletionGracePeriodSeconds', 'integer'],
];

function serverSetMetadataTypeErrors(meta: Record<string, unknown>): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [name, type] of SERVER_SET_METADATA) {
    if (!Object.prototype.hasOwnProperty.call(meta, name)) continue;
    const v = meta[name];
    if (v === null || (type === 'string' ? typeof v === 'string' : typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 9223372036854775807))
      continue;
    const actual = Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
    const field = `metadata.${name}`;
    // The wording of schema type errors (api/schema/validate.ts).
    causes.push({ reason: 'FieldValueTypeInvalid', message: `Invalid value: "${actual}": ${field} in body must be of type ${type}: "${actual}"`, field });
  }
  return causes;
}

function dedupeCauses(causes: StatusCause[]): StatusCause[] {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const k = `${c.field}\u0000${c.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** managedFields timestamps change on every write; they alone do not make a write. */
function stripVolatile(obj: KubeObject): unknown {
  const managed = (obj.metadata.managedFields ?? []).map(({ time: _t, ...rest }) => rest);
  return { ...obj, metadata: { ...obj.metadata, managedFields: managed, resourceVersion: undefined } };
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** generateName plus five random characters from Kubernetes' alphabet (no vowels, no lookalikes). */
export function generatedName(base: string): string {
  const prefix = base.length > 58 ? base.slice(0, 58) : base;
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += ALPHANUMS[Math.floor(Math.random() * ALPHANUMS.length)];
  return prefix + suffix;
}
