// authentication.k8s.io/v1 UserInfo, as the reviews write it, and the metadata of a review's answer.
import type { KubeObject, ObjectMeta } from '../../../api/meta/v1/types.js';
import type { UserInfo } from '../../auth/user.js';

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

/** The request's metadata, answered back as upstream does for objects it does not store. */
export function reviewMetadata(obj: KubeObject): ObjectMeta {
  const meta = obj.metadata;
  const given = meta && typeof meta === 'object' && !Array.isArray(meta) ? meta : {};
  return { creationTimestamp: null, ...given } as unknown as ObjectMeta;
}
