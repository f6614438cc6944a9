// x-kubernetes-validations and ResourceQuota on custom resources, through the real
// kubectl against a real etcd: a CronTab CRD with CEL rules is applied, objects that
// break a rule are refused with 422 and the rule's message, a transition rule keeps a
// field immutable, a CRD with a too costly rule is refused (and nothing is served for
// it), and a quota of count/crontabs.stable.example.com admits one CronTab and refuses
// the second with upstream's 403, the resourcequota controller counting them.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import type { ResourceQuota } from '../../api/core/v1/types.js';
import { ResourceQuotaController } from '../../pkg/controller/resourcequota/resource_quota_controller.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { startControllers, until, type RunningControllers } from '../support/controllers.js';

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: "!has(self.minReplicas) || self.minReplicas <= self.replicas"
              messageExpression: "'minReplicas (' + string(self.minReplicas) + ') must not exceed replicas (' + string(self.replicas) + ')'"
            properties:
              cronSpec:
                type: string
                maxLength: 64
                x-kubernetes-validations:
                - rule: "self.matches('^([0-9]+|[*])(/[0-9]+)?( +([0-9]+|[*])(/[0-9]+)?){4}$')"
                  message: must be a cron schedule
              image:
                type: string
                x-kubernetes-validations:
                - {rule: self == oldSelf, message: image is immutable}
              replicas: {type: integer, default: 1}
              minReplicas: {type: integer}
`;

const cronTab = (name: string, spec: string, ns = 'default') =>
  `apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n${spec}`;

const EXPENSIVE_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: costlies.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: costlies, kind: Costly}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              names:
                type: array
                items: {type: string}
                x-kubernetes-validations:
                - rule: self.all(x, self.all(y, x == y || !x.contains(y)))
`;

jest.setTimeout(120_000);
describe('custom resources: validation rules and quota', () => {
  let c: TestCluster;
  let ctl: RunningControllers;
  const k = (args: string[], opts?: { input?: string; allowFail?: boolean }) => c.kubectl(args, opts);

  beforeAll(async () => {
    c = await startCluster();
    ctl = startControllers(c, (h) => [[new ResourceQuotaController(h.context('resourcequota-controller'), { resyncPeriodMs: 1000 }), 1]]);
    await k(['apply', '-f', '-'], { input: CRD });
  });
  afterAll(async () => {
    await ctl?.stop();
    await c?.stop();
  });

  it('kubectl gets 422 with the rule message; a transition rule keeps a field immutable', async () => {
    const good = cronTab('ct-good', '  cronSpec: "*/5 * * * *"\n  image: my-cron-image\n');
    assert.match((await k(['apply', '-f', '-'], { input: good })).stdout, /crontab.stable.example.com\/ct-good created/);

    const badCron = await k(['apply', '-f', '-'], { input: cronTab('ct-bad', '  cronSpec: every minute\n  image: x\n'), allowFail: true });
    assert.notEqual(badCron.code, 0);
    assert.match(badCron.stderr, /^The CronTab "ct-bad" is invalid: spec.cronSpec: Invalid value: "string": must be a cron schedule/);

    const minReplicas = await k(['apply', '-f', '-'], {
      input: cronTab('ct-min', '  cronSpec: "* * * * *"\n  replicas: 2\n  minReplicas: 3\n'),
      allowFail: true,
    });
    assert.match(minReplicas.stderr, /^The CronTab "ct-min" is invalid: spec: Invalid value: "object": minReplicas \(3\) must not exceed replicas \(2\)/);

    // oldSelf: the image may not change, but the rest of the object may.
    const changed = await k(['apply', '-f', '-'], { input: cronTab('ct-good', '  cronSpec: "*/5 * * * *"\n  image: other-image\n'), allowFail: true });
    assert.match(changed.stderr, /^The CronTab "ct-good" is invalid: spec.image: Invalid value: "string": image is immutable/);
    const rescheduled = await k(['apply', '-f', '-'], { input: cronTab('ct-good', '  cronSpec: "*/10 * * * *"\n  image: my-cron-image\n') });
    assert.match(rescheduled.stdout, /crontab.stable.example.com\/ct-good configured/);

    // The refusal is a 422 Invalid Status with one cause per broken rule.
    const raw = await k(['create', '--raw', '/apis/stable.example.com/v1/namespaces/default/crontabs', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'ct-raw' }, spec: { cronSpec: 'x' } }),
      allowFail: true,
    });
    assert.match(raw.stderr, /Invalid/);
    assert.equal((await k(['get', 'ct', 'ct-raw'], { allowFail: true })).code, 1);
  });

  it('a CRD with a rule past the cost limit is refused, and nothing is served for it', async () => {
    const res = await k(['apply', '-f', '-'], { input: EXPENSIVE_CRD, allowFail: true });
    assert.notEqual(res.code, 0);
    assert.match(
      res.stderr,
      /^The CustomResourceDefinition "costlies.stable.example.com" is invalid: \n\* spec.versions\[0\].schema.openAPIV3Schema.properties\[spec\].properties\[names\].x-kubernetes-validations\[0\].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x \(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared\)/,
    );
    assert.equal((await k(['get', 'crd', 'costlies.stable.example.com'], { allowFail: true })).code, 1);
    const get = await k(['get', 'costlies.stable.example.com'], { allowFail: true });
    assert.match(get.stderr, /the server doesn't have a resource type "costlies"/);
  });

  it('ResourceQuota count/crontabs.stable.example.com admits one CronTab and refuses the second', async () => {
    await k(['create', 'namespace', 'quota-crontabs']);
    await k(['create', 'quota', 'crontabs', '--hard=count/crontabs.stable.example.com=1', '-n', 'quota-crontabs']);
    const spec = '  cronSpec: "* * * * *"\n  image: x\n';
    assert.match((await k(['apply', '-f', '-'], { input: cronTab('ct-1', spec, 'quota-crontabs') })).stdout, /ct-1 created/);
    const second = await k(['apply', '-f', '-'], { input: cronTab('ct-2', spec, 'quota-crontabs'), allowFail: true });
    assert.notEqual(second.code, 0);
    assert.match(
      second.stderr,
      /Error from server \(Forbidden\): error when creating "STDIN": crontabs.stable.example.com "ct-2" is forbidden: exceeded quota: crontabs, requested: count\/crontabs.stable.example.com=1, used: count\/crontabs.stable.example.com=1, limited: count\/crontabs.stable.example.com=1/,
    );
    const used = async () =>
      (JSON.parse((await k(['get', 'resourcequota', 'crontabs', '-n', 'quota-crontabs', '-o', 'json'])).stdout) as ResourceQuota).status?.used?.[
        'count/crontabs.stable.example.com'
      ];
    assert.equal(await used(), '1');
    // The resourcequota controller counts the custom resources: deleting one frees the slot.
    await k(['delete', 'ct', 'ct-1', '-n', 'quota-crontabs']);
    await until('the controller recounts the crontabs', async () => ((await used()) === '0' ? true : undefined), 15_000);
    assert.match((await k(['apply', '-f', '-'], { input: cronTab('ct-2', spec, 'quota-crontabs') })).stdout, /ct-2 created/);
  });
});
