// Request info as upstream's RequestInfoFactory derives it (requestinfo_test.go's
// cases), and the 403 messages responsewriters.Forbidden writes for each scope.
import { describe, expect, it } from '@jest/globals';
import { attributesOf, newRequestInfo } from '../../pkg/apiserver/requestinfo.js';
import { forbiddenError, forbiddenMessage } from '../../pkg/apiserver/filters/authorization.js';
import type { Attributes } from '../../pkg/auth/authorizer.js';

function info(method: string, url: string) {
  const q = url.indexOf('?');
  const r = newRequestInfo(method, q < 0 ? url : url.slice(0, q), q < 0 ? '' : url.slice(q + 1));
  return [r.verb, r.apiPrefix, r.apiGroup, r.apiVersion, r.namespace, r.resource, r.subresource, r.name, r.parts.join('/')];
}

describe('request info', () => {
  it.each([
    ['GET', '/api/v1/namespaces', 'list', 'api', '', 'v1', '', 'namespaces', '', '', 'namespaces'],
    ['GET', '/api/v1/namespaces/other', 'get', 'api', '', 'v1', 'other', 'namespaces', '', 'other', 'namespaces/other'],
    ['GET', '/api/v1/namespaces/other/pods', 'list', 'api', '', 'v1', 'other', 'pods', '', '', 'pods'],
    ['GET', '/api/v1/namespaces/other/pods/foo', 'get', 'api', '', 'v1', 'other', 'pods', '', 'foo', 'pods/foo'],
    ['HEAD', '/api/v1/namespaces/other/pods/foo', 'get', 'api', '', 'v1', 'other', 'pods', '', 'foo', 'pods/foo'],
    ['GET', '/api/v1/pods', 'list', 'api', '', 'v1', '', 'pods', '', '', 'pods'],
    ['HEAD', '/api/v1/pods', 'list', 'api', '', 'v1', '', 'pods', '', '', 'pods'],
    // special verbs
    ['GET', '/api/v1/proxy/namespaces/other/pods/foo', 'proxy', 'api', '', 'v1', 'other', 'pods', '', 'foo', 'pods/foo'],
    [
      'GET',
      '/api/v1/proxy/namespaces/other/pods/foo/subpath/not/a/subresource',
      'proxy',
      'api',
      '',
      'v1',
      'other',
      'pods',
      '',
      'foo',
      'pods/foo/subpath/not/a/subresource',
    ],
    ['GET', '/api/v1/watch/pods', 'watch', 'api', '', 'v1', '', 'pods', '', '', 'pods'],
    ['GET', '/api/v1/pods?watch=true', 'watch', 'api', '', 'v1', '', 'pods', '', '', 'pods'],
    ['GET', '/api/v1/pods?watch=false', 'list', 'api', '', 'v1', '', 'pods', '', '', 'pods'],
    ['GET', '/api/v1/watch/namespaces/other/pods', 'watch', 'api', '', 'v1', 'other', 'pods', '', '', 'pods'],
    ['GET', '/api/v1/namespaces/other/pods?watch=1', 'watch', 'api', '', 'v1', 'other', 'pods', '', '', 'pods'],
    ['GET', '/api/v1/namespaces/other/pods?watch=0', 'list', 'api', '', 'v1', 'other', 'pods', '', '', 'pods'],
    // subresources
    ['GET', '/api/v1/namespaces/other/pods/foo/status', 'get', 'api', '', 'v1', 'other', 'pods', 'status', 'foo', 'pods/foo/status'],
    ['GET', '/api/v1/namespaces/other/pods/foo/proxy/subpath', 'get', 'api', '', 'v1', 'other', 'pods', 'proxy', 'foo', 'pods/foo/proxy/subpath'],
    ['PUT', '/api/v1/namespaces/other/finalize', 'update', 'api', '', 'v1', 'other', 'namespaces', 'finalize', 'other', 'namespaces/other/finalize'],
    ['PUT', '/api/v1/namespaces/other/status', 'update', 'api', '', 'v1', 'other', 'namespaces', 'status', 'other', 'namespaces/other/status'],
    ['POST', '/api/v1/namespaces/other/pods/foo/exec', 'create', 'api', '', 'v1', 'other', 'pods', 'exec', 'foo', 'pods/foo/exec'],
    ['GET', '/api/v1/nodes/n1/proxy/metrics', 'get', 'api', '', 'v1', '', 'nodes', 'proxy', 'n1', 'nodes/n1/proxy/metrics'],
    // verbs
    ['PATCH', '/api/v1/namespaces/other/pods/foo', 'patch', 'api', '', 'v1', 'other', 'pods', '', 'foo', 'pods/foo'],
    ['DELETE', '/api/v1/namespaces/other/pods/foo', 'delete', 'api', '', 'v1', 'other', 'pods', '', 'foo', 'pods/foo'],
    ['POST', '/api/v1/namespaces/other/pods', 'create', 'api', '', 'v1', 'other', 'pods', '', '', 'pods'],
    ['DELETE', '/api/v1/nodes', 'deletecollection', 'api', '', 'v1', '', 'nodes', '', '', 'nodes'],
    ['DELETE', '/api/v1/namespaces', 'deletecollection', 'api', '', 'v1', '', 'namespaces', '', '', 'namespaces'],
    ['DELETE', '/api/v1/namespaces/other/pods', 'deletecollection', 'api', '', 'v1', 'other', 'pods', '', '', 'pods'],
    ['DELETE', '/apis/extensions/v1/namespaces/other/pods', 'deletecollection', 'apis', 'extensions', 'v1', 'other', 'pods', '', '', 'pods'],
    // groups and versions
    ['POST', '/apis/extensions/v1/namespaces/other/pods', 'create', 'apis', 'extensions', 'v1', 'other', 'pods', '', '', 'pods'],
    ['POST', '/apis/extensions/v1beta3/namespaces/other/pods', 'create', 'apis', 'extensions', 'v1beta3', 'other', 'pods', '', '', 'pods'],
    [
      'POST',
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      'create',
      'apis',
      'authentication.k8s.io',
      'v1',
      '',
      'selfsubjectreviews',
      '',
      '',
      'selfsubjectreviews',
    ],
    // a list or watch of one name by field selector names it; a name that is no path segment does not
    ['GET', '/api/v1/namespaces/other/pods?fieldSelector=metadata.name%3Dfoo', 'list', 'api', '', 'v1', 'other', 'pods', '', 'foo', 'pods'],
    ['GET', '/api/v1/namespaces/other/pods?watch=true&fieldSelector=metadata.name==foo', 'watch', 'api', '', 'v1', 'other', 'pods', '', 'foo', 'pods'],
    ['GET', '/api/v1/namespaces/other/pods?fieldSelector=metadata.name!%3Dfoo', 'list', 'api', '', 'v1', 'other', 'pods', '', '', 'pods'],
    ['GET', '/api/v1/namespaces/other/pods?fieldSelector=metadata.name%3Da%2Fb', 'list', 'api', '', 'v1', 'other', 'pods', '', '', 'pods'],
    // the query is read as the handlers read it: escaped names count
    ['GET', '/api/v1/pods?limit=5&continue=abc', 'list', 'api', '', 'v1', '', 'pods', '', '', 'pods'],
    ['GET', '/api/v1/pods?w%61tch=true', 'watch', 'api', '', 'v1', '', 'pods', '', '', 'pods'],
    ['GET', '/api/v1/pods?watch=true&watch=false', 'watch', 'api', '', 'v1', '', 'pods', '', '', 'pods'],
    // served as a watch of the one object (handlers.ts), so authorised as one
    ['GET', '/api/v1/namespaces/other/pods/foo?watch=true', 'watch', 'api', '', 'v1', 'other', 'pods', '', 'foo', 'pods/foo'],
    // segments as the router reads them: empty ones dropped, each unescaped
    ['GET', '/api/v1/namespaces//other/pods/f%6fo', 'get', 'api', '', 'v1', 'other', 'pods', '', 'foo', 'pods/foo'],
  ])('%s %s', (method, url, ...want) => {
    expect(info(method, url)).toEqual(want);
  });

  it.each([
    ['GET', '/'],
    ['GET', '/healthz'],
    ['GET', '/api'],
    ['GET', '/apis'],
    ['GET', '/apis/extensions'],
    ['GET', '/apis/extensions/v1'],
    ['GET', '/api/v1'],
    ['POST', '/openapi/v2'],
  ])('%s %s is not a resource request', (method, path) => {
    const r = newRequestInfo(method, path, '');
    expect(r.isResourceRequest).toBe(false);
    expect(r.verb).toBe(method.toLowerCase());
    expect(r.path).toBe(path);
  });
});

