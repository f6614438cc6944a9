// The PodSecurity admission plugin (upstream's plugin/pkg/admission/security/podsecurity):
// the policy lives in pkg/podsecurity; this adapts it to the store. It runs on
// validating admission of namespaces, pods and the kinds with a pod template; its
// warnings go back to the client as Warning headers, its audit annotations (under
// pod-security.kubernetes.io/) to the request's audit event.
import type { Namespace, Pod } from '../../../api/core/v1/types.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { AUDIT_ANNOTATION_PREFIX } from '../../podsecurity/api.js';
import { PodSecurityAdmission, hasPodSpec, type Attributes, type PodSecurityConfiguration } from '../../podsecurity/admission.js';
import type { ResourceInfo } from '../../../api/resourceinfo.js';
import type { AdmissionPlugin, RequestContext, Store } from '../store.js';

const LOOKUP_CTX: RequestContext = { dryRun: false, fieldValidation: 'Ignore', warnings: [] };

/** Whether the plugin admits writes of this resource: namespaces, pods and the kinds with a pod template. */
export function podSecurityApplies(info: ResourceInfo): boolean {
  return info.group === '' && (info.plural === 'namespaces' || info.plural === 'pods') ? true : hasPodSpec(info.group, info.plural);
}

/**
 * The policy, reading namespaces and listing pods through their stores. A namespace is
 * read from the watch cache (upstream reads a lister), or from etcd when the cache has
 * not seen it yet.
 */
export function newPodSecurity(namespaces: Store, pods: Store, config?: PodSecurityConfiguration): PodSecurityAdmission {
  return new PodSecurityAdmission(
    async (name) => ((await namespaces.getCached(undefined, name)) ?? (await namespaces.get(LOOKUP_CTX, name))) as Namespace,
    async (namespace) => (await pods.list({ namespace })).items as Pod[],
    config,
  );
}

export class PodSecurityPlugin implements AdmissionPlugin {
  readonly name = 'PodSecurity';
  constructor(
    private readonly policy: PodSecurityAdmission,
    private readonly info: ResourceInfo,
  ) {}

  async validateCreate(obj: KubeObject, ctx: RequestContext): Promise<void> {
    await this.admit(ctx, { ...this.attributes(obj, ctx), operation: 'CREATE' });
  }

  async validateUpdate(obj: KubeObject, old: KubeObject, ctx: RequestContext, subresource?: string): Promise<void> {
    await this.admit(ctx, { ...this.attributes(obj, ctx), operation: 'UPDATE', oldObject: old, subresource });
  }

  private attributes(obj: KubeObject, ctx: RequestContext): Omit<Attributes, 'operation'> {
    const name = obj.metadata.name ?? '';
    return {
      group: this.info.group,
      resource: this.info.plural,
      // A namespace is its own namespace (as the request's attributes name it).
      namespace: this.info.namespaced ? (ctx.namespace ?? obj.metadata.namespace ?? '') : name,
      name,
      userName: ctx.user?.name,
      object: obj,
    };
  }

  private async admit(ctx: RequestContext, attrs: Attributes): Promise<void> {
    const response = await this.policy.validate(attrs);
    ctx.warnings.push(...response.warnings);
    for (const [k, v] of response.auditAnnotations) ctx.addAuditAnnotation?.(AUDIT_ANNOTATION_PREFIX + k, v);
    if (response.error) throw response.error;
  }
}
