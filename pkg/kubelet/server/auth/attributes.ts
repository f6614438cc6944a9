// What a request to the kubelet API asks, as the apiserver's authorizer sees it
// (upstream pkg/kubelet/server/auth.go, nodeAuthorizerAttributesGetter): the verb
// from the HTTP method, the resource `nodes` named after this node, and the
// subresource from the path: /stats → stats, /metrics → metrics, /logs → log,
// anything else proxy. Granting nodes/proxy grants the whole kubelet API.
import type { AuthenticatedUser } from '../../../client/delegated/authenticator.js';

/** A user as the kubelet's authenticators name it (user.Info). */
export type KubeletUser = AuthenticatedUser;

/** authorizer.AttributesRecord for a kubelet request: always a resource request on this node. */
export interface KubeletAttributes {
  user: KubeletUser;
  verb: string;
  namespace: '';
  apiGroup: '';
  apiVersion: 'v1';
  resource: 'nodes';
  subresource: 'proxy' | 'stats' | 'metrics' | 'log';
  name: string;
  path: string;
}

const VERBS = new Map([
  ['POST', 'create'],
  ['GET', 'get'],
  ['PUT', 'update'],
  ['PATCH', 'patch'],
  ['DELETE', 'delete'],
]);

/** isSubpath: path is root or below it (root's trailing slash ignored). */
function isSubpath(path: string, root: string): boolean {
  const r = root.endsWith('/') ? root.slice(0, -1) : root;
  return path === r || (path.startsWith(r) && path[r.length] === '/');
}

/** GetRequestAttributes: the attributes a request to this node's kubelet is authorised with. An unknown method has the verb ''. */
export function requestAttributes(user: KubeletUser, method: string, path: string, nodeName: string): KubeletAttributes {
  let subresource: KubeletAttributes['subresource'] = 'proxy';
  if (isSubpath(path, '/stats/')) subresource = 'stats';
  else if (isSubpath(path, '/metrics')) subresource = 'metrics';
  else if (isSubpath(path, '/logs/')) subresource = 'log';
  return {
    user,
    verb: VERBS.get(method) ?? '',
    namespace: '',
    apiGroup: '',
    apiVersion: 'v1',
    resource: 'nodes',
    subresource,
    name: nodeName,
    path,
  };
}