describe('field selectors reach the authorizer (KEP-4601)', () => {
  const selector = (method: string, url: string) => {
    const q = url.indexOf('?');
    const r = newRequestInfo(method, url.slice(0, q), url.slice(q + 1));
    return attributesOf(r, { name: 'u', groups: [] }).fieldSelector;
  };

  it('on lists, watches and deletecollections, parsed', () => {
    expect(selector('GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1')).toEqual([{ field: 'spec.nodeName', operator: '=', value: 'node-1' }]);
    expect(selector('GET', '/api/v1/pods?watch=1&fieldSelector=spec.nodeName==n,status.phase!=Failed')).toEqual([
      { field: 'spec.nodeName', operator: '==', value: 'n' },
      { field: 'status.phase', operator: '!=', value: 'Failed' },
    ]);
    expect(selector('DELETE', '/api/v1/namespaces/a/pods?fieldSelector=spec.nodeName=n')).toEqual([{ field: 'spec.nodeName', operator: '=', value: 'n' }]);
  });

  it('not on other verbs, nor when absent or malformed', () => {
    expect(selector('GET', '/api/v1/namespaces/a/pods/p?fieldSelector=spec.nodeName=n')).toBeUndefined();
    expect(selector('DELETE', '/api/v1/namespaces/a/pods/p?fieldSelector=spec.nodeName=n')).toBeUndefined();
    expect(selector('GET', '/api/v1/pods?limit=1')).toBeUndefined();
    expect(selector('GET', '/api/v1/pods?fieldSelector=spec.nodeName')).toBeUndefined();
  });
});

