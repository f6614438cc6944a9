// The REST storage of every served resource, built from the resource catalogue
// (upstream: the storage maps of pkg/registry/*/rest): one generic Store per
// resource and version with its kind's strategy and hooks, and the REST storage of
// each subresource that is more than a view of its object (pods/binding,
// pods/eviction, scale, namespaces/finalize), and the REST storage of resources
// that are only created (reviews). Nothing outside pkg/registry touches storage:
// caches are started, stopped and searched through here.
import { AdmissionMetrics } from './admission/metrics.js';
import { isCreateOnly, type ResourceInfo } from '../../api/resourceinfo.js';
import { etcdPrefix } from '../storage/keys.js';
import { Store, type StoreHooks } from './store.js';
import { strategyFor } from './strategies.js';
import { ScaleREST } from './scale.js';
import { BindingREST } from './core/pod/binding.js';
import { EvictionREST } from './core/pod/eviction.js';
import { NamespaceLifecycle } from './core/namespace/lifecycle.js';
import { FinalizeREST, namespaceHooks } from './core/namespace/storage.js';
import { serviceHooks } from './core/service/alloc.js';
import type { ResourceStorage } from '../storage/store.js';
import type { Creater } from './rest.js';
import { TokenReviewREST, type TokenAuthenticate } from './authentication/tokenreview.js';
import { SelfSubjectReviewREST } from './authentication/selfsubjectreview.js';
import { ComponentStatusREST, componentChecks } from './core/componentstatus/rest.js';
import { RuntimeClassAdmission } from './node/runtimeclass/admission.js';
import { PodSecurityPlugin, newPodSecurity, podSecurityApplies } from './podsecurity/admission.js';
import { DefaultIngressClass } from './networking/ingress/defaultclass.js';
import { DefaultStorageClass } from './storage/storageclass/setdefault.js';
import { WebhookDispatcher } from './admissionregistration/webhook/dispatcher.js';
import { WebhookAdmission } from './admissionregistration/webhook/plugin.js';
import { endpointResolver } from './admissionregistration/webhook/resolver.js';
import type { UserInfo } from '../auth/user.js';
import type { RequestAuthorizer } from './admissionregistration/cel/activation.js';
import { PolicySource } from './admissionregistration/policy/source.js';
import { PolicyMetrics } from './admissionregistration/policy/metrics.js';
import { PolicyDispatcher, type ParamResolver } from './admissionregistration/policy/dispatcher.js';
import { ValidatingAdmissionPolicyPlugin } from './admissionregistration/policy/plugin.js';
import { WebhookSource } from './admissionregistration/webhook/source.js';
import { LimitRanger } from './core/limitrange/limitranger.js';
import { LiveLookupLister } from './livelookup.js';
import { ResourceQuotaAdmission, syncedQuota, type UsageCalculator } from './core/resourcequota/admission.js';
import type { ResourceQuota } from '../../api/core/v1/types.js';
import type { KubeObject } from '../../api/meta/v1/types.js';
import { matchingResources, quotaMatches, usageOf } from '../util/quota/evaluator.js';
import { add, type Usage } from '../util/quota/resources.js';
import { CacheInformer, type CacheInformerHandlers } from './cacheinformer.js';
import { RBACCache } from './rbac/cache.js';
import { RuleResolver } from './rbac/validation/rule.js';
import { bindingHooks, roleHooks, type EscalationCheckSource } from './rbac/policybased.js';
import { leaseRestrictionHooks, nodeRestrictionHooks, podRestrictionHooks } from './noderestriction/admission.js';
import type { APIAuthorization } from './authorization/authorization.js';
import { LocalSubjectAccessReviewREST, SelfSubjectAccessReviewREST, SubjectAccessReviewREST } from './authorization/subjectaccessreview.js';
import { SelfSubjectRulesReviewREST } from './authorization/selfsubjectrulesreview.js';
import type { ReviewREST } from './authorization/review.js';
import { TokenREST } from './core/serviceaccount/token.js';
import { ServiceAccountAdmission } from './core/serviceaccount/admission.js';
import type { TokenGenerator } from '../util/serviceaccount/generator.js';
import { CRDHandler } from './apiextensions/crdhandler.js';
import type { Registry as PromRegistry } from 'prom-client';
import { WebhookMetrics } from './admissionregistration/webhook/metrics.js';
import { NodeMetricsREST, PodMetricsREST } from './metrics/rest.js';
import { ResourceMetricsScraper, type KubeletResourceMetrics } from './metrics/scraper.js';

