// The NodeRestriction admission plugin (upstream's plugin/pkg/admission/noderestriction)
// as store hooks: a kubelet (system:node:<name> in system:nodes) may write only its
// own Node and Lease and the status of pods bound to it; it creates only mirror pods
// of its own and deletes only its own pods. Runs after authorization, which lets
// every node write every node, lease and pod status.
import { isDeepStrictEqual } from 'node:util';
import type { Lease } from '../../../api/coordination/v1/types.js';
import type { Node, Pod } from '../../../api/core/v1/types.js';
import { newForbidden, newNotFound } from '../../../api/meta/v1/status.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { nodeIdentity } from '../../auth/nodeidentifier.js';
import type { RequestContext, StoreHooks } from '../store.js';
import { goQuote } from '../../util/goquote.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
const NODE_RESTRICTION_LABEL_NAMESPACE = 'node-restriction.kubernetes.io';

// kubelet-owned labels (k8s.io/kubelet/pkg/apis IsKubeletLabel).
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
]);
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

function forbidden(resource: { group: string; resource: string }, name: string, why: string) {
  return newForbidden({ ...resource, name }, why);
}

const PODS = { group: '', resource: 'pods' };
const NODES = { group: '', resource: 'nodes' };
const LEASES = { group: 'coordination.k8s.io', resource: 'leases' };

/** The node a request comes from, or undefined when it is not a node's. Throws for a node with no name. */
function requestingNode(ctx: RequestContext | undefined, resource: { group: string; resource: string }, name: string): string | undefined {
  const node = nodeIdentity(ctx?.user);
  if (node === '') throw forbidden(resource, name, `could not determine node from user ${goQuote(ctx?.user?.name ?? '')}`);
  return node;
}

function labelNamespace(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}

function inNamespace(ns: string, domain: string): boolean {
  return ns === domain || ns.endsWith(`.${domain}`);
}

function isKubeletLabel(key: string): boolean {
  return KUBELET_LABELS.has(key) || KUBELET_LABEL_NAMESPACES.some((d) => inNamespace(labelNamespace(key), d));
}

function isKubernetesLabel(key: string): boolean {
  const ns = labelNamespace(key);
  return inNamespace(ns, 'kubernetes.io') || inNamespace(ns, 'k8s.io');
}

function modifiedLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): string[] {
  const out = new Set<string>();
  const x = a ?? {};
  const y = b ?? {};
  for (const k of Object.keys(x)) if (!Object.prototype.hasOwnProperty.call(y, k) || x[k] !== y[k]) out.add(k);
  for (const k of Object.keys(y)) if (!Object.prototype.hasOwnProperty.call(x, k) || x[k] !== y[k]) out.add(k);
  return [...out];
}

/** Labels a kubelet may not add, change or remove: node-restriction ones, and kubernetes.io / k8s.io ones it does not own. */
function forbiddenLabels(keys: string[]): string[] {
  return keys.filter((k) => inNamespace(labelNamespace(k), NODE_RESTRICTION_LABEL_NAMESPACE) || (isKubernetesLabel(k) && !isKubeletLabel(k))).sort();
}

function refersToSecrets(pod: Pod): boolean {
  const spec = pod.spec;
  if ((spec.imagePullSecrets ?? []).length) return true;
  for (const v of spec.volumes ?? []) {
    if (v.secret || v.azureFile || v.cephfs?.secretRef || v.cinder?.secretRef || v.flexVolume?.secretRef || v.iscsi?.secretRef) return true;
    if (v.rbd?.secretRef || v.scaleIO?.secretRef || v.storageos?.secretRef || v.csi?.nodePublishSecretRef) return true;
    if ((v.projected?.sources ?? []).some((s) => s.secret)) return true;
  }
  return containersOf(pod).some((c) => (c.envFrom ?? []).some((e) => e.secretRef) || (c.env ?? []).some((e) => e.valueFrom?.secretKeyRef));
}

function refersToConfigMaps(pod: Pod): boolean {
  for (const v of pod.spec.volumes ?? []) {
    if (v.configMap || (v.projected?.sources ?? []).some((s) => s.configMap)) return true;
  }
  return containersOf(pod).some((c) => (c.envFrom ?? []).some((e) => e.configMapRef) || (c.env ?? []).some((e) => e.valueFrom?.configMapKeyRef));
}

