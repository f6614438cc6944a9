// CustomResourceDefinitions served as Kubernetes serves them: the documentation's CronTab
// through the real kubectl (discovery, printer columns, short names, explain), names and
// conditions, schema defaulting, pruning and validation, the status and scale
// subresources, a watch through @kubernetes/client-node, and the cleanup finalizer.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { startManager } from '../support/controllers.js';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { newCertificate } from '../../pkg/util/certs.js';

const FIXTURES = join(process.cwd(), 'test/fixtures/crd');
const CRONTAB_CRD = join(FIXTURES, 'crontab.yaml');
const MY_CRONTAB = join(FIXTURES, 'my-crontab.yaml');

/** A CRD with defaults, validation, status and scale subresources, two served versions and category all. */
const WIDGET_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.timonel.dev
spec:
  group: example.timonel.dev
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wg], categories: [all]}
  versions:
  - name: v1beta1
    served: true
    storage: false
    deprecated: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}
    selectableFields:
    - {jsonPath: .spec.size}
    additionalPrinterColumns:
    - {name: Size, type: string, jsonPath: .spec.size}
    - {name: Color, type: string, jsonPath: .spec.color, priority: 1}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: string, enum: [small, large]}
              replicas: {type: integer, minimum: 0, default: 1}
              color: {type: string, default: blue, pattern: '^[a-z]+$'}
              port: {x-kubernetes-int-or-string: true}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items: {type: object, required: [name], properties: {name: {type: string}, port: {type: integer}}}
          status:
            type: object
            properties:
              replicas: {type: integer}
              selector: {type: string}
