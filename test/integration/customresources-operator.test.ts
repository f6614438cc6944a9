// An operator written against the watch API (test/integration/operator/configmap-operator.ts,
// on @kubernetes/client-node's informers: see its header for why not a framework) runs
// unmodified as its own process against the apiserver: it reconciles a ConfigTemplate
// custom resource into a ConfigMap, writes the template's status, follows a spec change,
// and deleting the template removes the ConfigMap through the operator's finalizer.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { request, startCluster, type TestCluster } from '../support/cluster.js';

const OPERATOR = fileURLToPath(new URL('./operator/configmap-operator.js', import.meta.url));
const GROUP = 'templates.example.timonel.dev';
const TEMPLATES = `/apis/${GROUP}/v1/namespaces/default/configtemplates`;
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `configtemplates.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: 'configtemplates', singular: 'configtemplate', kind: 'ConfigTemplate' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { data: { type: 'object', additionalProperties: { type: 'string' } } } },
              status: { type: 'object', properties: { configMap: { type: 'string' }, observedGeneration: { type: 'integer' } } },
            },
          },
        },
      },
    ],
  },
};

interface Template {
  metadata: { finalizers?: string[]; generation: number };
  status?: { configMap?: string; observedGeneration?: number };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

jest.setTimeout(120_000);
describe('an operator on @kubernetes/client-node informers', () => {
  let c: TestCluster;
  let operator: ChildProcess | undefined;
  let output = '';
  const api = (method: string, path: string, body?: unknown, contentType = 'application/json') =>
    request(c, method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': contentType } });

  beforeAll(async () => {
    c = await startCluster();
    assert.equal((await api('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', CRD)).status, 201);
    await until('the CRD to be served', async () => ((await api('GET', TEMPLATES)).status === 200 ? true : undefined));
    operator = spawn(process.execPath, [OPERATOR, c.kubeconfig, 'default'], { stdio: ['ignore', 'pipe', 'pipe'] });
    operator.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    operator.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await until('the operator to start', async () => (output.includes('started') ? true : undefined));
  });
  afterAll(async () => {
    if (operator?.pid) {
      const exited = new Promise((resolve) => operator?.on('exit', resolve));
      process.kill(operator.pid, 'SIGTERM');
      await exited;
    }
    await c?.stop();
  });

  it('reconciles a template into a ConfigMap, writes its status, and the finalizer removes the ConfigMap', async () => {
    const body = { apiVersion: `${GROUP}/v1`, kind: 'ConfigTemplate', metadata: { name: 'web' }, spec: { data: { 'app.conf': 'port=80' } } };
    assert.equal((await api('POST', TEMPLATES, body)).status, 201);
    const cm = await until('the ConfigMap', async () => {
      const res = await api('GET', `${CONFIGMAPS}/web-config`);
      return res.status === 200 ? (res.json() as { data: Record<string, string> }) : undefined;
    });
    assert.deepEqual(cm.data, { 'app.conf': 'port=80' });
    const reported = await until('the status', async () => {
      const t = (await api('GET', `${TEMPLATES}/web`)).json() as Template;
      return t.status?.configMap ? t : undefined;
    });
    assert.deepEqual(reported.status, { configMap: 'web-config', observedGeneration: 1 });
    assert.deepEqual(reported.metadata.finalizers, ['templates.example.timonel.dev/configmap']);

    // A spec change reaches the ConfigMap, and the status follows the generation.
    const patched = await api('PATCH', `${TEMPLATES}/web`, { spec: { data: { 'app.conf': 'port=8080' } } }, 'application/merge-patch+json');
    assert.equal(patched.status, 200);
    await until('the ConfigMap to follow', async () => {
      const res = (await api('GET', `${CONFIGMAPS}/web-config`)).json() as { data: Record<string, string> };
      return res.data['app.conf'] === 'port=8080' ? true : undefined;
    });
    await until('observedGeneration 2', async () => {
      const t = (await api('GET', `${TEMPLATES}/web`)).json() as Template;
      return t.status?.observedGeneration === 2 ? true : undefined;
    });

    // Deletion waits for the finalizer: the operator removes the ConfigMap, then releases the template.
    const deleting = await api('DELETE', `${TEMPLATES}/web`);
    assert.equal(deleting.status, 200);
    assert.ok((deleting.json() as { metadata: { deletionTimestamp?: string } }).metadata.deletionTimestamp, 'held by the finalizer');
    await until('the template to go', async () => ((await api('GET', `${TEMPLATES}/web`)).status === 404 ? true : undefined));
    assert.equal((await api('GET', `${CONFIGMAPS}/web-config`)).status, 404);
    assert.match(output, /deleted configmap web-config\nreleased web\n/);
  });
});
