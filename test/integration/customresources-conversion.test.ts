// Webhook conversion of custom resources: a CRD with v1 (spec.cronSpec, a string; the
// storage version) and v2 (spec.schedule, an object), converted by a webhook written
// here, served over HTTPS with a test CA given as caBundle. Objects written at either
// version read back at both, lists are converted in one ConversionReview, watches at
// either version see converted objects, and a webhook that answers wrongly gives
// upstream's errors. CRDs asking for webhook conversion are validated as upstream does.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { newCertificate } from '../../pkg/util/certs.js';

const GROUP = 'conv.example.timonel.dev';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; generation?: number; resourceVersion?: string };
  spec: Record<string, unknown>;
}

interface Review {
  apiVersion: string;
  kind: string;
  request: { uid: string; desiredAPIVersion: string; objects: Obj[] };
}

const FIELDS = ['minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const;

/** The conversion the webhook does: v1's cronSpec string <-> v2's schedule object. */
function convert(obj: Obj, to: string): Obj {
  const out: Obj = structuredClone(obj);
  out.apiVersion = to;
  if (obj.apiVersion === `${GROUP}/v1` && to === `${GROUP}/v2`) {
    const parts = String(obj.spec.cronSpec ?? '').split(' ');
    const { cronSpec: _c, ...rest } = obj.spec;
    out.spec = { ...rest, schedule: Object.fromEntries(FIELDS.map((f, i) => [f, parts[i] ?? '*'])) };
  } else if (obj.apiVersion === `${GROUP}/v2` && to === `${GROUP}/v1`) {
    const schedule = (obj.spec.schedule ?? {}) as Record<string, string>;
    const { schedule: _s, ...rest } = obj.spec;
    out.spec = { ...rest, cronSpec: FIELDS.map((f) => schedule[f] ?? '*').join(' ') };
  }
  return out;
}

/** How the webhook answers: correctly, or wrongly in one of upstream's checked ways. */
type Mode = 'convert' | 'wrong-uid' | 'no-objects' | 'failure' | 'rename' | 'wrong-version' | 'metadata' | 'http-500';

const CRD = (url: string, caBundle: string, conversion?: Record<string, unknown>) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `crontasks.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: 'crontasks', singular: 'crontask', kind: 'CronTask' },
    conversion: conversion ?? {
      strategy: 'Webhook',
      webhook: { conversionReviewVersions: ['v1', 'v1beta1'], clientConfig: { url, caBundle } },
    },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { spec: { type: 'object', properties: { cronSpec: { type: 'string' }, image: { type: 'string' } } } },
          },
        },
      },
      {
        name: 'v2',
        served: true,
        storage: false,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  image: { type: 'string' },
                  schedule: { type: 'object', properties: Object.fromEntries(FIELDS.map((f) => [f, { type: 'string' }])) },
                },
              },
            },
          },
        },
      },
    ],
  },
});

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

jest.setTimeout(120_000);
describe('custom resources: webhook conversion', () => {
  let c: TestCluster;
  let server: Server;
  let url: string;
  let caBundle: string;
  let mode: Mode = 'convert';
  /** Every review the webhook got: desired version and how many objects. */
  const reviews: Array<{ to: string; count: number; reviewVersion: string }> = [];
  const api = (method: string, path: string, body?: unknown, contentType = 'application/json') =>
    request(c, method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': contentType } });
  const path = (version: string, name = '') => `/apis/${GROUP}/${version}/namespaces/default/crontasks${name ? `/${name}` : ''}`;

  beforeAll(async () => {
    c = await startCluster();
    const ca = newCertificate({ commonName: 'conversion-test-ca', usage: 'ca' });
    const serving = newCertificate({ commonName: 'conversion-webhook', usage: 'server', hosts: ['127.0.0.1'], issuer: ca });
    caBundle = Buffer.from(ca.cert).toString('base64');
    server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        const review = JSON.parse(Buffer.concat(chunks).toString()) as Review;
        const { uid, desiredAPIVersion, objects } = review.request;
        reviews.push({ to: desiredAPIVersion, count: objects.length, reviewVersion: review.apiVersion });
        if (mode === 'http-500') {
          res.statusCode = 500;
          res.end('boom');
          return;
        }
        let convertedObjects = objects.map((o) => convert(o, desiredAPIVersion));
        let result: Record<string, unknown> = { status: 'Success' };
        if (mode === 'no-objects') convertedObjects = [];
        if (mode === 'failure') result = { status: 'Failure', message: 'custom webhook conversion error' };
        if (mode === 'rename') convertedObjects.forEach((o) => (o.metadata.name = 'other'));
        if (mode === 'wrong-version') convertedObjects.forEach((o) => (o.apiVersion = `${GROUP}/v3`));
        if (mode === 'metadata')
          convertedObjects.forEach((o) => {
            o.metadata.labels = { ...o.metadata.labels, converted: 'true' };
            o.metadata.generation = 42;
          });
        const response = { uid: mode === 'wrong-uid' ? 'not-the-uid' : uid, convertedObjects, result };
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ apiVersion: review.apiVersion, kind: 'ConversionReview', response }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/convert`;
  });
  afterAll(async () => {
    server?.close();
    await c?.stop();
  });

  it('a Webhook strategy without a webhook, or with no known review version, is 422 with upstream causes', async () => {
    const noWebhook = await api('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', CRD(url, caBundle, { strategy: 'Webhook' }));
    assert.equal(noWebhook.status, 422);
    const causes = (noWebhook.json() as { details: { causes: Array<{ field: string; message: string }> } }).details.causes;
    assert.deepEqual(
      causes.map((x) => `${x.field}: ${x.message}`),
      [
        'spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook',
        'spec.conversion.conversionReviewVersions: Required value',
      ],
    );
    const unknown = await api(
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      CRD(url, caBundle, { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v3'], clientConfig: { url: 'http://127.0.0.1/convert' } } }),
    );
    assert.equal(unknown.status, 422);
    assert.deepEqual(
      (unknown.json() as { details: { causes: Array<{ field: string; message: string }> } }).details.causes.map((x) => `${x.field}: ${x.message}`),
      [
        `spec.conversion.webhookClientConfig.url: Invalid value: "http://127.0.0.1/convert": 'https' is the only allowed URL scheme`,
        'spec.conversion.conversionReviewVersions: Invalid value: []string{"v3"}: must include at least one of v1, v1beta1',
      ],
    );
    const strategyNone = await api(
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions?dryRun=All',
      CRD(url, caBundle, { strategy: 'None', webhook: { conversionReviewVersions: ['v1'] } }),
    );
    assert.equal(strategyNone.status, 422);
    assert.match(strategyNone.body, /spec.conversion.conversionReviewVersions: Forbidden: should not be set when strategy is not set to Webhook/);
  });

  describe('a CRD with v1 and v2 and a conversion webhook', () => {
    beforeAll(async () => {
      const res = await api('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', CRD(url, caBundle));
      assert.equal(res.status, 201, res.body);
      await until('the CRD to be served', async () => ((await api('GET', path('v2'))).status === 200 ? true : undefined));
    });

    it('written as v1, read back as v2; written as v2, stored as v1 and read back as both', async () => {
      const v1 = { apiVersion: `${GROUP}/v1`, kind: 'CronTask', metadata: { name: 'from-v1' }, spec: { cronSpec: '*/5 * * * 1', image: 'one' } };
      assert.equal((await api('POST', path('v1'), v1)).status, 201);
      reviews.length = 0;
      const asV2 = (await api('GET', path('v2', 'from-v1'))).json() as Obj;
      assert.equal(asV2.apiVersion, `${GROUP}/v2`);
      assert.deepEqual(asV2.spec, { image: 'one', schedule: { minute: '*/5', hour: '*', dayOfMonth: '*', month: '*', dayOfWeek: '1' } });
      // The first version the server speaks of conversionReviewVersions.
      assert.deepEqual(reviews, [{ to: `${GROUP}/v2`, count: 1, reviewVersion: 'apiextensions.k8s.io/v1' }]);

      const v2 = {
        apiVersion: `${GROUP}/v2`,
        kind: 'CronTask',
        metadata: { name: 'from-v2' },
        spec: { image: 'two', schedule: { minute: '0', hour: '3', dayOfMonth: '*', month: '*', dayOfWeek: '*' } },
      };
      reviews.length = 0;
      const created = await api('POST', path('v2'), v2);
      assert.equal(created.status, 201, created.body);
      assert.deepEqual((created.json() as Obj).spec, v2.spec);
      // To the storage version, then back for the answer.
      assert.deepEqual(
        reviews.map((r) => r.to),
        [`${GROUP}/v1`, `${GROUP}/v2`],
      );
      const stored = JSON.parse(String((await c.server.etcd.get(`/registry/${GROUP}/crontasks/default/from-v2`)).kv?.value)) as Obj;
      assert.equal(stored.apiVersion, `${GROUP}/v1`);
      assert.deepEqual(stored.spec, { image: 'two', cronSpec: '0 3 * * *' });
      const asV1 = (await api('GET', path('v1', 'from-v2'))).json() as Obj;
      assert.deepEqual(asV1.spec, { image: 'two', cronSpec: '0 3 * * *' });
    });

    it('a list is converted in one review; at the storage version no review is sent', async () => {
      reviews.length = 0;
      const list = (await api('GET', path('v2'))).json() as { apiVersion: string; kind: string; items: Obj[] };
      assert.equal(list.kind, 'CronTaskList');
      assert.equal(list.apiVersion, `${GROUP}/v2`);
      assert.deepEqual(list.items.map((o) => [o.metadata.name, o.apiVersion, (o.spec.schedule as { hour: string }).hour]).sort(), [
        ['from-v1', `${GROUP}/v2`, '*'],
        ['from-v2', `${GROUP}/v2`, '3'],
      ]);
      assert.deepEqual(reviews, [{ to: `${GROUP}/v2`, count: 2, reviewVersion: 'apiextensions.k8s.io/v1' }]);
      reviews.length = 0;
      const atV1 = (await api('GET', path('v1'))).json() as { items: Obj[] };
      assert.deepEqual(atV1.items.map((o) => o.spec.cronSpec).sort(), ['*/5 * * * 1', '0 3 * * *']);
      assert.deepEqual(reviews, []);
    });

    it('a merge patch at v2 is applied to the v2 object and stored at v1', async () => {
      const res = await api('PATCH', path('v2', 'from-v1'), { spec: { schedule: { hour: '4' } } }, 'application/merge-patch+json');
      assert.equal(res.status, 200, res.body);
      assert.equal(((res.json() as Obj).spec.schedule as { hour: string }).hour, '4');
      const stored = JSON.parse(String((await c.server.etcd.get(`/registry/${GROUP}/crontasks/default/from-v1`)).kv?.value)) as Obj;
      assert.equal(stored.spec.cronSpec, '*/5 4 * * 1');
    });

    it('watches at v1 and v2 see each object at their own version', async () => {
      const kc = new KubeConfig();
      kc.loadFromFile(c.kubeconfig);
      const seen: Record<string, string[]> = { v1: [], v2: [] };
      const watches = await Promise.all(
        (['v1', 'v2'] as const).map((v) =>
          new Watch(kc).watch(
            path(v),
            { fieldSelector: 'metadata.name=watched' },
            (type: string, obj: Obj) => seen[v].push(`${type} ${obj.apiVersion} ${v === 'v1' ? String(obj.spec.cronSpec) : JSON.stringify(obj.spec.schedule)}`),
            () => undefined,
          ),
        ),
      );
      try {
        const body = { apiVersion: `${GROUP}/v1`, kind: 'CronTask', metadata: { name: 'watched' }, spec: { cronSpec: '1 2 3 4 5' } };
        assert.equal((await api('POST', path('v1'), body)).status, 201);
        assert.equal((await api('PATCH', path('v2', 'watched'), { spec: { schedule: { minute: '9' } } }, 'application/merge-patch+json')).status, 200);
        assert.equal((await api('DELETE', path('v1', 'watched'))).status, 200);
        await until('three events each', async () => (seen.v1.length >= 3 && seen.v2.length >= 3 ? true : undefined));
        assert.deepEqual(seen.v1, [`ADDED ${GROUP}/v1 1 2 3 4 5`, `MODIFIED ${GROUP}/v1 9 2 3 4 5`, `DELETED ${GROUP}/v1 9 2 3 4 5`]);
        const schedule = (minute: string) => JSON.stringify({ minute, hour: '2', dayOfMonth: '3', month: '4', dayOfWeek: '5' });
        assert.deepEqual(seen.v2, [`ADDED ${GROUP}/v2 ${schedule('1')}`, `MODIFIED ${GROUP}/v2 ${schedule('9')}`, `DELETED ${GROUP}/v2 ${schedule('9')}`]);
      } finally {
        for (const w of watches) w.abort();
      }
    });

    it('kubectl reads a v1 object at v2 by the fully qualified resource', async () => {
      const out = await c.kubectl(['get', `crontasks.v2.${GROUP}`, 'from-v2', '-o', 'jsonpath={.apiVersion} {.spec.schedule.hour}']);
      assert.equal(out.stdout, `${GROUP}/v2 3`);
    });

    it('labels and annotations the webhook sets are kept; other metadata it changes is the original', async () => {
      mode = 'metadata';
      try {
        const obj = (await api('GET', path('v2', 'from-v2'))).json() as Obj;
        assert.equal(obj.metadata.labels?.converted, 'true');
        assert.equal(obj.metadata.generation, 1);
      } finally {
        mode = 'convert';
      }
    });

    it('a webhook answering wrongly: 500 with upstream messages, on reads and writes', async () => {
      const what = `conversion webhook for ${GROUP}/v1, Kind=CronTask`;
      const cases: Array<[Mode, RegExp]> = [
        ['wrong-uid', new RegExp(`^${what} failed: expected response.uid="[0-9a-f-]{36}", got "not-the-uid"$`)],
        ['no-objects', new RegExp(`^${what} returned 0 objects, expected 1$`)],
        ['failure', new RegExp(`^${what} failed: custom webhook conversion error$`)],
        ['rename', new RegExp(`^${what} returned invalid object: must have the same name: from-v1 != other$`)],
        ['wrong-version', new RegExp(`^${what} returned invalid object at index 0: invalid groupVersion \\(expected ${GROUP}/v2, received ${GROUP}/v3\\)$`)],
        ['http-500', new RegExp(`^${what} failed: an error on the server \\("boom"\\) has prevented the request from succeeding$`)],
      ];
      try {
        for (const [m, message] of cases) {
          mode = m;
          const res = await api('GET', path('v2', 'from-v1'));
          assert.equal(res.status, 500, `${m}: ${res.body}`);
          const status = res.json() as { code: number; message: string; reason?: string };
          assert.match(status.message, message, m);
          assert.equal(status.reason ?? '', '');
        }
        mode = 'failure';
        const list = await api('GET', path('v2'));
        assert.equal(list.status, 500);
        assert.equal(
          (list.json() as { message: string }).message,
          `conversion webhook for ${GROUP}/v2, Kind=CronTaskList failed: custom webhook conversion error`,
        );
        const write = await api('POST', path('v2'), { apiVersion: `${GROUP}/v2`, kind: 'CronTask', metadata: { name: 'refused' }, spec: {} });
        assert.equal(write.status, 500);
        assert.equal(
          (write.json() as { message: string }).message,
          `conversion webhook for ${GROUP}/v2, Kind=CronTask failed: custom webhook conversion error`,
        );
        assert.equal((await api('GET', path('v1', 'refused'))).status, 404);
        // The storage version needs no webhook.
        assert.equal((await api('GET', path('v1', 'from-v1'))).status, 200);
      } finally {
        mode = 'convert';
      }
      assert.equal((await api('GET', path('v2', 'from-v1'))).status, 200);
    });

    it('an unreachable webhook: the dial error, worded as Go words it', async () => {
      const gone = createServer();
      await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
      const port = (gone.address() as AddressInfo).port;
      gone.close();
      const crd = (await api('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontasks.${GROUP}`)).json() as {
        spec: { conversion: { webhook: { clientConfig: { url: string } } } };
      };
      crd.spec.conversion.webhook.clientConfig.url = `https://127.0.0.1:${port}/convert`;
      assert.equal((await api('PUT', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontasks.${GROUP}`, crd)).status, 200);
      const res = await until('the new webhook URL to be used', async () => {
        const r = await api('GET', path('v2', 'from-v1'));
        return r.status === 500 ? r : undefined;
      });
      assert.equal(
        (res.json() as { message: string }).message,
        `conversion webhook for ${GROUP}/v1, Kind=CronTask failed: Post "https://127.0.0.1:${port}/convert?timeout=30s": dial tcp 127.0.0.1:${port}: connect: connection refused`,
      );
    });
  });
});
