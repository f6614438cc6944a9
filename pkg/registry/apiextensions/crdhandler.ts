// Custom resources served through the generic registry, after apiextensions-apiserver's
// crdHandler (customresource_handler.go) and its controllers:
//  - names: a CRD's names are checked against the other CRDs and the built-in
//    resources of its group when it is written (NamesAccepted), and once accepted it
//    is Established at once; a CRD refused for a clash is looked at again when
//    another CRD of the group changes or goes (the naming controller);
//  - serving: every served version of an Established CRD gets a Store with a
//    strategy built from the CRD, all on one storage under /registry/<group>/<plural>;
//    a CRD that is not Established serves nothing, a deleted one stops serving;
//  - deletion: the customresourcecleanup finalizer deletes every custom resource
//    before the CRD goes (the finalizer controller).
import type { ResourceInfo } from '../../../api/resourceinfo.js';
import { BUILTIN_RESOURCES } from '../../../api/resources.js';
import type { CustomResourceDefinition } from '../../../api/apiextensions/v1/types.js';
import {
  CUSTOM_RESOURCE_CLEANUP_FINALIZER,
  findCondition,
  isConditionTrue,
  resourceInfosFor,
  servedVersions,
  setCondition,
  storageVersion,
} from '../../../api/apiextensions/v1/helpers.js';
import { calculateNamesAndConditions, claimedNames } from '../../../api/apiextensions/v1/naming.js';
import { StatusError, newInternalError } from '../../../api/meta/v1/status.js';
import type { ResourceStorage } from '../../storage/store.js';
import { nowRFC3339, Store, type NamespaceLifecycle, type RequestContext, type StoreHooks } from '../store.js';
import { ScaleREST } from '../scale.js';
import { customResourceStrategy } from './customresource/strategy.js';
import { CacheInformer } from '../cacheinformer.js';
import { customResourceSchema } from '../../../api/apiextensions/v1/openapi.js';
import type { CustomKindSchema, CustomSchemas } from '../../../api/schema/openapi.js';
import { createHash } from 'node:crypto';
import { WebhookConverter } from './conversionwebhook.js';
import { usesWebhookConversion } from './conversion.js';
import type { ServiceResolver } from '../admissionregistration/webhook/client.js';

const SERVER_CTX: RequestContext = { dryRun: false, fieldValidation: 'Strict', warnings: [] };

/** How often the finalizer looks again while custom resources remain (some held by their own finalizers). */
const CLEANUP_RETRY_MS = 1000;

/** What one CRD serves. */
interface Served {
  /** What the stores were built from: rebuilt when it changes. */
  signature: string;
  storageKey: string;
  storage: ResourceStorage;
  infos: ResourceInfo[];
  stores: Map<string, Store>; // key: version
  scales: Map<Store, ScaleREST>;
  /** The OpenAPI definition of each served version. */
  schemas: Map<string, CustomKindSchema>;
  terminating: boolean;
}

export interface CRDHandlerDeps {
  /** The CustomResourceDefinition store (made after the handler, so asked for). */
  crdStore: () => Store | undefined;
  newStorage: (info: ResourceInfo) => ResourceStorage;
  namespaces?: NamespaceLifecycle;
  /** Where a conversion webhook's Service is reached (the admission webhooks' resolver). */
  resolveService?: ServiceResolver;
  log: (msg: string) => void;
}

const NO_SERVICES: ServiceResolver = async (_namespace, name) => ({ error: `service "${name}" not found` });

function signatureOf(crd: CustomResourceDefinition): string {
  const status = crd.status;
  return JSON.stringify([crd.metadata.uid, crd.metadata.generation, crd.spec, status?.acceptedNames, status?.storedVersions, !!crd.metadata.deletionTimestamp]);
}

function storageKeyOf(info: ResourceInfo): string {
  return `${info.group}/${info.plural}/${info.namespaced ? 'n' : 'c'}`;
}

export class CRDHandler {
  private readonly served = new Map<string, Served>(); // key: CRD name
  private readonly byRoute = new Map<string, Store>(); // key: group/version/plural
  private informer?: CacheInformer;
  private readonly cleaning = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  /** Adds the registry's admission plugins (the admission webhooks) to a new custom resource store. */
  admission?: (store: Store) => void;