export interface RegistryOptions {
  /** The service CIDR ClusterIPs come from (--service-cluster-ip-range). */
  serviceClusterIPRange: string;
  /** BASE-LAST, NodePorts come from (--service-node-port-range). */
  serviceNodePortRange: string;
  /** The apiserver's token authentication, for TokenReview (not served without it). */
  authenticateToken?: TokenAuthenticate;
  /** --api-audiences: what TokenRequest issues tokens for when a request names none. */
  apiAudiences?: string[];
  /** The signer of service-account tokens (--service-account-issuer and -signing-key-file); serviceaccounts/token is not served without it. */
  tokenGenerator?: TokenGenerator;
  /** --service-account-max-token-expiration in seconds (0: no cap). */
  maxTokenExpirationSeconds?: number;
  /** --service-account-extend-token-expiration (default true). */
  extendTokenExpiration?: boolean;
  /** --disable-admission-plugins: admission plugins not to run, by upstream's names (ServiceAccount, LimitRanger, ...). */
  disabledAdmissionPlugins?: string[];
  /**
   * One node's kubelet /metrics/resource text (the apiserver's kubelet client), for
   * metrics.k8s.io; without it the metrics API lists nothing.
   */
  kubeletResourceMetrics?: KubeletResourceMetrics;
  log?: (msg: string) => void;
  /** Where admission's metrics are registered (none without it). */
  metricsRegistry?: PromRegistry;
}

type ReviewRESTClass = new (info: ResourceInfo, authorization: () => APIAuthorization | undefined) => ReviewREST;

/** The access reviews: answered by the apiserver's authorization. */
const ACCESS_REVIEWS: Record<string, ReviewRESTClass> = {
  subjectaccessreviews: SubjectAccessReviewREST,
  localsubjectaccessreviews: LocalSubjectAccessReviewREST,
  selfsubjectaccessreviews: SelfSubjectAccessReviewREST,
  selfsubjectrulesreviews: SelfSubjectRulesReviewREST,
};

const RBAC_KINDS = { roles: 'Role', clusterroles: 'ClusterRole', rolebindings: 'RoleBinding', clusterrolebindings: 'ClusterRoleBinding' } as const;

export class Registry {
  private readonly stores = new Map<string, Store>(); // key: group/version/plural
  private readonly storages: ResourceStorage[] = [];
  private readonly scales = new Map<Store, ScaleREST>();
  private readonly creaters = new Map<string, Creater>(); // key: group/version/plural
  readonly binding?: BindingREST;
  readonly eviction?: EvictionREST;
  readonly finalize?: FinalizeREST;
  readonly token?: TokenREST;
  /** Roles and bindings in memory, indexed for the RBAC authorizer. */
  readonly rbac = new RBACCache();
  readonly ruleResolver = new RuleResolver(this.rbac);
  /**
   * The apiserver's authorization (pkg/apiserver/authorization sets it): the access reviews
   * ask it, and the escalation checks ask it about `escalate` and `bind`. Unset, the
   * apiserver authorizes nothing: every review is allowed.
   */
  authorization?: APIAuthorization;
  private readonly informers: CacheInformer[] = [];
  private readonly rbacInformers: CacheInformer[] = [];
  private rbacReady?: Promise<void>;
  /** The custom resources of Established CustomResourceDefinitions (pkg/registry/apiextensions). */
  readonly crds: CRDHandler;

