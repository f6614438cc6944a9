// Building your own image as the seeds do: a Dockerfile FROM the catalogue's
// python image (127.0.0.1:5000/library/python:3) with the seed 002 Flask app,
// built by Debian's docker (fenced in: its own data dir, no bridge, no
// iptables), pushed to the cluster's registry with the push credentials, and
// run in the cluster under the registry's address.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_IMAGE_CACHE_DIR } from '../../pkg/cluster/images.js';
import { freePort } from '../../pkg/cluster/process.js';
import { registryCredentials } from '../../pkg/cluster/registry.js';
import { until } from '../support/controllers.js';
import { startFencedDocker, type FencedDocker } from '../support/dockerd.js';
import { timonelUp, type UpCluster } from '../support/upcluster.js';

const APP = `from flask import Flask
app = Flask(__name__)

@app.route("/")
def hello():
    return "built with docker, running on timonel\\n"

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=80)
`;

// A registry of this test's own (port, and cache with TIMONEL_IMAGE_CACHE): the machine's shared one may be
// another branch's, stopped or rebuilt by it while this test runs.
const CACHE = process.env.TIMONEL_IMAGE_CACHE ?? DEFAULT_IMAGE_CACHE_DIR;

jest.setTimeout(900_000);
describe('a Dockerfile build pushed to the cluster registry', () => {
  let c: UpCluster;
  let docker: FencedDocker | undefined;
  let work = '';
  let skipped = '';
  let registry = '';

  beforeAll(async () => {
    work = mkdtempSync('/tmp/timonel-build-');
    registry = `127.0.0.1:${await freePort()}`;
    c = await timonelUp({ podCIDR: '10.244.112.0/24', bridge: 'tmnl-e2e12', extraFlags: ['--cache-dir', CACHE, '--registry-port', registry.split(':')[1]] });
    const d = await startFencedDocker((m) => process.stderr.write(`dockerd: ${m}\n`));
    if ('skipped' in d) skipped = d.skipped;
    else docker = d;
  });
  afterAll(async () => {
    await docker?.stop();
    await c?.down();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('FROM 127.0.0.1:5000/library/python:3 builds offline, pushes with the push user, and runs', async () => {
    assert.ok(docker, `Debian's docker.io is needed: ${skipped}`);
    writeFileSync(join(work, 'app.py'), APP);
    writeFileSync(join(work, 'Dockerfile'), `FROM ${registry}/library/python:3\nCOPY app.py /app/app.py\nEXPOSE 80\nCMD ["python", "/app/app.py"]\n`);
    const creds = registryCredentials(CACHE);
    assert.ok(creds, 'timonel up wrote the registry credentials');
    // docker sends credentials only after a login (the registry's version check challenges it).
    await assert.rejects(docker.docker(['login', registry, '-u', creds.push.username, '--password-stdin'], 'not-the-password'), /unauthorized|401/i);
    await docker.docker(['login', registry, '-u', creds.push.username, '--password-stdin'], creds.push.password);
    await docker.docker(['build', '--network', 'none', '-t', `${registry}/friendlyhello:1`, work]);
    await docker.docker(['push', `${registry}/friendlyhello:1`]);
    await c.kubectl(['run', 'friendlyhello', `--image=${registry}/friendlyhello:1`, '--port=80']);
    await c.kubectl(['wait', '--for=condition=Ready', 'pod/friendlyhello', '--timeout=120s']);
    const ip = (await c.kubectl(['get', 'pod', 'friendlyhello', '-o', 'jsonpath={.status.podIP}'])).stdout.trim();
    const body = await until(
      'the app to answer',
      async () => (await fetch(`http://${ip}/`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined))?.text(),
      30_000,
      500,
    );
    assert.equal(body, 'built with docker, running on timonel\n');
  });
});
