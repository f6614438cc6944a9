// The generic registry store, after Kubernetes' generic registry: every served
// resource goes through the same create/update/patch/delete logic here, and a
// per-type Strategy supplies defaults and validation.
import { copyJSON } from '../storage/objectjson.js';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, ObjectMeta } from '../../api/meta/v1/types.js';
import { apiVersionOf } from '../../api/meta/v1/types.js';
import {
  StatusError, newBadRequest, newConflict, newInvalid, newNotFound, type StatusCause,
} from '../../api/meta/v1/status.js';
import { schemaForKind } from '../../api/schema/build.js';
import { validateObject } from '../../api/schema/validate.js';
import { conversionFor, type Conversion } from '../../api/conversion.js';
import { applyJSONPatch } from '../apiserver/patch/jsonpatch.js';
import { applyMergePatch } from '../apiserver/patch/mergepatch.js';
import { applyStrategicMergePatch } from '../apiserver/patch/strategic.js';
import { applyPatch as serverSideApply, conflictError, createdManagedFields, updateManagedFields } from '../apiserver/patch/apply.js';
import type { ResourceInfo } from './resource.js';
import type { ResourceStorage, ListOptions, ListResult } from '../storage/store.js';
import type { StrategyWithHooks } from './strategies.js';

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
}

export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
}

/** Hooks for resources that need more than a Strategy (allocation, lifecycle checks). */
export interface StoreHooks {
  /** Before the first write of a new object (after defaults and validation). */
  beforeCreate?(obj: KubeObject, ctx: RequestContext): Promise<void>;
  beforeUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): Promise<void>;
  /** Refuses a deletion outright (e.g. of a system namespace). */
  beforeDelete?(obj: KubeObject): void;
  /** After the object is gone from storage (release allocations). */
  afterDelete?(obj: KubeObject): Promise<void>;
  /** Extra finalizer-like conditions that hold an object with a deletionTimestamp in storage. */
  pendingFinalization?(obj: KubeObject): boolean;
  /** Changes made when deletion starts (e.g. a namespace's phase becomes Terminating). */
  onDeletionStarted?(obj: KubeObject): void;
}

export interface NamespaceLifecycle {
  /** Throws NotFound / Forbidden when objects cannot be created in the namespace. */
  admit(namespace: string, ref: { group: string; resource: string; name?: string }): Promise<void>;
}

// Kinds whose metadata.generation tracks spec changes (status is a subresource).
const GENERATION_KINDS = new Set([
  'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'HorizontalPodAutoscaler',
  'PodDisruptionBudget', 'CustomResourceDefinition', 'ReplicationController', 'PriorityClass', 'EndpointSlice',
]);

const MAX_PATCH_RETRIES = 5;

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

export class Store {
  readonly apiVersion: string;
  private readonly hasStatus: boolean;
  private readonly conversion?: Conversion;
  /** Whether any object names this uid as an owner (set by the server, which sees every resource). */
  dependents?: (uid: string) => boolean;

  constructor(
    readonly info: ResourceInfo,
    readonly storage: ResourceStorage,
    private readonly strategy: StrategyWithHooks,
    private readonly namespaces: NamespaceLifecycle | undefined,
    private readonly hooks: StoreHooks = {},
  ) {
    this.apiVersion = apiVersionOf(info.group, info.version);
    this.hasStatus = (info.subresources ?? []).includes('status');
    this.conversion = conversionFor(info.group, info.version, info.kind);
  }

  /** Whether objects are stored at another version than this store serves. */
  get converts(): boolean {
    return this.conversion !== undefined;
  }

  private toStorage(obj: KubeObject): KubeObject {
    return this.conversion ? this.conversion.toStorage(obj) : obj;
  }

  private ref(name?: string) {
    return { group: this.info.group, resource: this.info.plural, name };
  }

  private schema() {
    return schemaForKind(this.info.group, this.info.version, this.info.kind);
  }

  /** Objects come out at this store's version, with apiVersion and kind set. */
  present(obj: KubeObject): KubeObject {
    if (this.conversion && obj.apiVersion === this.conversion.storageVersion) obj = this.conversion.fromStorage(obj);
    const out = { apiVersion: this.apiVersion, kind: this.info.kind, ...obj, metadata: obj.metadata };
    // Without a conversion the content is obj's (its own apiVersion and kind win), so is its JSON.
    if (!this.conversion) copyJSON(obj, out);
    return out;
  }

  async get(ctx: RequestContext, name: string): Promise<KubeObject> {
    return this.present(await this.storage.mustGet(ctx.namespace, name));
  }

  async list(opts: ListOptions & { asJSON?: boolean }): Promise<ListResult & { itemsJSON?: string[] }> {
    const res = await this.storage.listMaybeJSON({ ...opts, asJSON: opts.asJSON && !this.conversion });
    return { ...res, items: res.items.map((o) => this.present(o)) };
  }