  constructor(resources: ResourceInfo[], newStorage: (info: ResourceInfo) => ResourceStorage, opts: RegistryOptions) {
    // Resources stored under one etcd prefix share one storage (one cache): those served at
    // several versions, and those served in two groups (events and events.k8s.io events).
    const storages = new Map<string, ResourceStorage>();
    for (const info of resources) {
      if (isCreateOnly(info)) continue;
      const key = etcdPrefix(info);
      if (!storages.has(key)) storages.set(key, newStorage(info));
    }
    this.storages = [...storages.values()];
    const escalation: EscalationCheckSource = {
      resolver: this.ruleResolver,
      authorizer: () => this.authorization?.authorizer,
      synced: () => this.rbacSynced(),
    };
    const nsStorage = storages.get('/registry/namespaces/');
    const lifecycle = nsStorage && new NamespaceLifecycle(nsStorage);
    const hasDependents = (uid: string) => this.hasDependents(uid);
    this.crds = new CRDHandler({
      crdStore: () => this.stores.get('apiextensions.k8s.io/v1/customresourcedefinitions'),
      newStorage,
      namespaces: lifecycle,
      // The Service and EndpointSlice stores are made below; asked for at call time.
      resolveService: (namespace, name, port) => {
        const services = this.store('', 'v1', 'services');
        const slices = this.store('discovery.k8s.io', 'v1', 'endpointslices');
        if (!services || !slices) return Promise.resolve({ error: `service "${name}" not found` });
        return endpointResolver(services, slices)(namespace, name, port);
      },
      log: opts.log ?? (() => undefined),
    });
    for (const info of resources) {
      if (isCreateOnly(info)) {
        const rest = this.createrFor(info, opts);
        if (rest) this.creaters.set(`${info.group}/${info.version}/${info.plural}`, rest);
        continue;
      }
      const storage = storages.get(etcdPrefix(info)) as ResourceStorage;
      const store = new Store(
        info,
        storage,
        strategyFor(info.group, info.version, info.kind),
        info.namespaced ? lifecycle : undefined,
        this.hooksFor(info, storage, opts, escalation),
      );
      store.dependents = hasDependents;
      this.stores.set(`${info.group}/${info.version}/${info.plural}`, store);
      if ((info.subresources ?? []).includes('scale')) this.scales.set(store, new ScaleREST(store));
    }
    const pods = this.store('', 'v1', 'pods');
    const pdbs = this.store('policy', 'v1', 'poddisruptionbudgets');
    const namespaces = this.store('', 'v1', 'namespaces');
    this.addComponentStatusesAndAdmission(resources, storages, opts);
    if (pods) this.binding = new BindingREST(pods);
    if (pods && pdbs) this.eviction = new EvictionREST(pods, pdbs);
    if (namespaces) this.finalize = new FinalizeREST(namespaces);
    const serviceAccounts = this.store('', 'v1', 'serviceaccounts');
    const secrets = this.store('', 'v1', 'secrets');
    if (opts.tokenGenerator && serviceAccounts && pods && secrets) {
      this.token = new TokenREST(serviceAccounts, pods, secrets, this.store('', 'v1', 'nodes'), {
        generator: opts.tokenGenerator,
        apiAudiences: opts.apiAudiences ?? [],
        maxExpirationSeconds: opts.maxTokenExpirationSeconds ?? 0,
        extendExpiration: opts.extendTokenExpiration ?? true,
      });
    }
    for (const [plural, kind] of Object.entries(RBAC_KINDS)) {
      const store = this.store('rbac.authorization.k8s.io', 'v1', plural);
      if (store) this.rbacInformers.push(this.informer(store, this.rbac.handlersFor(kind)));
    }
  }

