// The official Python client against the apiserver: its watch sends `watch=True`,
// which the apiserver must read as Go's parameter codec does (a watch, not a list).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { request, startCluster, type TestCluster } from '../support/cluster.js';

// Debian's interpreter, where python3-kubernetes is installed (hack/install-deps.sh).
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../../test/integration/python/watch_pods.py', import.meta.url));
const PODS = '/api/v1/namespaces/default/pods';
const JSON_HDR = { 'content-type': 'application/json' };

describe('the Python client', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('watch.Watch().stream(v1.list_namespaced_pod) sees ADDED, MODIFIED and DELETED', async () => {
    expect(existsSync(PYTHON)).toBe(true);
    const child = spawn(PYTHON, [SCRIPT, c.kubeconfig, 'default', 'watched'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const ready = new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const parts = buf.split('\n');
        buf = parts.pop() ?? '';
        for (const l of parts) {
          lines.push(l);
          if (l === 'READY') resolve();
        }
      });
      void exited.then((code) => reject(new Error(`python exited (${code}) before watching: ${stderr}`)));
    });
    try {
      await ready;
      const pod = { metadata: { name: 'watched', labels: { step: '1' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
      expect((await request(c, 'POST', PODS, { body: JSON.stringify(pod), headers: JSON_HDR })).status).toBe(201);
      const patched = await request(c, 'PATCH', `${PODS}/watched`, {
        body: '{"metadata":{"labels":{"step":"2"}}}',
        headers: { 'content-type': 'application/merge-patch+json' },
      });
      expect(patched.status).toBe(200);
      const deleted = await request(c, 'DELETE', `${PODS}/watched?gracePeriodSeconds=0`);
      expect(deleted.status).toBe(200);
      expect(await exited).toBe(0);
    } finally {
      child.kill();
    }
    const events = lines.filter((l) => l.endsWith(' watched')).map((l) => l.split(' ')[0]);
    expect(events[0]).toBe('ADDED');
    expect(events).toContain('MODIFIED');
    expect(events[events.length - 1]).toBe('DELETED');
  });

  it("boolean query parameters read as Go's parameter codec reads them", async () => {
    const isWatch = async (v: string): Promise<boolean> => {
      const r = await request(c, 'GET', `${PODS}?watch=${v}&timeoutSeconds=1`);
      expect(r.status).toBe(200);
      return !r.body.includes('"kind":"PodList"');
    };
    for (const v of ['True', 'true', 'TRUE', '1', 't', 'yes', '']) expect([v, await isWatch(v)]).toEqual([v, true]);
    for (const v of ['False', 'false', 'FALSE', '0']) expect([v, await isWatch(v)]).toEqual([v, false]);
    // force=True takes fields another manager owns.
    const cm = '/api/v1/namespaces/default/configmaps';
    const apply = (manager: string, force: string): Promise<{ status: number }> =>
      request(c, 'PATCH', `${cm}/owned?fieldManager=${manager}${force}`, {
        body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"owned"},"data":{"k":"${manager}"}}`,
        headers: { 'content-type': 'application/apply-patch+yaml' },
      });
    expect((await apply('a', '')).status).toBe(201);
    expect((await apply('b', '')).status).toBe(409);
    expect((await apply('b', '&force=True')).status).toBe(200);
  });
});
