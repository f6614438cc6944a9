// The ServiceAccount admission plugin (upstream's plugin/pkg/admission/serviceaccount)
// on pod creates: a pod without serviceAccountName runs as `default`; the service
// account must exist; unless the pod or the account turns automountServiceAccountToken
// off, the pod gets the kube-api-access-<random> projected volume (a bound token, the
// cluster CA from the kube-root-ca.crt ConfigMap, the namespace) mounted read-only at
// /var/run/secrets/kubernetes.io/serviceaccount in every container and init container
// that has no mount there already. Mirror pods are left alone, but may not use
// service accounts or secrets.
import type { Container, Pod, ProjectedVolumeSource, ServiceAccount, Volume, VolumeMount } from '../../../../api/core/v1/types.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import { newForbidden } from '../../../../api/meta/v1/status.js';
import { WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS } from '../../../util/serviceaccount/claims.js';
import { generatedName, type AdmissionPlugin, type RequestContext, type Store } from '../../store.js';

export const DEFAULT_SERVICE_ACCOUNT_NAME = 'default';
export const SERVICE_ACCOUNT_VOLUME_NAME = 'kube-api-access';
export const DEFAULT_API_TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const ROOT_CA_CONFIGMAP_NAME = 'kube-root-ca.crt';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
const DEFAULT_ACCOUNT_ATTEMPTS = 10;
/** corev1.ProjectedVolumeSourceDefaultMode (0644), set explicitly as upstream does. */
const PROJECTED_DEFAULT_MODE = 0o644;

/** TokenVolumeSource(): the projection the plugin adds. */
export function tokenVolumeSource(): ProjectedVolumeSource {
  return {
    defaultMode: PROJECTED_DEFAULT_MODE,
    sources: [
      { serviceAccountToken: { expirationSeconds: WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS, path: 'token' } },
      { configMap: { name: ROOT_CA_CONFIGMAP_NAME, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  };
}

function isMirrorPod(pod: Pod): boolean {
  const annotations = pod.metadata.annotations;
  return !!annotations && typeof annotations === 'object' && Object.prototype.hasOwnProperty.call(annotations, MIRROR_POD_ANNOTATION);
}

function listOf<T>(v: T[] | undefined | null): T[] {
  return Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : [];
}

/** shouldAutomount: the pod's setting wins, then the service account's; on by default. */
export function shouldAutomount(sa: ServiceAccount, pod: Pod): boolean {
  if (typeof pod.spec?.automountServiceAccountToken === 'boolean') return pod.spec.automountServiceAccountToken;
  if (typeof sa.automountServiceAccountToken === 'boolean') return sa.automountServiceAccountToken;
  return true;
}

/** mountServiceAccountToken: the volume (unless one is there) and a mount in every container lacking one at the path. */
export function mountServiceAccountToken(pod: Pod, newName: () => string = () => generatedName(`${SERVICE_ACCOUNT_VOLUME_NAME}-`)): void {
  const spec = pod.spec;
  const volumes = listOf<Volume>(spec.volumes);
  const existing = volumes.find((v) => typeof v.name === 'string' && v.name.startsWith(`${SERVICE_ACCOUNT_VOLUME_NAME}-`));
  const volumeName = existing?.name ?? newName();
  let needsVolume = false;
  const mountIn = (containers: Container[]) => {
    for (const c of containers) {
      const mounts = listOf<VolumeMount>(c.volumeMounts);
      if (mounts.some((m) => m.mountPath === DEFAULT_API_TOKEN_MOUNT_PATH)) continue;
      c.volumeMounts = [
        ...(Array.isArray(c.volumeMounts) ? c.volumeMounts : []),
        { name: volumeName, readOnly: true, mountPath: DEFAULT_API_TOKEN_MOUNT_PATH },
      ];
      needsVolume = true;
    }
  };
  mountIn(listOf<Container>(spec.initContainers));
  mountIn(listOf<Container>(spec.containers));
  if (!existing && needsVolume) spec.volumes = [...(Array.isArray(spec.volumes) ? spec.volumes : []), { name: volumeName, projected: tokenVolumeSource() }];
}

export class ServiceAccountAdmission implements AdmissionPlugin {
  readonly name = 'ServiceAccount';
  constructor(
    private readonly serviceAccounts: Pick<Store, 'getCached' | 'getIfExists'>,
    /** Tests: the wait between looks for `default` (else 100-200 ms). */
    private readonly retryIntervalMs?: number,
  ) {}

  private refuse(pod: Pod, why: string): never {
    throw newForbidden({ group: '', resource: 'pods', name: pod.metadata.name }, why);
  }

  /**
   * getServiceAccount: the watch cache first, then etcd (a just-made account may not be in
   * the cache yet). `default` is made by the service account controller just after its
   * namespace, so it is looked for ten times, 100-200 ms apart, before the pod is refused.
   */
  private async serviceAccount(ctx: RequestContext, name: string): Promise<KubeObject | undefined> {
    const cached = await this.serviceAccounts.getCached(ctx.namespace, name);
    if (cached) return cached;
    const attempts = name === DEFAULT_SERVICE_ACCOUNT_NAME ? DEFAULT_ACCOUNT_ATTEMPTS : 1;
    const interval = 100 + Math.floor(Math.random() * 100);
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, this.retryIntervalMs ?? interval));
      const sa = await this.serviceAccounts.getIfExists(ctx, name);
      if (sa) return sa;
    }
    return undefined;
  }

  async admitCreate(obj: KubeObject, ctx: RequestContext): Promise<void> {
    const pod = obj as Pod;
    if (!pod.spec || typeof pod.spec !== 'object' || isMirrorPod(pod)) return;
    if (!pod.spec.serviceAccountName) pod.spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT_NAME;
    const name = pod.spec.serviceAccountName;
    const namespace = ctx.namespace ?? pod.metadata.namespace ?? '';
    const sa = typeof name === 'string' ? await this.serviceAccount({ ...ctx, namespace }, name) : undefined;
    if (!sa) this.refuse(pod, `error looking up service account ${namespace}/${String(name)}: serviceaccount "${String(name)}" not found`);
    if (shouldAutomount(sa as ServiceAccount, pod)) mountServiceAccountToken(pod);
  }

  /** Mirror pods (the kubelet's copies of static pods) may not use the API's credentials. */
  async validateCreate(obj: KubeObject): Promise<void> {
    const pod = obj as Pod;
    if (!pod.spec || typeof pod.spec !== 'object' || !isMirrorPod(pod)) return;
    if (pod.spec.serviceAccountName) this.refuse(pod, 'a mirror pod may not reference service accounts');
    for (const v of listOf<Volume>(pod.spec.volumes)) {
      if (v.secret) this.refuse(pod, 'a mirror pod may not reference secrets');
      for (const s of listOf(v.projected?.sources)) {
        if (s.secret) this.refuse(pod, 'a mirror pod may not reference secrets');
        if (s.serviceAccountToken) this.refuse(pod, 'a mirror pod may not use ServiceAccountToken volume projections');
      }
    }
  }
}