`;

interface Widget {
  apiVersion: string;
  metadata: { name: string; generation: number; resourceVersion: string; uid: string };
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
}

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
describe('custom resources', () => {
  let c: TestCluster;
  let k: TestCluster['kubectl'];
  const api = (method: string, path: string, body?: unknown, contentType = 'application/json') =>
    request(c, method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': contentType } });

  beforeAll(async () => {
    c = await startCluster();
    k = c.kubectl.bind(c);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('a CRD is served at once: the next kubectl sees it past its discovery cache; printer columns and short name', async () => {
    // kubectl maps every object before it applies any (upstream's GetObjects): a CronTab in the
    // same apply as its CRD is refused, as against kube-apiserver, while the CRD is created.
    const first = await k(['apply', '-f', CRONTAB_CRD, '-f', MY_CRONTAB], { allowFail: true });
    assert.notEqual(first.code, 0);
    assert.match(first.stdout, /customresourcedefinition.apiextensions.k8s.io\/crontabs.stable.example.com created/);
    assert.match(first.stderr, /no matches for kind "CronTab" in version "stable.example.com\/v1"\nensure CRDs are installed first/);
    // The discovery cache kubectl wrote lacks crontabs; the next apply refetches on "no matches".
    const applied = await k(['apply', '-f', CRONTAB_CRD, '-f', MY_CRONTAB]);
    assert.match(applied.stdout, /customresourcedefinition.apiextensions.k8s.io\/crontabs.stable.example.com unchanged/);
    assert.match(applied.stdout, /crontab.stable.example.com\/my-new-cron-object created/);
    // A changed object is patched with a merge patch (the OpenAPI offers no strategic merge patch).
    const changed = readFileSync(MY_CRONTAB, 'utf8').replace('my-awesome-cron-image', 'my-newer-cron-image');
    assert.match((await k(['diff', '-f', '-'], { input: changed, allowFail: true })).stdout, /^\+\s+image: my-newer-cron-image$/m);
    assert.match((await k(['apply', '-f', '-'], { input: changed })).stdout, /crontab.stable.example.com\/my-new-cron-object configured/);
    assert.match((await k(['apply', '-f', MY_CRONTAB])).stdout, /crontab.stable.example.com\/my-new-cron-object configured/);
    const crd = JSON.parse((await k(['get', 'crd', 'crontabs.stable.example.com', '-o', 'json'])).stdout) as {
      metadata: { finalizers: string[] };
      status: { acceptedNames: Record<string, unknown>; conditions: { type: string; status: string; reason: string }[]; storedVersions: string[] };
    };
    assert.deepEqual(crd.metadata.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
    assert.deepEqual(crd.status.acceptedNames, { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'] });
    assert.deepEqual(
      crd.status.conditions.map((x) => [x.type, x.status, x.reason]),
      [
        ['NamesAccepted', 'True', 'NoConflicts'],
        ['Established', 'True', 'InitialNamesAccepted'],
      ],
    );
    assert.deepEqual(crd.status.storedVersions, ['v1']);
    // Stored under upstream's key layout.
    const stored = await c.server.etcd.get('/registry/stable.example.com/crontabs/default/my-new-cron-object');
    assert.equal((JSON.parse(String(stored.kv?.value)) as { kind: string }).kind, 'CronTab');
    for (const name of ['crontabs', 'ct', 'crontab', 'crontabs.stable.example.com']) {
      const table = (await k(['get', name])).stdout.split('\n');
      assert.match(table[0], /^NAME\s+SPEC\s+REPLICAS\s+AGE$/);
      assert.match(table[1], /^my-new-cron-object\s+\* \* \* \* \*\/5\s+\d+s$/);
    }
  });

  it('discovery lists the resource: legacy, aggregated and kubectl api-resources', async () => {
    const list = (await api('GET', '/apis/stable.example.com/v1')).json() as { resources: Record<string, unknown>[] };
    assert.deepEqual(list.resources[0], {
      name: 'crontabs',
      singularName: 'crontab',
      namespaced: true,
      kind: 'CronTab',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['ct'],
    });
    const group = (await api('GET', '/apis/stable.example.com')).json() as { preferredVersion: { groupVersion: string } };
    assert.equal(group.preferredVersion.groupVersion, 'stable.example.com/v1');
    const agg = (await request(c, 'GET', '/apis', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } })).json() as {
      items: { metadata: { name: string }; versions: { resources: { resource: string }[] }[] }[];
    };
    const stable = agg.items.find((g) => g.metadata.name === 'stable.example.com');
    assert.equal(stable?.versions[0].resources[0].resource, 'crontabs');
    const resources = (await k(['api-resources', '--api-group=stable.example.com'])).stdout.split('\n');
    assert.match(resources[1], /^crontabs\s+ct\s+stable.example.com\/v1\s+true\s+CronTab$/);
  });

  describe('a CRD with schema, subresources and two versions', () => {
    const W = '/apis/example.timonel.dev/v1/namespaces/default/widgets';
    beforeAll(async () => {
      await k(['apply', '-f', '-'], { input: WIDGET_CRD });
    });

    it('defaults from the schema appear; int-or-string and preserved fields are kept', async () => {
      const res = await api('POST', W, {
        apiVersion: 'example.timonel.dev/v1',
        kind: 'Widget',
        metadata: { name: 'a' },
        spec: { size: 'small', port: 'http', extra: { any: { thing: 1 } } },
      });
      assert.equal(res.status, 201, res.body);
      const w = res.json() as Widget;
      assert.deepEqual(w.spec, { size: 'small', port: 'http', extra: { any: { thing: 1 } }, replicas: 1, color: 'blue' });
      assert.equal(w.metadata.generation, 1);
    });

    it('an invalid widget is 422 Invalid with upstream causes', async () => {
      const res = await api('POST', W, {
        apiVersion: 'example.timonel.dev/v1',
        kind: 'Widget',
        metadata: { name: 'bad' },
        spec: { size: 'huge', replicas: 'three', color: 'Red', port: 1.5 },
      });
      assert.equal(res.status, 422, res.body);
      const status = res.json() as { reason: string; message: string; details: { causes: { field: string; message: string; reason: string }[] } };
      assert.equal(status.reason, 'Invalid');
      const causes = status.details.causes.map((x) => `${x.field}: ${x.message}`).sort();
      assert.deepEqual(causes, [
        'spec.color: Invalid value: "Red": spec.color in body should match \'^[a-z]+$\'',
        'spec.port: Invalid value: "number": spec.port in body must be of type integer,string: "number"',
        'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
        'spec.size: Unsupported value: "huge": supported values: "small", "large"',
      ]);
      assert.match(status.message, /^Widget.example.timonel.dev "bad" is invalid: \[/);
      const missing = await api('POST', W, { apiVersion: 'example.timonel.dev/v1', kind: 'Widget', metadata: { name: 'bad' }, spec: {} });
      assert.equal(missing.status, 422);
      assert.match(missing.body, /spec.size: Required value/);
    });

    it('unknown fields are pruned with a warning, or refused under fieldValidation=Strict', async () => {
      const body = { apiVersion: 'example.timonel.dev/v1', kind: 'Widget', metadata: { name: 'b' }, spec: { size: 'large', x: 1 }, top: true };
      const strict = await api('POST', `${W}?fieldValidation=Strict`, body);
      assert.equal(strict.status, 400, strict.body);
      assert.match((strict.json() as { message: string }).message, /^strict decoding error: unknown field "spec.x", unknown field "top"$/);
      const warned = await api('POST', W, body);
      assert.equal(warned.status, 201);
      assert.equal(String(warned.headers.warning), '299 - "unknown field \\"spec.x\\"", 299 - "unknown field \\"top\\""');
      const w = warned.json() as Widget & { top?: boolean };
      assert.equal(w.spec.x, undefined);
      assert.equal(w.top, undefined);
    });

    it('reads back at either served version, apiVersion rewritten; kubectl get all and -o wide', async () => {
      const betaRes = await api('GET', '/apis/example.timonel.dev/v1beta1/namespaces/default/widgets/a');
      assert.equal(betaRes.headers.warning, '299 - "example.timonel.dev/v1beta1 Widget is deprecated"');
      const beta = betaRes.json() as Widget;
      assert.equal(beta.apiVersion, 'example.timonel.dev/v1beta1');
      assert.equal(beta.spec.size, 'small');
      const list = (await api('GET', '/apis/example.timonel.dev/v1beta1/widgets')).json() as { apiVersion: string; items: Widget[] };
      assert.equal(list.items[0].apiVersion, 'example.timonel.dev/v1beta1');
      const wide = (await k(['get', 'wg', 'a', '-o', 'wide'])).stdout.split('\n');
      assert.match(wide[0], /^NAME\s+SIZE\s+COLOR$/);
      assert.match(wide[1], /^a\s+small\s+blue$/);
      const narrow = (await k(['get', 'wg', 'a'])).stdout.split('\n');
      assert.match(narrow[0], /^NAME\s+SIZE$/);
      // Category all, once kubectl's discovery cache has the resource (as against kube-apiserver).
      const all = (await k(['get', 'all', '-n', 'default'])).stdout;
      assert.match(all, /^widget\.example\.timonel\.dev\/a\s+small$/m);
    });

    it('status is its own subresource; generation moves on spec changes only', async () => {
      const w = (await api('GET', `${W}/a`)).json() as Widget;
      const put = await api('PUT', `${W}/a`, { ...w, spec: { ...w.spec, color: 'green' }, status: { replicas: 9 } });
      assert.equal(put.status, 200, put.body);
      const afterPut = put.json() as Widget;
      assert.equal(afterPut.status, undefined);
      assert.equal(afterPut.metadata.generation, 2);
      const status = await api('PUT', `${W}/a/status`, { ...afterPut, spec: { size: 'large' }, status: { replicas: 2, selector: 'app=a' } });
      assert.equal(status.status, 200, status.body);
      const afterStatus = status.json() as Widget;
      assert.deepEqual(afterStatus.status, { replicas: 2, selector: 'app=a' });
      assert.equal(afterStatus.spec.size, 'small');
      assert.equal(afterStatus.metadata.generation, 2);
    });

    it('kubectl scale writes specReplicasPath; the Scale shows status and selector', async () => {
      assert.match((await k(['scale', 'widget', 'a', '--replicas=3'])).stdout, /widget.example.timonel.dev\/a scaled/);
      const w = (await api('GET', `${W}/a`)).json() as Widget;
      assert.equal(w.spec.replicas, 3);
      const scale = (await api('GET', `${W}/a/scale`)).json() as { spec: { replicas: number }; status: { replicas: number; selector: string } };
      assert.deepEqual([scale.spec, scale.status], [{ replicas: 3 }, { replicas: 2, selector: 'app=a' }]);
    });

    it('merge, JSON and apply patches work; a strategic merge patch is 415', async () => {
      const merge = await api('PATCH', `${W}/a`, { spec: { color: 'red' } }, 'application/merge-patch+json');
      assert.equal(merge.status, 200, merge.body);
      const json = await api('PATCH', `${W}/a`, [{ op: 'replace', path: '/spec/color', value: 'teal' }], 'application/json-patch+json');
      assert.equal((json.json() as Widget).spec.color, 'teal');
      const smp = await api('PATCH', `${W}/a`, { spec: { color: 'red' } }, 'application/strategic-merge-patch+json');
      assert.equal(smp.status, 415);
      assert.match(smp.body, /accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml/);
      const applied = await request(c, 'PATCH', '/apis/example.timonel.dev/v1/namespaces/default/widgets/c?fieldManager=test', {
        body: 'apiVersion: example.timonel.dev/v1\nkind: Widget\nmetadata: {name: c}\nspec: {size: large}\n',
        headers: { 'content-type': 'application/apply-patch+yaml' },
      });
      assert.equal(applied.status, 201, applied.body);
      assert.equal((applied.json() as Widget).spec.replicas, 1);
      // x-kubernetes-list-type: map: two managers own an entry each.
      const apply = (manager: string, port: string) =>
        request(c, 'PATCH', `/apis/example.timonel.dev/v1/namespaces/default/widgets/c?fieldManager=${manager}`, {
          body: `apiVersion: example.timonel.dev/v1\nkind: Widget\nmetadata: {name: c}\nspec: {size: large, ports: [${port}]}\n`,
          headers: { 'content-type': 'application/apply-patch+yaml' },
        });
      assert.equal((await apply('one', '{name: a, port: 1}')).status, 200);
      const both = await apply('two', '{name: b, port: 2}');
      assert.equal(both.status, 200, both.body);
      assert.deepEqual((both.json() as Widget).spec.ports, [
        { name: 'a', port: 1 },
        { name: 'b', port: 2 },
      ]);
      const conflict = await apply('three', '{name: a, port: 3}');
      assert.equal(conflict.status, 409);
      assert.match(conflict.body, /conflict with \\"one\\": \.spec\.ports\[name=\\"a\\"\]\.port/);
    });

    it('label and field selectors, selectableFields; generateName', async () => {
      await api('PATCH', `${W}/a`, { metadata: { labels: { tier: 'x' } } }, 'application/merge-patch+json');
      const names = async (q: string) => ((await api('GET', `${W}?${q}`)).json() as { items: Widget[] }).items.map((i) => i.metadata.name).sort();
      assert.deepEqual(await names('labelSelector=tier%3Dx'), ['a']);
      assert.deepEqual(await names('fieldSelector=metadata.name%3Db'), ['b']);
      assert.deepEqual(await names('fieldSelector=metadata.namespace%3Ddefault'), ['a', 'b', 'c']);
      assert.deepEqual(await names('fieldSelector=spec.size%3Dlarge'), ['b', 'c']);
      assert.deepEqual(await names('fieldSelector=spec.size!%3Dlarge,metadata.name!%3Da'), []);
      const bad = await api('GET', `${W}?fieldSelector=spec.color%3Dred`);
      assert.equal(bad.status, 400);
      assert.match(bad.body, /field label not supported: spec.color/);
      const gen = await api('POST', W, { apiVersion: 'example.timonel.dev/v1', kind: 'Widget', metadata: { generateName: 'w-' }, spec: { size: 'small' } });
      assert.match((gen.json() as Widget).metadata.name, /^w-[a-z0-9]{5}$/);
    });
  });

  it('a restarted apiserver serves the CRDs in etcd before it takes requests', async () => {
    await c.restartServer();
    assert.equal((await api('GET', '/apis/example.timonel.dev/v1/namespaces/default/widgets/a')).status, 200);
    assert.equal((await api('GET', '/apis/stable.example.com/v1/namespaces/default/crontabs/my-new-cron-object')).status, 200);
  });

  it('moving the storage version adds it to status.storedVersions; objects keep reading at both versions', async () => {
    const crd = (await api('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.timonel.dev')).json() as {
      spec: { versions: { name: string; storage: boolean }[] };
    };
    for (const v of crd.spec.versions) v.storage = v.name === 'v1beta1';
    const put = await api('PUT', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.timonel.dev', crd);
    assert.equal(put.status, 200, put.body);
    assert.deepEqual((put.json() as { status: { storedVersions: string[] } }).status.storedVersions, ['v1', 'v1beta1']);
    const made = await api('POST', '/apis/example.timonel.dev/v1/namespaces/default/widgets', {
      apiVersion: 'example.timonel.dev/v1',
      kind: 'Widget',
      metadata: { name: 'stored-beta' },
      spec: { size: 'small' },
    });
    assert.equal(made.status, 201, made.body);
    assert.equal((made.json() as Widget).apiVersion, 'example.timonel.dev/v1');
    const stored = await c.server.etcd.get('/registry/example.timonel.dev/widgets/default/stored-beta');
    assert.equal((JSON.parse(String(stored.kv?.value)) as { apiVersion: string }).apiVersion, 'example.timonel.dev/v1beta1');
    for (const name of ['stored-beta', 'a']) {
      const beta = (await api('GET', `/apis/example.timonel.dev/v1beta1/namespaces/default/widgets/${name}`)).json() as Widget;
      assert.equal(beta.apiVersion, 'example.timonel.dev/v1beta1');
      const v1 = (await api('GET', `/apis/example.timonel.dev/v1/namespaces/default/widgets/${name}`)).json() as Widget;
      assert.equal(v1.apiVersion, 'example.timonel.dev/v1');
    }
    const listed = (await api('GET', '/apis/example.timonel.dev/v1beta1/widgets')).json() as { items: Widget[] };
    assert.deepEqual([...new Set(listed.items.map((i) => i.apiVersion))], ['example.timonel.dev/v1beta1']);
  });

  it('kubectl explain crontab.spec reads the published schema', async () => {
    const out = (await k(['explain', 'crontab.spec'])).stdout;
    assert.match(out, /^GROUP:\s+stable.example.com$/m);
    assert.match(out, /^KIND:\s+CronTab$/m);
    assert.match(out, /^FIELD: spec <Object>$/m);
    assert.match(out, /^\s+cronSpec\s+<string>$/m);
    assert.match(out, /^\s+replicas\s+<integer>$/m);
  });

  it('a validating admission webhook sees custom resources', async () => {
    const ca = newCertificate({ commonName: 'webhook-ca', usage: 'ca' });
    const serving = newCertificate({ commonName: 'webhook', usage: 'server', hosts: ['127.0.0.1'], issuer: ca });
    const server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        const review = JSON.parse(Buffer.concat(chunks).toString()) as { request: { uid: string; object: { spec?: { image?: string } } } };
        const allowed = review.request.object.spec?.image !== 'forbidden';
        const response = { uid: review.request.uid, allowed, status: allowed ? undefined : { code: 403, message: 'image forbidden is not allowed' } };
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const config = {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: 'crontabs' },
        webhooks: [
          {
            name: 'crontabs.stable.example.com',
            clientConfig: { url, caBundle: Buffer.from(ca.cert).toString('base64') },
            rules: [{ apiGroups: ['stable.example.com'], apiVersions: ['*'], operations: ['CREATE'], resources: ['crontabs'] }],
            sideEffects: 'None',
            admissionReviewVersions: ['v1'],
          },
        ],
      };
      assert.equal((await api('POST', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', config)).status, 201);
      const body = (name: string, image: string) => ({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name }, spec: { image } });
      const refused = await until('the webhook to refuse', async () => {
        const res = await api('POST', '/apis/stable.example.com/v1/namespaces/default/crontabs', body('refused', 'forbidden'));
        return res.status === 403 ? res : undefined;
      });
      assert.equal(
        (refused.json() as { message: string }).message,
        'crontabs.stable.example.com "refused" is forbidden: admission webhook "crontabs.stable.example.com" denied the request: image forbidden is not allowed',
      );
      assert.equal((await api('POST', '/apis/stable.example.com/v1/namespaces/default/crontabs', body('allowed', 'fine'))).status, 201);
      await api('DELETE', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/crontabs');
      // The webhook is asked until the apiserver has seen its configuration go.
      await until('the webhook to be gone', async () => {
        const res = await api('POST', '/apis/stable.example.com/v1/namespaces/default/crontabs', body('after', 'forbidden'));
        return res.status === 201 ? true : undefined;
      });
      for (const name of ['allowed', 'after']) await api('DELETE', `/apis/stable.example.com/v1/namespaces/default/crontabs/${name}`);
    } finally {
      server.close();
    }
  });

  it('a watch through @kubernetes/client-node sees ADDED, MODIFIED and DELETED; CustomObjectsApi creates and patches', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    const events: string[] = [];
    const req = await new Watch(kc).watch(
      '/apis/stable.example.com/v1/namespaces/default/crontabs',
      { fieldSelector: 'metadata.name=watched' },
      (type: string, obj: { metadata: { name: string }; spec: { image?: string } }) => events.push(`${type} ${obj.metadata.name} ${obj.spec.image ?? ''}`),
      () => undefined,
    );
    try {
      const objects = kc.makeApiClient(CustomObjectsApi);
      const base = { group: 'stable.example.com', version: 'v1', namespace: 'default', plural: 'crontabs' };
      await objects.createNamespacedCustomObject({
        ...base,
        body: { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'watched' }, spec: { image: 'one' } },
      });
      await objects.patchNamespacedCustomObject({ ...base, name: 'watched', body: [{ op: 'replace', path: '/spec/image', value: 'two' }] });
      await objects.deleteNamespacedCustomObject({ ...base, name: 'watched' });
      await until('three events', async () => (events.length >= 3 ? true : undefined));
      assert.deepEqual(events, ['ADDED watched one', 'MODIFIED watched two', 'DELETED watched two']);
    } finally {
      req.abort();
    }
  });

  it('the garbage collector deletes a custom resource whose owner is gone', async () => {
    const manager = await startManager(c, ['garbagecollector']);
    try {
      const owner = (await api('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'owner' } })).json() as { metadata: { uid: string } };
      const ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid }];
      const made = await api('POST', '/apis/stable.example.com/v1/namespaces/default/crontabs', {
        apiVersion: 'stable.example.com/v1',
        kind: 'CronTab',
        metadata: { name: 'owned', ownerReferences },
        spec: {},
      });
      assert.equal(made.status, 201, made.body);
      assert.equal((await api('DELETE', '/api/v1/namespaces/default/configmaps/owner')).status, 200);
      await until(
        'the owned CronTab to go',
        async () => ((await api('GET', '/apis/stable.example.com/v1/namespaces/default/crontabs/owned')).status === 404 ? true : undefined),
        30_000,
      );
    } finally {
      await manager.stop();
    }
  });

  it('a cluster-scoped custom resource: served without namespaces, metadata.namespace not selectable', async () => {
    await k(['apply', '-f', '-'], {
      input: `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: regions.geo.example.org}