describe('forbidden messages (responsewriters.Forbidden)', () => {
  const user = { name: 'viewer-a', groups: ['system:authenticated'] };
  const attrs = (a: Partial<Attributes>): Attributes => ({
    user,
    verb: 'get',
    isResourceRequest: true,
    path: '',
    apiGroup: '',
    apiVersion: 'v1',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    ...a,
  });

  it('a namespaced list', () => {
    const err = forbiddenError(attrs({ verb: 'list', resource: 'pods', namespace: 'b' }), '');
    expect(err.code).toBe(403);
    expect(err.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods is forbidden: User "viewer-a" cannot list resource "pods" in API group "" in the namespace "b"',
      reason: 'Forbidden',
      details: { kind: 'pods' },
      code: 403,
    });
  });

  it('a named object in a group, at the cluster scope', () => {
    const err = forbiddenError(attrs({ verb: 'delete', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'admin' }), '');
    expect(err.message).toBe(
      'clusterroles.rbac.authorization.k8s.io "admin" is forbidden: User "viewer-a" cannot delete resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope',
    );
    expect(err.details).toEqual({ name: 'admin', group: 'rbac.authorization.k8s.io', kind: 'clusterroles' });
  });

  it('a subresource is named in the message, not in the qualified resource', () => {
    const err = forbiddenError(attrs({ verb: 'create', resource: 'pods', subresource: 'exec', name: 'web-0', namespace: 'a' }), '');
    expect(err.message).toBe('pods "web-0" is forbidden: User "viewer-a" cannot create resource "pods/exec" in API group "" in the namespace "a"');
    expect(err.details).toEqual({ name: 'web-0', kind: 'pods' });
  });

  it('a non-resource path', () => {
    const a = attrs({ isResourceRequest: false, verb: 'get', path: '/api', apiVersion: '' });
    expect(forbiddenMessage(a)).toBe('User "viewer-a" cannot get path "/api"');
    const err = forbiddenError(a, '');
    expect(err.message).toBe('forbidden: User "viewer-a" cannot get path "/api"');
    expect(err.details).toEqual({});
  });

  it("the authorizer's reason follows; HTML-like text is escaped; names are quoted as Go's %q", () => {
    expect(forbiddenError(attrs({ verb: 'list', resource: 'secrets', namespace: 'a' }), 'RBAC: role "x" not found').message).toBe(
      'secrets is forbidden: User "viewer-a" cannot list resource "secrets" in API group "" in the namespace "a": RBAC: role "x" not found',
    );
    const odd = forbiddenError(attrs({ isResourceRequest: false, verb: 'get', path: '/<b>&"x"\n' }), '');
    expect(odd.message).toBe('forbidden: User "viewer-a" cannot get path "/&lt;b&gt;&amp;\\"x\\"\\n"');
    expect(forbiddenMessage(attrs({ user: { name: '', groups: [] }, resource: 'pods', verb: 'list' }))).toBe(
      'User "" cannot list resource "pods" in API group "" at the cluster scope',
    );
  });

  it('impersonation refusals name what was to be impersonated', () => {
    const err = forbiddenError(attrs({ verb: 'impersonate', resource: 'users', name: 'admin' }), '');
    expect(err.message).toBe('users "admin" is forbidden: User "viewer-a" cannot impersonate resource "users" in API group "" at the cluster scope');
    const sa = forbiddenError(attrs({ verb: 'impersonate', resource: 'serviceaccounts', name: 'default', namespace: 'kube-system' }), '');
    expect(sa.message).toBe(
      'serviceaccounts "default" is forbidden: User "viewer-a" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "kube-system"',
    );
  });
});