  /** A kind's storage rules, then the admission checks on its writes (NodeRestriction, RBAC escalation). */
  private hooksFor(info: ResourceInfo, storage: ResourceStorage, opts: RegistryOptions, escalation: EscalationCheckSource): StoreHooks {
    const core = info.group === '';
    if (core && info.plural === 'namespaces') return namespaceHooks();
    if (core && info.plural === 'services') return serviceHooks(storage, opts.serviceClusterIPRange, opts.serviceNodePortRange);
    if (core && info.plural === 'pods') return podRestrictionHooks((name) => this.nodeUID(name));
    if (core && info.plural === 'nodes') return nodeRestrictionHooks();
    if (core && info.plural === 'resourcequotas') return this.quotaStatusHooks();
    if (info.group === 'coordination.k8s.io' && info.plural === 'leases') return leaseRestrictionHooks();
    if (info.group === 'apiextensions.k8s.io' && info.plural === 'customresourcedefinitions') return this.crds.crdHooks();
    if (info.group === 'rbac.authorization.k8s.io') {
      if (info.plural === 'roles' || info.plural === 'clusterroles') return roleHooks(escalation, info.plural);
      if (info.plural === 'rolebindings' || info.plural === 'clusterrolebindings') return bindingHooks(escalation, info.plural);
    }
    return {};
  }

  /**
   * A quota gets its status (hard from spec, used counted) when it is created or its
   * limits change, so it enforces at once; the resourcequota controller keeps it current.
   */
  private quotaStatusHooks(): StoreHooks {
    const calculate: UsageCalculator = (namespace, quota) => this.quotaUsage(namespace, quota);
    const sync = async (obj: KubeObject) => {
      obj.status = (await syncedQuota(obj as ResourceQuota, calculate)).status;
    };
    return {
      beforeCreate: sync,
      beforeUpdate: async (obj, _old, _ctx, subresource) => {
        if (subresource !== 'status') await sync(obj);
      },
    };
  }

  /** The uid of a Node (NodeRestriction checks a mirror pod's owner against it). */
  private async nodeUID(name: string): Promise<string | undefined> {
    const node = await this.store('', 'v1', 'nodes')?.getIfExists({ dryRun: false, fieldValidation: 'Strict', warnings: [] }, name);
    return node?.metadata.uid;
  }

  /** An in-memory view of one store, stopped with the registry. */
  informer(store: Store, handlers: CacheInformerHandlers, log?: (msg: string) => void): CacheInformer {
    const informer = new CacheInformer(store, handlers, log);
    this.informers.push(informer);
    return informer;
  }

  /** Resolves once the roles and bindings in memory are those in storage (started at first use). */
  rbacSynced(): Promise<void> {
    this.rbacReady ??= Promise.all(this.rbacInformers.map((i) => i.start())).then(
      () => undefined,
      (err: unknown) => {
        this.rbacReady = undefined;
        throw err;
      },
    );
    return this.rbacReady;
  }

