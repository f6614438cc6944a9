// Who is asking: k8s.io/apiserver's user.Info, and the names Kubernetes gives
// to well-known users and groups.

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  /** Extra attributes (scopes, the pod a service-account token is bound to, …), by key. */
  extra?: ReadonlyMap<string, string[]>;
}

export const ANONYMOUS_USER = 'system:anonymous';
export const ALL_AUTHENTICATED = 'system:authenticated';
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';
export const SYSTEM_PRIVILEGED_GROUP = 'system:masters';
export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
export const KUBE_CONTROLLER_MANAGER = 'system:kube-controller-manager';
export const KUBE_SCHEDULER = 'system:kube-scheduler';
export const KUBE_PROXY = 'system:kube-proxy';