  constructor(private readonly deps: CRDHandlerDeps) {}

  // ---- serving ----

  store(group: string, version: string, plural: string): Store | undefined {
    return this.byRoute.get(`${group}/${version}/${plural}`);
  }

  scale(store: Store): ScaleREST | undefined {
    for (const s of this.served.values()) {
      const rest = s.scales.get(store);
      if (rest) return rest;
    }
    return undefined;
  }

  /** The served custom resources, for routing, discovery and OpenAPI. */
  resources(): ResourceInfo[] {
    return [...this.served.values()].flatMap((s) => s.infos);
  }

  /** The CRD a served custom resource comes from. */
  definitionFor(group: string, plural: string): CustomResourceDefinition | undefined {
    for (const crd of this.definitions()) {
      if (crd.spec.group === group && (crd.status?.acceptedNames?.plural ?? crd.spec.names.plural) === plural) return crd;
    }
    return undefined;
  }

  /** The OpenAPI definitions of the served custom resources. */
  openAPISchemas(): CustomSchemas {
    const all = [...this.served.values()];
    const key = createHash('sha256')
      .update(all.map((s) => s.signature).join('\n'))
      .digest('hex');
    return {
      key,
      schemaFor: (r) => {
        for (const s of all) if (s.infos[0]?.group === r.group && s.infos[0]?.plural === r.plural) return s.schemas.get(r.version);
        return undefined;
      },
    };
  }

  /** One store per served CRD (its objects are the same at every version), for counting them (quota). */
  servedStores(): Store[] {
    return [...this.served.values()].flatMap((s) => {
      const first = s.stores.values().next().value as Store | undefined;
      return first ? [first] : [];
    });
  }

  storages(): ResourceStorage[] {
    return [...this.served.values()].map((s) => s.storage);
  }

  private definitions(): CustomResourceDefinition[] {
    const store = this.deps.crdStore();
    if (!store?.storage.cache.started) return [];
    return store.storage.cache.list().items as CustomResourceDefinition[];
  }

  /**
   * Brings what is served up to the CRDs in etcd now: a CRD written before this call is
   * served (or not) when it returns, so discovery right after a CRD is created sees it.
   */
  async sync(): Promise<void> {
    const store = this.deps.crdStore();
    if (!store) return;
    await store.storage.cache.start();
    await store.storage.waitForCurrentRevision();
    this.reconcile();
  }

  /** Serves every Established CRD as it is now; stops serving the others. */
  private reconcile(): void {
    const crds = this.definitions();
    const live = new Set<string>();
    for (const crd of crds) {
      const name = crd.metadata.name ?? '';
      if (!isConditionTrue(crd, 'Established') || servedVersions(crd).length === 0) continue;
      live.add(name);
      const signature = signatureOf(crd);
      const current = this.served.get(name);
      if (current?.signature === signature) continue;
      this.serve(name, crd, signature, current);
    }
    for (const name of [...this.served.keys()]) if (!live.has(name)) this.unserve(name);
  }

