// The image catalogue: which names resolve to the node image, and reading `apt-cache madison`.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { catalogueImageFor, catalogueRepositories, debFileNameParts, packageLabels, parseAptMadison } from '../../pkg/cluster/images.js';

describe('node image', () => {
  it('answers the Node.js 18 tags and no newer line', () => {
    for (const name of ['node:18', 'node:18-slim', 'docker.io/library/node:18.20-bookworm-slim']) assert.equal(catalogueImageFor(name), 'node', name);
    for (const name of ['node', 'node:latest', 'node:lts-slim', 'node:20']) assert.equal(catalogueImageFor(name), undefined, name);
  });

  it('reads versions from apt-cache madison, newest first as listed', () => {
    const out = [
      '    nodejs | 18.20.4+dfsg-1~deb12u3 | http://deb.debian.org/debian-security bookworm-security/main amd64 Packages',
      '    nodejs | 18.20.4+dfsg-1~deb12u2 | http://deb.debian.org/debian bookworm/main amd64 Packages',
      '',
    ].join('\n');
    assert.deepEqual(parseAptMadison(out), ['18.20.4+dfsg-1~deb12u3', '18.20.4+dfsg-1~deb12u2']);
    assert.deepEqual(parseAptMadison('N: Unable to locate package nodejs\n'), []);
  });
});

describe('catalogue tags', () => {
  it('any tag of a catalogue repository resolves to its build, as the registry front answers', () => {
    for (const name of ['nginx:1.26', 'redis:7.4.1', 'busybox:1.99', 'registry.k8s.io/pause:3.99']) assert.ok(catalogueImageFor(name), name);
    assert.equal(catalogueImageFor('myapp:1.0'), undefined);
    const repos = catalogueRepositories();
    const nginx = repos.get('library/nginx');
    assert.equal(nginx?.canonicalTag, 'latest');
    assert.ok(nginx?.tags.includes('1.14.2'));
    assert.equal(repos.get('library/node')?.answers('20'), false);
    assert.equal(repos.get('library/node')?.answers('18.19-alpine'), true);
  });

  it('names the Debian packages inside as labels, from apt-get download file names', () => {
    assert.deepEqual(debFileNameParts('libc6_2.36-9%2bdeb12u4_amd64.deb'), ['libc6', '2.36-9+deb12u4']);
    assert.deepEqual(debFileNameParts('busybox-static_1%3a1.35.0-4%2bb1_amd64.deb'), ['busybox-static', '1:1.35.0-4+b1']);
    const labels = packageLabels(
      new Map([
        ['zlib1g', '1:1.2.13'],
        ['__proto__', '1'],
        ['nginx', '1.22.1-9'],
      ]),
    );
    assert.deepEqual(Object.keys(labels), ['org.debian.package.__proto__', 'org.debian.package.nginx', 'org.debian.package.zlib1g']);
  });
});