  /**
   * componentstatuses (answered, not stored) and the admission plugins that read
   * other resources: LimitRanger, ServiceAccount and RuntimeClass on pods, DefaultIngressClass
   * on ingresses, PodSecurity on namespaces, pods and the kinds with a pod template,
   * ResourceQuota on every namespaced kind; --disable-admission-plugins leaves some out.
   */
  private addComponentStatusesAndAdmission(resources: ResourceInfo[], storages: Map<string, ResourceStorage>, opts: RegistryOptions): void {
    const cs = resources.find((r) => r.group === '' && r.plural === 'componentstatuses');
    const csStorage = cs && storages.get(etcdPrefix(cs));
    if (cs && csStorage) {
      const leases = this.store('coordination.k8s.io', 'v1', 'leases');
      const checks = componentChecks(csStorage, leases);
      this.stores.set(`${cs.group}/${cs.version}/${cs.plural}`, new ComponentStatusREST(cs, csStorage, () => checks));
    }
    this.addResourceMetrics(resources, storages, opts);
    const admissionMetrics = opts.metricsRegistry && new AdmissionMetrics(opts.metricsRegistry);
    if (admissionMetrics) for (const store of this.stores.values()) if (store instanceof Store) store.admissionMetrics = admissionMetrics;
    const disabled = new Set(opts.disabledAdmissionPlugins ?? []);
    // Upstream's order: LimitRanger, ServiceAccount, ..., PodSecurity, ..., DefaultStorageClass, RuntimeClass, DefaultIngressClass, ..., ResourceQuota last.
    const pods = this.store('', 'v1', 'pods');
    const limitRanges = this.store('', 'v1', 'limitranges');
    if (pods && limitRanges && !disabled.has('LimitRanger')) pods.admission.push(new LimitRanger(new LiveLookupLister(limitRanges)));
    const serviceAccounts = this.store('', 'v1', 'serviceaccounts');
    if (pods && serviceAccounts && !disabled.has('ServiceAccount')) pods.admission.push(new ServiceAccountAdmission(serviceAccounts));
    const namespaces = this.store('', 'v1', 'namespaces');
    if (pods && namespaces && !disabled.has('PodSecurity')) {
      const podSecurity = newPodSecurity(namespaces, pods);
      for (const store of this.stores.values()) {
        if (store instanceof Store && podSecurityApplies(store.info)) store.admission.push(new PodSecurityPlugin(podSecurity, store.info));
      }
    }
    const claims = this.store('', 'v1', 'persistentvolumeclaims');
    const storageClasses = this.store('storage.k8s.io', 'v1', 'storageclasses');
    if (claims && storageClasses && !disabled.has('DefaultStorageClass')) claims.admission.push(new DefaultStorageClass(storageClasses));
    const runtimeClasses = this.store('node.k8s.io', 'v1', 'runtimeclasses');
    if (pods && runtimeClasses && !disabled.has('RuntimeClass')) pods.admission.push(new RuntimeClassAdmission(runtimeClasses));
    const ingresses = this.store('networking.k8s.io', 'v1', 'ingresses');
    const ingressClasses = this.store('networking.k8s.io', 'v1', 'ingressclasses');
    if (ingresses && ingressClasses && !disabled.has('DefaultIngressClass')) ingresses.admission.push(new DefaultIngressClass(ingressClasses));
    const policyAdmit = disabled.has('ValidatingAdmissionPolicy') ? undefined : this.addValidatingAdmissionPolicy(opts.metricsRegistry);
    const webhookAdmit = this.addWebhookAdmission(
      { mutating: !disabled.has('MutatingAdmissionWebhook'), validating: !disabled.has('ValidatingAdmissionWebhook') },
      opts.metricsRegistry,
    );
    const quotas = this.store('', 'v1', 'resourcequotas');
    const quotaAdmit = quotas && !disabled.has('ResourceQuota') ? this.addResourceQuota(quotas) : undefined;
    // Custom resources' stores, made when their CRDs are established, get the policies, webhooks and quota too.
    if (policyAdmit || webhookAdmit || quotaAdmit || admissionMetrics)
      this.crds.admission = (store) => {
        store.admissionMetrics = admissionMetrics;
        policyAdmit?.(store);
        webhookAdmit?.(store);
        quotaAdmit?.(store);
      };
  }

  /** ResourceQuota on every namespaced kind, last of the admission plugins; what it adds to a custom resource's store. */
  private addResourceQuota(quotas: Store): (store: Store) => void {
    const calculate: UsageCalculator = (namespace, quota) => this.quotaUsage(namespace, quota);
    const quotaLister = new LiveLookupLister<ResourceQuota>(quotas);
    const admit = (store: Store) => {
      if (store.info.namespaced && store !== quotas) store.admission.push(new ResourceQuotaAdmission(quotas, quotaLister, store.info, calculate));
    };
    for (const store of this.stores.values()) if (store instanceof Store) admit(store);
    return admit;
  }

