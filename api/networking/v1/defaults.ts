// Defaulting for networking.k8s.io/v1 (pkg/apis/networking/v1/defaults.go).
import type { KubeObject } from '../../meta/v1/types.js';
import { type Obj, arrAt, objAt, objs } from '../../validation/field.js';

/** A NetworkPolicyPort without a protocol is TCP. */
function setDefaultsNetworkPolicyPorts(rules: Obj[]): void {
  for (const rule of rules) for (const port of objs(rule, 'ports')) if (port.protocol === undefined || port.protocol === null) port.protocol = 'TCP';
}

/** SetDefaults_NetworkPolicy: a policy naming no policyTypes is an Ingress policy, and an Egress one too when it has egress rules. */
export function setDefaultsNetworkPolicy(np: KubeObject): void {
  const spec = objAt(np, 'spec');
  if (!spec) return;
  setDefaultsNetworkPolicyPorts(objs(spec, 'ingress'));
  setDefaultsNetworkPolicyPorts(objs(spec, 'egress'));
  if (arrAt(spec, 'policyTypes').length === 0) {
    spec.policyTypes = arrAt(spec, 'egress').length ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

/** SetDefaults_IngressClass: parameters without a scope are cluster-scoped. */
export function setDefaultsIngressClass(ic: KubeObject): void {
  const params = objAt(objAt(ic, 'spec'), 'parameters');
  if (params && (params.scope === undefined || params.scope === null)) params.scope = 'Cluster';
}
