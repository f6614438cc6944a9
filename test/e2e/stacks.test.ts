// The stacks users bring, on a real cluster: the Kubernetes documentation's
// WordPress and MySQL tutorial, unmodified (`kubectl apply -k`, its
// secretGenerator, PVCs from the default StorageClass, a LoadBalancer Service).
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { until } from '../support/controllers.js';
import { timonelUp, type UpCluster } from '../support/upcluster.js';

const MANIFESTS = fileURLToPath(new URL('../../../manifests/examples/', import.meta.url));
const poll = <T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number) => until(what, check, timeoutMs, 1000);

jest.setTimeout(900_000);
describe('stacks', () => {
  let c: UpCluster;

  beforeAll(async () => {
    c = await timonelUp({ podCIDR: '10.244.110.0/24', bridge: 'tmnl-e2e10' });
    await c.kubectl(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=60s']);
    await c.kubectl(['run', 'client', '--image=busybox', '--', 'sleep', '3600']);
  });
  afterAll(async () => {
    await c?.down();
  });

  it('the WordPress tutorial runs unmodified: PVCs Bound, the install page answers by DNS name and on the EXTERNAL-IP', async () => {
    await c.kubectl(['apply', '-k', `${MANIFESTS}wordpress-mysql`]);
    await c.kubectl(['rollout', 'status', 'deployment/wordpress-mysql', '--timeout=300s']);
    await c.kubectl(['rollout', 'status', 'deployment/wordpress', '--timeout=300s']);
    const pvcs = JSON.parse((await c.kubectl(['get', 'pvc', '-o', 'json'])).stdout) as { items: { metadata: { name: string }; status: { phase: string } }[] };
    assert.deepEqual(pvcs.items.map((p) => `${p.metadata.name}=${p.status.phase}`).sort(), ['mysql-pv-claim=Bound', 'wp-pv-claim=Bound']);
    await c.kubectl(['wait', '--for=condition=Ready', 'pod/client', '--timeout=120s']);
    // WordPress answers once MariaDB has initialised; its first page redirects to the installer.
    const page = await poll(
      'the install page through the wordpress Service',
      async () => {
        const r = await c.kubectl(['exec', 'client', '--', 'wget', '-T', '5', '-q', '-O-', 'http://wordpress/'], { allowFail: true });
        return r.code === 0 && /WordPress/.test(r.stdout) && r.stdout;
      },
      240_000,
    );
    assert.match(page, /<title>WordPress &rsaquo; Installation<\/title>/);
    const ip = await poll(
      'an EXTERNAL-IP for the wordpress Service',
      async () => (await c.kubectl(['get', 'svc', 'wordpress', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).stdout.trim(),
      60_000,
    );
    assert.equal(ip, '10.244.110.1', "the node's address");
    const res = await fetch(`http://${ip}/wp-admin/install.php`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /WordPress &rsaquo; Installation/);
    const table = (await c.kubectl(['get', 'svc', 'wordpress'])).stdout;
    assert.match(table, /^wordpress\s+LoadBalancer\s+\S+\s+10\.244\.110\.1\s+80:\d+\/TCP/m);
  });
});