  private serve(name: string, crd: CustomResourceDefinition, signature: string, previous: Served | undefined): void {
    const infos = resourceInfosFor(crd);
    const storageKey = storageKeyOf(infos[0]);
    const storage =
      previous?.storageKey === storageKey ? previous.storage : this.deps.newStorage({ ...infos[0], version: storageVersion(crd) ?? infos[0].version });
    if (previous && previous.storage !== storage) void previous.storage.stop();
    if (previous) for (const info of previous.infos) this.byRoute.delete(`${info.group}/${info.version}/${info.plural}`);
    const terminating = !!crd.metadata.deletionTimestamp;
    const served: Served = { signature, storageKey, storage, infos, stores: new Map(), scales: new Map(), schemas: new Map(), terminating };
    const hooks: StoreHooks = {
      beforeCreate: async () => {
        if (this.served.get(name)?.terminating)
          throw new StatusError(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating');
      },
    };
    // One webhook client per CRD, shared by its versions (rebuilt with the CRD).
    const webhook = usesWebhookConversion(crd) ? new WebhookConverter(crd, this.deps.resolveService ?? NO_SERVICES) : undefined;
    for (const info of infos) {
      const version = crd.spec.versions.find((v) => v.name === info.version);
      if (!version) continue;
      const store = new Store(info, storage, customResourceStrategy(crd, version, webhook), info.namespaced ? this.deps.namespaces : undefined, hooks);
      this.admission?.(store);
      served.stores.set(info.version, store);
      served.schemas.set(info.version, customResourceSchema(crd, version, info.kind));
      const scale = version.subresources?.scale;
      if (scale) served.scales.set(store, new ScaleREST(store, scale));
      this.byRoute.set(`${info.group}/${info.version}/${info.plural}`, store);
    }
    this.served.set(name, served);
    // Filled in the background: the owner-reference index (hasDependents) sees custom resources too.
    storage.cache.start().catch((err: Error) => this.deps.log(`customresourcedefinitions ${name}: ${err.message}`));
    if (!previous) this.deps.log(`serving ${infos.map((i) => `${i.group}/${i.version}/${i.plural}`).join(', ')}`);
  }

  private unserve(name: string): void {
    const served = this.served.get(name);
    if (!served) return;
    this.served.delete(name);
    for (const info of served.infos) this.byRoute.delete(`${info.group}/${info.version}/${info.plural}`);
    void served.storage.stop();
    this.deps.log(`stopped serving ${served.infos[0]?.group}/${served.infos[0]?.plural}`);
  }

  // ---- names, on every write of a CRD ----

  /** The CRD store's hooks: names and conditions, stored versions and the cleanup finalizer. */
  crdHooks(): StoreHooks {
    return {
      beforeCreate: async (obj) => {
        const crd = obj as CustomResourceDefinition;
        crd.status = { conditions: [] };
        this.updateNames(crd);
        const storage = storageVersion(crd);
        crd.status.storedVersions = storage ? [storage] : [];
        const finalizers = (crd.metadata.finalizers ??= []);
        if (!finalizers.includes(CUSTOM_RESOURCE_CLEANUP_FINALIZER)) finalizers.push(CUSTOM_RESOURCE_CLEANUP_FINALIZER);
      },
      beforeUpdate: async (obj, _old, _ctx, subresource) => {
        if (subresource === 'status') return;
        const crd = obj as CustomResourceDefinition;
        if (crd.metadata.deletionTimestamp) return;
        this.updateNames(crd);
        const storage = storageVersion(crd);
        const stored = ((crd.status ??= {}).storedVersions ??= []);
        if (storage && !stored.includes(storage)) stored.push(storage);
      },
    };
  }

  /** Sets acceptedNames, NamesAccepted and Established from the names others hold; whether anything changed. */
  private updateNames(crd: CustomResourceDefinition): boolean {
    const before = JSON.stringify([crd.status?.acceptedNames, findCondition(crd, 'NamesAccepted'), findCondition(crd, 'Established')]);
    const claimed = claimedNames(crd, this.definitions(), BUILTIN_RESOURCES);
    const { acceptedNames, namesAccepted, established } = calculateNamesAndConditions(crd, claimed);
    const now = nowRFC3339();
    (crd.status ??= {}).acceptedNames = acceptedNames;
    setCondition(crd, namesAccepted, now);
    setCondition(crd, established, now);
    return JSON.stringify([crd.status?.acceptedNames, findCondition(crd, 'NamesAccepted'), findCondition(crd, 'Established')]) !== before;
  }

  // ---- controllers ----

  /** Starts serving the CRDs in storage, then follows their changes. */
  async start(): Promise<void> {
    const store = this.deps.crdStore();
    if (!store) return;
    await this.sync();
    this.informer = new CacheInformer(
      store,
      {
        onReplace: (objects) => {
          this.reconcile();
          for (const o of objects) this.enqueue(o as CustomResourceDefinition);
        },
        onEvent: (type, obj, old) => {
          this.reconcile();
          if (type !== 'DELETED') this.enqueue(obj as CustomResourceDefinition);
          // Names a CRD gives up may be what another of its group waits for.
          const changed = (old ?? obj) as CustomResourceDefinition;
          if (type === 'DELETED' || JSON.stringify(changed.status?.acceptedNames) !== JSON.stringify((obj as CustomResourceDefinition).status?.acceptedNames))
            this.recheckNames(changed.spec.group);
        },
      },
      this.deps.log,
    );
    await this.informer.start();
  }

  private enqueue(crd: CustomResourceDefinition): void {
    if (crd.metadata.deletionTimestamp && (crd.metadata.finalizers ?? []).includes(CUSTOM_RESOURCE_CLEANUP_FINALIZER)) this.cleanup(crd.metadata.name ?? '');
  }

  /** The naming controller: CRDs of the group whose names were refused get another look. */
  private recheckNames(group: string): void {
    const store = this.deps.crdStore();
    if (!store) return;
    for (const crd of this.definitions()) {
      if (crd.spec.group !== group || crd.metadata.deletionTimestamp || isConditionTrue(crd, 'NamesAccepted')) continue;
      const name = crd.metadata.name ?? '';
      store
        .updateWith(
          SERVER_CTX,
          name,
          (current) => {
            this.updateNames(current as CustomResourceDefinition);
            return current;
          },
          'status',
        )
        .catch((err: Error) => this.deps.log(`customresourcedefinitions ${name}: names: ${err.message}`));
    }
  }

  /** The finalizer controller: deletes every custom resource of a CRD being deleted, then lets the CRD go. */
  private cleanup(name: string): void {
    if (this.cleaning.has(name) || this.stopped) return;
    this.cleaning.add(name);
    this.deleteInstances(name)
      .then((done) => {
        this.cleaning.delete(name);
        if (!done && !this.stopped) this.later(() => this.cleanupIfStillDeleting(name));
      })
      .catch((err: unknown) => {
        this.cleaning.delete(name);
        this.deps.log(`customresourcedefinitions ${name}: cleanup: ${(err as Error).message ?? String(err)}`);
        if (!this.stopped) this.later(() => this.cleanupIfStillDeleting(name));
      });
  }

  private later(fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, CLEANUP_RETRY_MS);
    this.timers.add(t);
  }

