// The image catalogue: which names resolve to the node image, and reading `apt-cache madison`.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { catalogueImageFor, parseAptMadison } from '../../pkg/cluster/images.js';

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