spec:
  group: geo.example.org
  scope: Cluster
  names: {plural: regions, kind: Region}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`,
    });
    const made = await api('POST', '/apis/geo.example.org/v1/regions', {
      apiVersion: 'geo.example.org/v1',
      kind: 'Region',
      metadata: { name: 'north' },
      anything: { goes: 1 },
    });
    assert.equal(made.status, 201, made.body);
    assert.deepEqual((made.json() as { anything: unknown }).anything, { goes: 1 });
    assert.equal((await api('GET', '/apis/geo.example.org/v1/namespaces/default/regions/north')).status, 404);
    assert.equal((await api('GET', '/apis/geo.example.org/v1/regions?fieldSelector=metadata.namespace%3Dx')).status, 400);
    const table = (await k(['get', 'regions'])).stdout.split('\n');
    assert.match(table[0], /^NAME\s+AGE$/);
    assert.match(table[1], /^north\s+\d+s$/);
    const stored = await c.server.etcd.get('/registry/geo.example.org/regions/north');
    assert.ok(stored.kv);
    // Without a status subresource, a status change is a new generation; a label is not.
    const path = '/apis/geo.example.org/v1/regions/north';
    const labelled = (await api('PATCH', path, { metadata: { labels: { l: 'x' } } }, 'application/merge-patch+json')).json() as Widget;
    assert.equal(labelled.metadata.generation, 1);
    const patched = (await api('PATCH', path, { status: { seen: true } }, 'application/merge-patch+json')).json() as Widget;
    assert.deepEqual([patched.metadata.generation, patched.status], [2, { seen: true }]);
  });

  it('a CRD with a non-structural schema is refused with 422', async () => {
    const bad = WIDGET_CRD.replace('name: widgets.example.timonel.dev', 'name: bads.example.timonel.dev')
      .replace('{plural: widgets, singular: widget, kind: Widget, shortNames: [wg], categories: [all]}', '{plural: bads, kind: Bad}')
      .replace('size: {type: string, enum: [small, large]}', 'size: {enum: [small, large]}');
    const res = await k(['apply', '-f', '-'], { input: bad, allowFail: true });
    assert.notEqual(res.code, 0);
    assert.match(
      res.stderr,
      /The CustomResourceDefinition "bads.example.timonel.dev" is invalid: spec.versions\[1\].schema.openAPIV3Schema.properties\[spec\].properties\[size\].type: Required value: must not be empty for specified object fields/,
    );
  });

  it('deleting a namespace deletes the custom resources in it (the namespace controller)', async () => {
    const manager = await startManager(c, ['namespace']);
    try {
      await k(['create', 'namespace', 'short-lived']);
      const made = await api('POST', '/apis/stable.example.com/v1/namespaces/short-lived/crontabs', {
        apiVersion: 'stable.example.com/v1',
        kind: 'CronTab',
        metadata: { name: 'inside' },
      });
      assert.equal(made.status, 201, made.body);
      await k(['delete', 'namespace', 'short-lived', '--wait=false']);
      await until('the namespace to go', async () => ((await api('GET', '/api/v1/namespaces/short-lived')).status === 404 ? true : undefined), 30_000);
      const stored = await c.server.etcd.get('/registry/stable.example.com/crontabs/short-lived/inside');
      assert.equal(stored.kv, undefined);
    } finally {
      await manager.stop();
    }
  });

  it('a CRD whose names clash is not served; it is once the names are free', async () => {
    const clash = WIDGET_CRD.replace('name: widgets.example.timonel.dev', 'name: gadgets.example.timonel.dev').replace(
      '{plural: widgets, singular: widget, kind: Widget, shortNames: [wg], categories: [all]}',
      '{plural: gadgets, singular: gadget, kind: Gadget, shortNames: [wg]}',
    );
    await k(['apply', '-f', '-'], { input: clash });
    const crd = JSON.parse((await k(['get', 'crd', 'gadgets.example.timonel.dev', '-o', 'json'])).stdout) as {
      status: { acceptedNames: Record<string, unknown>; conditions: { type: string; status: string; reason: string; message: string }[] };
    };
    assert.deepEqual(
      crd.status.conditions.map((x) => [x.type, x.status, x.reason, x.message]),
      [
        ['NamesAccepted', 'False', 'ShortNamesConflict', '"wg" is already in use'],
        ['Established', 'False', 'NotAccepted', 'not all names are accepted'],
      ],
    );
    assert.deepEqual(crd.status.acceptedNames, { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' });
    assert.equal((await api('GET', '/apis/example.timonel.dev/v1/gadgets')).status, 404);
    const list = (await api('GET', '/apis/example.timonel.dev/v1')).json() as { resources: { name: string }[] };
    assert.deepEqual(
      list.resources.map((r) => r.name),
      ['widgets', 'widgets/status', 'widgets/scale'],
    );
    // The widgets go: their names are free, the gadgets are accepted and served.
    await k(['delete', 'crd', 'widgets.example.timonel.dev']);
    await until('gadgets established', async () => {
      const g = (await api('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.timonel.dev')).json() as typeof crd;
      return g.status.conditions.some((x) => x.type === 'Established' && x.status === 'True') ? true : undefined;
    });
    assert.equal((await api('GET', '/apis/example.timonel.dev/v1/gadgets')).status, 200);
    assert.equal((await api('GET', '/apis/example.timonel.dev/v1/widgets')).status, 404);
  });

  it('deleting a CRD deletes its custom resources first (the cleanup finalizer), then stops serving', async () => {
    await api('POST', '/apis/stable.example.com/v1/namespaces/default/crontabs', {
      apiVersion: 'stable.example.com/v1',
      kind: 'CronTab',
      metadata: { name: 'held', finalizers: ['example.com/hold'] },
      spec: {},
    });
    await k(['delete', 'crd', 'crontabs.stable.example.com', '--wait=false']);
    // The held CronTab keeps the CRD (Terminating) while the others are gone; no new ones meanwhile.
    const crd = await until('the CRD to wait on the held CronTab', async () => {
      const got = (await api('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com')).json() as {
        status: { conditions: { type: string; reason: string }[] };
      };
      return got.status.conditions.some((x) => x.type === 'Terminating' && x.reason === 'InstanceDeletionCheck') ? got : undefined;
    });
    assert.ok(crd);
    const left = (await api('GET', '/apis/stable.example.com/v1/crontabs')).json() as { items: { metadata: { name: string } }[] };
    assert.deepEqual(
      left.items.map((i) => i.metadata.name),
      ['held'],
    );
    const refused = await api('POST', '/apis/stable.example.com/v1/namespaces/default/crontabs', {
      apiVersion: 'stable.example.com/v1',
      kind: 'CronTab',
      metadata: { name: 'late' },
    });
    assert.equal(refused.status, 405);
    assert.match(refused.body, /create not allowed while custom resource definition is terminating/);
    await api('PATCH', '/apis/stable.example.com/v1/namespaces/default/crontabs/held', { metadata: { finalizers: null } }, 'application/merge-patch+json');
    await until('the CRD to go', async () =>
      (await api('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com')).status === 404 ? true : undefined,
    );
    assert.equal((await api('GET', '/apis/stable.example.com/v1/crontabs')).status, 404);
    assert.equal((await api('GET', '/apis/stable.example.com')).status, 404);
  });
});