  // ---- create ----

  /** bodyIsCopy: the caller hands over a body nobody else holds (a request's decoded body), so it is not cloned. */
  async create(ctx: RequestContext, body: KubeObject, bodyIsCopy = false): Promise<KubeObject> {
    const obj = this.checkIdentity(ctx, bodyIsCopy ? body : clone(body), undefined);
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
    if (GENERATION_KINDS.has(this.info.kind)) meta.generation = 1;
    else delete meta.generation;
    // Status is the server's to set, except that a Node is created with its status (kubelets register that way).
    if (this.hasStatus && !(this.info.group === '' && this.info.kind === 'Node')) delete obj.status;
    this.strategy.defaults?.(obj);
    this.strategy.prepareForCreate?.(obj);
    this.validate(ctx, obj, undefined);
    await this.hooks.beforeCreate?.(obj, ctx);
    obj.metadata.managedFields = this.managedFieldsFor(undefined, obj, ctx, undefined);
    if (ctx.dryRun) return this.present(obj);
    for (let attempt = 0; ; attempt++) {
      try {
        return this.present(await this.storage.create(this.toStorage(obj)));
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

  async update(ctx: RequestContext, name: string, body: KubeObject, subresource?: string): Promise<KubeObject> {
    const obj = this.checkIdentity(ctx, clone(body), name);
    const old = await this.storage.get(ctx.namespace, name);
    if (!old) throw newNotFound(this.ref(name));
    const wantRV = obj.metadata.resourceVersion;
    if (wantRV && wantRV !== old.metadata.resourceVersion) {
      throw newConflict(this.ref(name), 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return this.commitUpdate(ctx, old, obj, subresource);
  }

  /** Shared by update and patch: merge server-owned fields, validate, write (or skip a no-op). */
  private async commitUpdate(ctx: RequestContext, stored: KubeObject, incoming: KubeObject, subresource?: string, managedFieldsOverride?: ObjectMeta['managedFields']): Promise<KubeObject> {
    const old = this.present(stored);
    let obj: KubeObject;
    if (subresource === 'status') {
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
      if (added.length) throw newInvalid(this.info.kind, this.info.group, meta.name ?? '', [{ reason: 'FieldValueForbidden', field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}` }]);
    }
    this.strategy.defaults?.(obj);
    this.validate(ctx, obj, old);
    if (GENERATION_KINDS.has(this.info.kind)) {
      meta.generation = (oldMeta.generation ?? 1) + (isDeepStrictEqual(specOf(obj), specOf(old)) ? 0 : 1);
    } else if (oldMeta.generation !== undefined) meta.generation = oldMeta.generation;
    await this.hooks.beforeUpdate?.(obj, old, ctx);
    meta.managedFields = managedFieldsOverride ?? this.managedFieldsFor(old, obj, ctx, subresource);

    if (isDeepStrictEqual(stripVolatile(obj), stripVolatile(old))) return this.present(old); // no-op: no write, no new resourceVersion
    if (ctx.dryRun) return this.present(obj);
    if (meta.deletionTimestamp && !(meta.finalizers ?? []).length && !this.hooks.pendingFinalization?.(obj)) {
      // The last finalizer is gone: the object's deletion completes now.
      const gone = await this.storage.delete(stored);
      await this.hooks.afterDelete?.(gone);
      return this.present({ ...obj, metadata: { ...obj.metadata, resourceVersion: gone.metadata.resourceVersion } });
    }
    return this.present(await this.storage.update(this.toStorage(obj), Number(oldMeta.resourceVersion)));
  }

  // ---- patch ----

  async patch(ctx: RequestContext, name: string, type: PatchType, patch: unknown, subresource?: string): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const old = await this.storage.get(ctx.namespace, name);
      try {
        if (!old) {
          if (type !== 'apply') throw newNotFound(this.ref(name));
          return await this.applyCreate(ctx, name, patch);
        }
        const current = this.present(clone(old));
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
        return await this.commitUpdate(ctx, old, patched, subresource, managed);
      } catch (err) {
        // Someone else wrote between our read and write: re-apply the patch to the new version.
        const patchHadRV = typeof patch === 'object' && patch !== null && !Array.isArray(patch) && !!(patch as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
        if (err instanceof StatusError && err.reason === 'Conflict' && !patchHadRV && attempt < MAX_PATCH_RETRIES && !(err.details?.causes ?? []).some((c) => c.reason === 'FieldManagerConflict')) continue;
        throw err;
      }
    }
  }

  private async applyCreate(ctx: RequestContext, name: string, patch: unknown): Promise<KubeObject> {
    const applied = this.checkIdentity(ctx, clone(asObject(patch)) as KubeObject, name);
    const manager = this.requireManager(ctx);
    const res = serverSideApply(undefined, applied, manager, ctx.force ?? false, this.schema(), nowRFC3339(), {});
    const obj = res.object as KubeObject;
    const managed = obj.metadata.managedFields;
    const created = await this.create({ ...ctx, fieldManager: manager }, obj);
    if (ctx.dryRun) return { ...created, metadata: { ...created.metadata, managedFields: managed } };
    // Record the Apply ownership (create() recorded an Update entry).
    const withApply = { ...created, metadata: { ...created.metadata, managedFields: managed } };
    return this.present(await this.storage.update(this.toStorage(withApply), Number(created.metadata.resourceVersion)));
  }

  private requireManager(ctx: RequestContext): string {
    if (!ctx.fieldManager) throw newBadRequest('PATCH, application/apply-patch+yaml requests must include a fieldManager query parameter');
    return ctx.fieldManager;
  }

  // ---- delete ----

  async delete(ctx: RequestContext, name: string, opts: DeleteOptions): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const old = await this.storage.mustGet(ctx.namespace, name);
      try {
        return await this.deleteOnce(ctx, old, opts);
      } catch (err) {
        if (err instanceof StatusError && err.reason === 'Conflict' && !opts.preconditions?.resourceVersion && attempt < MAX_PATCH_RETRIES) continue;
        throw err;
      }
    }
  }

  private async deleteOnce(ctx: RequestContext, old: KubeObject, opts: DeleteOptions): Promise<KubeObject> {
    const name = old.metadata.name ?? '';
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw newConflict(this.ref(name), `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw newConflict(this.ref(name), `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    }
    this.hooks.beforeDelete?.(old);
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
    const grace = this.gracePeriod(obj, opts);
    const pending = finalizers.size > 0 || grace > 0 || !!this.hooks.pendingFinalization?.(obj);
    if (!pending) {
      if (ctx.dryRun) return this.present(obj);
      const gone = await this.storage.delete(old);
      await this.hooks.afterDelete?.(gone);
      return this.present(gone);
    }
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
    if (grace === 0 && finalizers.size === 0 && !this.hooks.pendingFinalization?.(obj)) {
      if (ctx.dryRun) return this.present(obj);
      const gone = await this.storage.delete(old);
      await this.hooks.afterDelete?.(gone);
      return this.present(gone);
    }
    if (ctx.dryRun || isDeepStrictEqual(obj, old)) return this.present(obj);
    return this.present(await this.storage.update(obj, Number(old.metadata.resourceVersion)));
  }

  /** Only pods on a node are deleted gracefully: their kubelet must stop the containers first. */
  private gracePeriod(obj: KubeObject, opts: DeleteOptions): number {
    if (this.info.kind !== 'Pod' || this.info.group !== '') return 0;
    const spec = (obj.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const status = (obj.status ?? {}) as { phase?: string };
    if (!spec.nodeName || status.phase === 'Succeeded' || status.phase === 'Failed') return 0;
    const g = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, g);
  }

  async deleteCollection(ctx: RequestContext, listOpts: ListOptions, opts: DeleteOptions): Promise<KubeObject[]> {
    const { items } = await this.storage.list(listOpts);
    const out: KubeObject[] = [];
    for (const item of items) {
      try {
        out.push(await this.delete({ ...ctx, namespace: item.metadata.namespace }, item.metadata.name ?? '', opts));
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
      if (meta.name && meta.name !== urlName) throw newBadRequest('the name of the object (' + meta.name + ') does not match the name on the URL (' + urlName + ')');
      meta.name = urlName;
    }
    return obj;
  }

  private checkPatchedIdentity(patched: KubeObject, old: KubeObject): void {
    const p = patched.metadata;
    if ((p.name !== undefined && p.name !== old.metadata.name) || (this.info.namespaced && p.namespace !== undefined && p.namespace !== old.metadata.namespace)) {
      throw newBadRequest('metadata.name and metadata.namespace cannot be changed by a patch');
    }
    if (patched.kind !== undefined && patched.kind !== this.info.kind) throw newBadRequest(`the kind cannot be changed by a patch (got ${String(patched.kind)})`);
    if (patched.apiVersion !== undefined && patched.apiVersion !== this.apiVersion) throw newBadRequest(`the apiVersion cannot be changed by a patch (got ${String(patched.apiVersion)})`);
    patched.kind = this.info.kind;
    patched.apiVersion = this.apiVersion;
  }

  /** Schema check, strict field validation, then the type's semantic checks; 422 with every cause. */
  private validate(ctx: RequestContext, obj: KubeObject, old: KubeObject | undefined): void {
    const schemaResult = validateObject(this.info.group, this.info.version, this.info.kind, obj, { unknownFields: ctx.fieldValidation });
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
      if (old) causes.push(...(this.strategy.validateUpdate?.(obj, old) ?? []));
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

function asObject(v: unknown): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw newBadRequest('the patch must be a JSON object');
  return v as Record<string, unknown>;
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

