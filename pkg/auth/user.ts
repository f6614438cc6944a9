// Who is asking: k8s.io/apiserver's user.Info, and the names Kubernetes gives
// to well-known users and groups.

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  /** Extra attributes (scopes, the pod a service-account token is bound to, …), by key. */
  extra?: ReadonlyMap<string, string[]>;
}

/** authentication.k8s.io/v1 UserInfo, the wire form reviews, audit events and AdmissionReviews carry. */
export interface ReviewUserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** The wire form: empty fields left out, as Go's omitempty does. */
export function userInfoOf(user: UserInfo): ReviewUserInfo {
  const out: ReviewUserInfo = { username: user.name };
  if (user.uid) out.uid = user.uid;
  if (user.groups.length) out.groups = [...user.groups];
  if (user.extra?.size) {
    const extra = Object.create(null) as Record<string, string[]>; // keys are the client's
    for (const [k, v] of user.extra) extra[k] = [...v];
    out.extra = extra;
  }
  return out;
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
