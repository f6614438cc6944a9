// The registry front's decisions: who may write what, and which tag a manifest request falls back to.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { authorize, basicAuthorization, basicUser, fallbackTag, parseRegistryPath, type CatalogueRepository } from '../../pkg/cluster/registryfront.js';

const catalogue = new Map<string, CatalogueRepository>([
  ['library/nginx', { canonicalTag: 'latest', tags: ['latest', '1.14.2'], answers: () => true }],
  ['library/node', { canonicalTag: '18', tags: ['18'], answers: (t) => t.startsWith('18') }],
]);

describe('registry front', () => {
  it('parses repository paths with slashes, and nothing else', () => {
    assert.deepEqual(parseRegistryPath('/v2/library/nginx/manifests/1.26'), { repository: 'library/nginx', kind: 'manifests', rest: '1.26' });
    assert.deepEqual(parseRegistryPath('/v2/a/b/c/blobs/uploads/x?digest=sha256:1'), { repository: 'a/b/c', kind: 'blobs', rest: 'uploads/x' });
    assert.equal(parseRegistryPath('/v2/'), undefined);
    assert.equal(parseRegistryPath('/v2/_catalog'), undefined);
  });

  it('reads the user of Basic credentials only', () => {
    assert.equal(basicUser(basicAuthorization({ username: 'push', password: 'a:b' })), 'push');
    assert.equal(basicUser('Bearer abc'), undefined);
    assert.equal(basicUser(`Basic ${Buffer.from('nocolon').toString('base64')}`), undefined);
    assert.equal(basicUser(undefined), undefined);
  });

  it('lets anyone read, users write, and only the builder change catalogue tags', () => {
    const m = (repo: string, tag: string) => parseRegistryPath(`/v2/${repo}/manifests/${tag}`);
    assert.equal(authorize('GET', m('library/nginx', 'latest'), undefined, catalogue).allow, true);
    assert.deepEqual(authorize('PUT', m('myapp', '1'), undefined, catalogue), {
      allow: false,
      status: 401,
      code: 'UNAUTHORIZED',
      message: 'pushing to this registry needs credentials (timonel up writes them)',
    });
    assert.equal(authorize('PUT', m('myapp', '1'), 'pull', catalogue).allow, false);
    assert.equal(authorize('PUT', m('myapp', '1'), 'push', catalogue).allow, true);
    assert.equal(authorize('PUT', m('library/nginx', '1.14.2'), 'push', catalogue).allow, false);
    assert.equal(authorize('DELETE', m('library/nginx', 'sha256:abc'), 'push', catalogue).allow, false);
    assert.equal(authorize('PUT', m('library/nginx', '1.26'), 'push', catalogue).allow, true, 'a tag the catalogue does not push is the user’s');
    assert.equal(authorize('POST', parseRegistryPath('/v2/library/nginx/blobs/uploads/'), 'push', catalogue).allow, true);
    assert.equal(authorize('PUT', m('library/nginx', 'latest'), 'catalogue', catalogue).allow, true);
  });

  it('falls back to the canonical tag for reads by tag of tags the entry answers for', () => {
    const m = (repo: string, tag: string) => parseRegistryPath(`/v2/${repo}/manifests/${tag}`);
    assert.equal(fallbackTag('GET', m('library/nginx', '1.26'), catalogue), 'latest');
    assert.equal(fallbackTag('HEAD', m('library/nginx', '1.26'), catalogue), 'latest');
    assert.equal(fallbackTag('GET', m('library/nginx', 'latest'), catalogue), undefined);
    assert.equal(fallbackTag('GET', m('library/nginx', 'sha256:0123abcd'), catalogue), undefined);
    assert.equal(fallbackTag('PUT', m('library/nginx', '1.26'), catalogue), undefined);
    assert.equal(fallbackTag('GET', m('library/node', '20'), catalogue), undefined);
    assert.equal(fallbackTag('GET', m('library/node', '18.20-slim'), catalogue), '18');
    assert.equal(fallbackTag('GET', m('myapp', '1'), catalogue), undefined);
  });
});