  private cleanupIfStillDeleting(name: string): void {
    const crd = this.definitions().find((c) => c.metadata.name === name);
    if (crd) this.enqueue(crd);
  }

  /** true once no custom resource is left and the finalizer is removed. */
  private async deleteInstances(name: string): Promise<boolean> {
    const crdStore = this.deps.crdStore();
    if (!crdStore) return true;
    await this.setTerminating(crdStore, name, 'InstanceDeletionInProgress', 'CustomResource deletion is in progress');
    const served = this.served.get(name);
    let remaining = 0;
    if (served) {
      const store = served.stores.values().next().value as Store | undefined;
      if (store) {
        const { items } = await store.list({});
        for (const item of items) {
          if (item.metadata.deletionTimestamp) {
            remaining++;
            continue;
          }
          try {
            const res = await store.delete({ ...SERVER_CTX, namespace: item.metadata.namespace }, item.metadata.name ?? '', {});
            if (!res.deleted) remaining++;
          } catch (err) {
            if (!(err instanceof StatusError && err.code === 404)) throw err;
          }
        }
      }
    }
    if (remaining > 0) {
      await this.setTerminating(crdStore, name, 'InstanceDeletionCheck', `could not confirm zero CustomResources remaining: ${remaining} remaining`);
      return false;
    }
    await crdStore.updateWith(SERVER_CTX, name, (current) => {
      current.metadata.finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== CUSTOM_RESOURCE_CLEANUP_FINALIZER);
      return current;
    });
    return true;
  }

  private async setTerminating(crdStore: Store, name: string, reason: string, message: string): Promise<void> {
    await crdStore
      .updateWith(
        SERVER_CTX,
        name,
        (current) => {
          setCondition(current as CustomResourceDefinition, { type: 'Terminating', status: 'True', reason, message }, nowRFC3339());
          return current;
        },
        'status',
      )
      .catch((err: unknown) => {
        if (err instanceof StatusError && err.code === 404) return;
        throw err instanceof StatusError ? err : newInternalError(err);
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.informer?.stop();
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.served.values()) await s.storage.stop();
    this.served.clear();
    this.byRoute.clear();
  }
}