function containersOf(pod: Pod) {
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers, ...(pod.spec.ephemeralContainers ?? [])];
}

function admitMirrorPodCreate(node: string, pod: Pod, nodeUID: string | undefined): void {
  const name = pod.metadata.name ?? '';
  const no = (why: string) => forbidden(PODS, name, why);
  if (!Object.prototype.hasOwnProperty.call(pod.metadata.annotations ?? {}, MIRROR_POD_ANNOTATION)) {
    throw no(`pod does not have ${goQuote(MIRROR_POD_ANNOTATION)} annotation, node ${goQuote(node)} can only create mirror pods`);
  }
  if (pod.spec.nodeName !== node) throw no(`node ${goQuote(node)} can only create pods with spec.nodeName set to itself`);
  const owners = pod.metadata.ownerReferences ?? [];
  if (owners.length > 1) throw no(`node ${goQuote(node)} can only create pods with a single owner reference set to itself`);
  if (owners.length === 0) throw no(`node ${goQuote(node)} can only create pods with an owner reference set to itself`);
  const owner = owners[0];
  if (owner.apiVersion !== 'v1' || owner.kind !== 'Node' || owner.name !== node) {
    throw no(`node ${goQuote(node)} can only create pods with an owner reference set to itself`);
  }
  if (!owner.controller) throw no(`node ${goQuote(node)} can only create pods with a controller owner reference set to itself`);
  if (owner.blockOwnerDeletion) throw no(`node ${goQuote(node)} must not set blockOwnerDeletion on an owner reference`);
  if (nodeUID === undefined) throw newNotFound({ group: '', resource: 'nodes', name: node });
  if (owner.uid !== nodeUID) throw no(`node ${node} UID mismatch: expected ${owner.uid} got ${nodeUID}`);
  if (pod.spec.serviceAccountName) throw no(`node ${goQuote(node)} can not create pods that reference a service account`);
  if (refersToSecrets(pod)) throw no(`node ${goQuote(node)} can not create pods that reference secrets`);
  if (refersToConfigMaps(pod)) throw no(`node ${goQuote(node)} can not create pods that reference configmaps`);
  if ((pod.spec.volumes ?? []).some((v) => (v.projected?.sources ?? []).some((s) => s.clusterTrustBundle))) {
    throw no(`node ${goQuote(node)} can not create pods that reference clustertrustbundles`);
  }
  if ((pod.spec.volumes ?? []).some((v) => v.persistentVolumeClaim)) {
    throw no(`node ${goQuote(node)} can not create pods that reference persistentvolumeclaims`);
  }
}

/** pods: mirror pods only on create; status only of pods bound to the node; delete only those. */
export function podRestrictionHooks(nodeUID: (name: string) => Promise<string | undefined>): StoreHooks {
  return {
    async beforeCreate(obj, ctx) {
      const pod = obj as Pod;
      const node = requestingNode(ctx, PODS, pod.metadata.name ?? '');
      if (node === undefined) return;
      admitMirrorPodCreate(node, pod, await nodeUID(node));
    },
    async beforeUpdate(obj, old, ctx, subresource) {
      const name = old.metadata.name ?? '';
      const node = requestingNode(ctx, PODS, name);
      if (node === undefined) return;
      if (subresource !== 'status') {
        throw forbidden(PODS, name, `unexpected operation "UPDATE", node ${goQuote(node)} can only create and delete mirror pods`);
      }
      if ((old as Pod).spec.nodeName !== node) {
        throw forbidden(PODS, name, `node ${goQuote(node)} can only update pod status for pods with spec.nodeName set to itself`);
      }
      if (!isDeepStrictEqual(old.metadata.labels ?? {}, obj.metadata.labels ?? {})) {
        throw forbidden(PODS, name, `node ${goQuote(node)} cannot update labels through pod status`);
      }
    },
    beforeDelete(obj, ctx) {
      const name = obj.metadata.name ?? '';
      const node = requestingNode(ctx, PODS, name);
      if (node === undefined) return;
      if ((obj as Pod).spec.nodeName !== node) {
        throw forbidden(PODS, name, `node ${goQuote(node)} can only delete pods with spec.nodeName set to itself`);
      }
    },
  };
}

