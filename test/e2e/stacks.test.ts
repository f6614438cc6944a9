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

  it('seed 002: the Flask + Redis visit counter counts up across requests and across a restart of the web pod', async () => {
    await c.kubectl(['apply', '-f', `${MANIFESTS}flask-redis/`]);
    await c.kubectl(['rollout', 'status', 'deployment/redis', '--timeout=300s']);
    await c.kubectl(['rollout', 'status', 'deployment/web', '--timeout=300s']);
    const visits = async (): Promise<number> => {
      const body = await poll(
        'the visit counter',
        async () => {
          const r = await fetch('http://10.244.110.1:30081/', { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
          const text = r?.ok ? await r.text() : '';
          return /<b>Visits:<\/b> \d+/.test(text) && text;
        },
        60_000,
      );
      assert.match(body, /<h3>Hello World!<\/h3>/);
      return Number(/<b>Visits:<\/b> (\d+)/.exec(body)?.[1]);
    };
    const first = await visits();
    assert.equal(await visits(), first + 1);
    await c.kubectl(['delete', 'pod', '-l', 'app=web', '--wait=true']);
    await c.kubectl(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    assert.equal(await visits(), first + 2, 'the count lives in Redis, not in the web pod');
  });

  it('seed 001: WordPress ×2 behind HAProxy (a DaemonSet) answers on its NodePort, and still does at ×4', async () => {
    await c.kubectl(['label', 'node', '--all', 'wordpress-stack/db=true']);
    await c.kubectl(['apply', '-f', `${MANIFESTS}wordpress-stack/stack.yaml`]);
    for (const d of ['dbwordpress', 'wpreredis', 'wpmemcached', 'wordpress'])
      await c.kubectl(['-n', 'wordpress-stack', 'rollout', 'status', `deployment/${d}`, '--timeout=300s']);
    await c.kubectl(['-n', 'wordpress-stack', 'rollout', 'status', 'daemonset/balancer', '--timeout=300s']);
    const installPage = () =>
      poll(
        'the WordPress installer through HAProxy',
        async () => {
          const r = await fetch('http://10.244.110.1:30080/wp-admin/install.php', { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
          return r?.status === 200 && /WordPress &rsaquo; Installation/.test(await r.text());
        },
        240_000,
      );
    await installPage();
    const ready = async (n: number) =>
      poll(
        `${n} wordpress replicas ready`,
        async () =>
          (await c.kubectl(['-n', 'wordpress-stack', 'get', 'deployment', 'wordpress', '-o', 'jsonpath={.status.readyReplicas}'])).stdout.trim() === String(n),
        240_000,
      );
    await ready(2);
    await c.kubectl(['-n', 'wordpress-stack', 'scale', 'deployment/wordpress', '--replicas=4']);
    await ready(4);
    for (let i = 0; i < 8; i++) await installPage();
  });
});