  /**
   * ValidatingAdmissionPolicy, before the webhooks' plugins (upstream's order: ..., MutatingAdmissionWebhook,
   * ValidatingAdmissionPolicy, ValidatingAdmissionWebhook, ResourceQuota); the admissionregistration kinds are
   * exempt, so a bad policy cannot lock itself in. Params are read from the watch cache of their kind.
   */
  private addValidatingAdmissionPolicy(metricsRegistry: PromRegistry | undefined): ((store: Store) => void) | undefined {
    const group = 'admissionregistration.k8s.io';
    const policies = this.store(group, 'v1', 'validatingadmissionpolicies');
    const bindings = this.store(group, 'v1', 'validatingadmissionpolicybindings');
    const namespaces = this.store('', 'v1', 'namespaces');
    if (!policies || !bindings || !namespaces) return undefined;
    const source = new PolicySource(policies, bindings, (store, handlers) => this.informer(store, handlers));
    const params: ParamResolver = (apiVersion, kind) => {
      const slash = apiVersion.indexOf('/');
      const [g, v] = slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
      // A built-in kind, or a custom resource's (its store exists while its CRD is served).
      const crd = this.crds.resources().find((r) => r.group === g && r.version === v && r.kind === kind);
      const builtin = [...this.stores.values()].find(
        (st): st is Store => st instanceof Store && st.info.group === g && st.info.version === v && st.info.kind === kind,
      );
      const store = builtin ?? (crd && this.crds.store(g, v, crd.plural));
      if (!store) return undefined;
      return {
        namespaced: store.info.namespaced,
        get: (namespace, name) => store.getCached(namespace, name),
        list: async (namespace) => (await store.list({ namespace, resourceVersion: '0' })).items,
      };
    };
    const dispatcher = new PolicyDispatcher(
      source,
      (name) => namespaces.getCached(undefined, name),
      params,
      this.celAuthorizer(),
      metricsRegistry && new PolicyMetrics(metricsRegistry),
    );
    const admit = (store: Store) => store.admission.push(new ValidatingAdmissionPolicyPlugin(dispatcher, store.info));
    for (const store of this.stores.values()) {
      if (store instanceof Store && store.info.group !== group) admit(store);
    }
    return admit;
  }

  /**
   * The `authorizer` of admission CEL expressions: the apiserver's authorizer (set after the registry
   * is built, so read at each check), asked about the request's user or a service account.
   */
  private celAuthorizer(): RequestAuthorizer {
    return (attr) => async (req, serviceAccount) => {
      const authorizer = this.authorization?.authorizer;
      if (!authorizer || (!attr.user && !serviceAccount)) return { allowed: true, reason: '' };
      const user: UserInfo = serviceAccount
        ? {
            name: `system:serviceaccount:${serviceAccount.namespace}:${serviceAccount.name}`,
            groups: ['system:serviceaccounts', `system:serviceaccounts:${serviceAccount.namespace}`, 'system:authenticated'],
          }
        : (attr.user as UserInfo);
      const { decision, reason } = await authorizer.authorize({
        user,
        verb: req.verb,
        isResourceRequest: req.isResourceRequest,
        path: req.path,
        apiGroup: req.group,
        apiVersion: req.version,
        namespace: req.namespace,
        resource: req.resource,
        subresource: req.subresource,
        name: req.name,
      });
      return { allowed: decision === 'Allow', reason };
    };
  }

  /** metrics.k8s.io NodeMetrics and PodMetrics, from the kubelets of the nodes stored. */
  private addResourceMetrics(resources: ResourceInfo[], storages: Map<string, ResourceStorage>, opts: RegistryOptions): void {
    const nodes = this.store('', 'v1', 'nodes');
    const pods = this.store('', 'v1', 'pods');
    if (!nodes || !pods) return;
    const scrape = opts.kubeletResourceMetrics;
    const scraper = new ResourceMetricsScraper({
      nodes: async () => (scrape ? (await nodes.list({})).items : []),
      scrape: (node) => (scrape ? scrape(node) : Promise.reject(new Error('no kubelet client'))),
      log: opts.log,
    });
    for (const info of resources) {
      if (info.group !== 'metrics.k8s.io') continue;
      const storage = storages.get(etcdPrefix(info));
      if (!storage) continue;
      const key = `${info.group}/${info.version}/${info.plural}`;
      if (info.plural === 'nodes') this.stores.set(key, new NodeMetricsREST(info, storage, scraper, nodes));
      if (info.plural === 'pods') this.stores.set(key, new PodMetricsREST(info, storage, scraper, pods));
    }
  }