/** nodes: only its own, without a configSource, taints it did not have, or labels it does not own. */
export function nodeRestrictionHooks(): StoreHooks {
  const sameNode = (obj: KubeObject, ctx: RequestContext | undefined): string | undefined => {
    const name = obj.metadata.name ?? '';
    const node = requestingNode(ctx, NODES, name);
    if (node !== undefined && name !== node) throw forbidden(NODES, name, `node ${goQuote(node)} is not allowed to modify node ${goQuote(name)}`);
    return node;
  };
  return {
    async beforeCreate(obj, ctx) {
      const node = sameNode(obj, ctx);
      if (node === undefined) return;
      const n = obj as Node;
      const name = n.metadata.name ?? '';
      if (n.spec.configSource) throw forbidden(NODES, name, `node ${goQuote(node)} is not allowed to create pods with a non-nil configSource`);
      const bad = forbiddenLabels(modifiedLabels(n.metadata.labels, undefined));
      if (bad.length) throw forbidden(NODES, name, `node ${goQuote(node)} is not allowed to set the following labels: ${bad.join(', ')}`);
    },
    async beforeUpdate(obj, old, ctx) {
      const node = sameNode(obj, ctx);
      if (node === undefined) return;
      const n = obj as Node;
      const o = old as Node;
      const name = n.metadata.name ?? '';
      if (n.spec.configSource && !isDeepStrictEqual(n.spec.configSource, o.spec.configSource)) {
        throw forbidden(NODES, name, `node ${goQuote(node)} is not allowed to update configSource to a new non-nil configSource`);
      }
      if (!isDeepStrictEqual(n.spec.taints ?? [], o.spec.taints ?? [])) throw forbidden(NODES, name, `node ${goQuote(node)} is not allowed to modify taints`);
      const bad = forbiddenLabels(modifiedLabels(n.metadata.labels, o.metadata.labels));
      if (bad.length) throw forbidden(NODES, name, `is not allowed to modify labels: ${bad.join(', ')}`);
    },
    beforeDelete(obj, ctx) {
      sameNode(obj, ctx);
    },
  };
}

/** leases: only in kube-node-lease, and only the one named after the node. */
export function leaseRestrictionHooks(): StoreHooks {
  const check = (obj: KubeObject, ctx: RequestContext | undefined): void => {
    const lease = obj as Lease;
    const name = lease.metadata.name ?? '';
    const node = requestingNode(ctx, LEASES, name);
    if (node === undefined) return;
    if ((ctx?.namespace ?? lease.metadata.namespace) !== NODE_LEASE_NAMESPACE) {
      throw forbidden(LEASES, name, `can only access leases in the ${goQuote(NODE_LEASE_NAMESPACE)} system namespace`);
    }
    if (name !== node) throw forbidden(LEASES, name, 'can only access node lease with the same name as the requesting node');
  };
  return {
    beforeCreate: async (obj, ctx) => check(obj, ctx),
    beforeUpdate: async (obj, _old, ctx) => check(obj, ctx),
    beforeDelete: (obj, ctx) => check(obj, ctx),
  };
}

/**
 * admitServiceAccount: a node's TokenRequest must be bound to a pod, by uid, that is
 * scheduled on that node. Other users are not restricted here.
 */
export function tokenRequestRestriction(
  ctx: RequestContext,
  serviceAccount: string,
  ref: { apiVersion?: string; kind?: string; name?: string; uid?: string } | undefined,
  pod: KubeObject | undefined,
): void {
  const node = nodeIdentity(ctx.user);
  if (node === undefined) return;
  const no = (why: string) => forbidden({ group: '', resource: 'serviceaccounts' }, serviceAccount, why);
  if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || !ref.name) throw no('node requested token not bound to a pod');
  if (!ref.uid) throw no('node requested token with a pod binding without a uid');
  if (!pod) throw newNotFound({ group: '', resource: 'pods', name: ref.name });
  if (ref.uid !== pod.metadata.uid)
    throw no(`the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  if ((pod as Pod).spec?.nodeName !== node) throw no('node requested token bound to a pod scheduled on a different node');
}