  /** MutatingAdmissionWebhook and ValidatingAdmissionWebhook, after the built-in plugins (ResourceQuota comes last). */
  private addWebhookAdmission(
    enabled: { mutating: boolean; validating: boolean },
    metricsRegistry: PromRegistry | undefined,
  ): ((store: Store) => void) | undefined {
    const group = 'admissionregistration.k8s.io';
    const mutating = this.store(group, 'v1', 'mutatingwebhookconfigurations');
    const validating = this.store(group, 'v1', 'validatingwebhookconfigurations');
    const namespaces = this.store('', 'v1', 'namespaces');
    const services = this.store('', 'v1', 'services');
    const slices = this.store('discovery.k8s.io', 'v1', 'endpointslices');
    if (!mutating || !validating || !namespaces || !services || !slices || (!enabled.mutating && !enabled.validating)) return undefined;
    const source = new WebhookSource(mutating, validating, (store, handlers) => this.informer(store, handlers));
    const namespaceLabels = async (name: string) => (await namespaces.getCached(undefined, name))?.metadata.labels;
    const dispatcher = new WebhookDispatcher(
      source,
      namespaceLabels,
      endpointResolver(services, slices),
      enabled,
      metricsRegistry && new WebhookMetrics(metricsRegistry),
      this.celAuthorizer(),
    );
    const admit = (store: Store) => store.admission.push(new WebhookAdmission(dispatcher, store.info, (obj) => store.setDefaults(obj)));
    for (const store of this.stores.values()) {
      if (store instanceof Store && store.info.group !== group) admit(store);
    }
    return admit;
  }

  /** What the namespace's objects use of a quota's resources, counted over every kind the quota limits (each kind once). */
  private async quotaUsage(namespace: string, quota: ResourceQuota): Promise<Usage> {
    const hard = Object.keys(quota.spec?.hard ?? {});
    let usage: Usage = new Map();
    const seen = new Set<string>();
    for (const store of [...this.stores.values(), ...this.crds.servedStores()]) {
      if (!(store instanceof Store) || !store.info.namespaced) continue;
      const { group, plural } = store.info;
      if (seen.has(`${group}/${plural}`) || matchingResources(group, plural, hard).length === 0) continue;
      seen.add(`${group}/${plural}`);
      const { items } = await store.list({ namespace });
      for (const obj of items) {
        if (quotaMatches(quota, group, plural, obj, hard)) usage = add(usage, usageOf(group, plural, obj));
      }
    }
    return usage;
  }

  store(group: string, version: string, plural: string): Store | undefined {
    return this.stores.get(`${group}/${version}/${plural}`) ?? this.crds.store(group, version, plural);
  }

  /** The REST storage of a resource that is only created (a review); undefined for stored resources. */
  creater(group: string, version: string, plural: string): Creater | undefined {
    return this.creaters.get(`${group}/${version}/${plural}`);
  }

  private createrFor(info: ResourceInfo, opts: RegistryOptions): Creater | undefined {
    const review = info.group === 'authorization.k8s.io' ? ACCESS_REVIEWS[info.plural] : undefined;
    if (review) return new review(info, () => this.authorization);
    if (info.group !== 'authentication.k8s.io') return undefined;
    if (info.plural === 'tokenreviews') return opts.authenticateToken && new TokenReviewREST(opts.authenticateToken);
    if (info.plural === 'selfsubjectreviews') return new SelfSubjectReviewREST();
    return undefined;
  }

  /** The scale subresource of store's kind, if it has one. */
  scale(store: Store): ScaleREST | undefined {
    return this.scales.get(store) ?? this.crds.scale(store);
  }

  /** Whether any cached object of any resource names uid as an owner (the caches hold every object once started). */
  hasDependents(uid: string): boolean {
    const owns = (o: KubeObject) => (o.metadata.ownerReferences ?? []).some((r) => r.uid === uid);
    return this.storages.some((st) => st.cache.some(owns)) || this.crds.storages().some((st) => st.cache.some(owns));
  }

  /** Fills every watch cache: first lists and watches are then cheap, and hasDependents sees every resource. */
  async startCaches(): Promise<void> {
    await Promise.all(this.storages.map((st) => st.cache.start()));
    await this.crds.start();
  }

  async stop(): Promise<void> {
    for (const informer of this.informers) informer.stop();
    await this.crds.stop();
    for (const st of this.storages) await st.stop();
  }
}
