// The Kubernetes CEL extension library and cost limits: each expression with its
// result or its error, evaluated through the same environment admission uses.
import { describe, expect, test } from '@jest/globals';
import assert from 'node:assert/strict';
import { CelEnvironment, CompileError, CostBudget, CostLimitError } from '../../pkg/cel/environment.js';
import { STATIC_ESTIMATED_COST_LIMIT, costLimitMessage } from '../../pkg/cel/cost.js';
import { toCel } from '../../pkg/cel/value.js';
import { AUTHORIZER_TYPE, Authorizer, type AuthorizeFunc, type AuthzRequest } from '../../pkg/cel/library/authz.js';

const env = new CelEnvironment([
  ['object', 'dyn'],
  ['params', 'dyn'],
]);
const object = JSON.parse(
  '{"metadata":{"name":"web","labels":{"__proto__":"p","app":"web"}},"spec":{"replicas":7,"containers":[{"name":"a","image":"nginx:1.14"},{"name":"b","image":"busybox"}]}}',
) as unknown;
const activation = new Map<string, unknown>([
  ['object', toCel(object)],
  ['params', null],
]);
const run = (expr: string): unknown => env.compile(expr).evaluate(activation);

const RESULTS: Array<[string, unknown]> = [
  // strings
  ['"ABC".lowerAscii()', 'abc'],
  ['"abc".upperAscii()', 'ABC'],
  ['"ÀÉ Straße".lowerAscii()', 'ÀÉ straße'],
  ['"àé straße".upperAscii()', 'àé STRAßE'],
  ['"a,b,c".split(",")', ['a', 'b', 'c']],
  ['"a,b,c".split(",", 2)', ['a', 'b,c']],
  ['["x", "y"].join("-")', 'x-y'],
  ['"aXbXc".replace("X", "-")', 'a-b-c'],
  ['"aXbXc".replace("X", "-", 1)', 'a-bXc'],
  ['"  pad ".trim()', 'pad'],
  ['"banana".indexOf("an")', 1n],
  ['"banana".lastIndexOf("an")', 3n],
  ['"banana".substring(2, 4)', 'na'],
  ['"héllo".charAt(1)', 'é'],
  ['"abc".reverse()', 'cba'],
  ['"%s has %d replicas (%.1f%%)".format(["web", 3, 12.5])', 'web has 3 replicas (12.5%)'],
  ['"%x %o %b".format([255, 8, 5])', 'ff 10 101'],
  // lists
  ['[1, 2, 3].isSorted()', true],
  ['["b", "a"].isSorted()', false],
  ['[1, 2, 3].sum()', 6n],
  ['[1.5, 2.5].sum()', 4],
  ['[3, 1, 2].min()', 1n],
  ['["a", "c", "b"].max()', 'c'],
  ['[1, 2, 1].indexOf(1)', 0n],
  ['[1, 2, 1].lastIndexOf(1)', 2n],
  ['[1, 2].indexOf(9)', -1n],
  // regex
  ['"abc123def".find("[0-9]+")', '123'],
  ['"abc".find("[0-9]+")', ''],
  ['"a1b22c333".findAll("[0-9]+")', ['1', '22', '333']],
  ['"a1b22c333".findAll("[0-9]+", 2)', ['1', '22']],
  ['"Hello".matches("^h")', false],
  ['"Hello".find("(?i)^h")', 'H'],
  // quantity
  ['quantity("1.5Gi").isGreaterThan(quantity("1Gi"))', true],
  ['quantity("500m").isLessThan(quantity("1"))', true],
  ['quantity("1k").compareTo(quantity("1000"))', 0n],
  ['quantity("2Ki").asInteger()', 2048n],
  ['quantity("250m").asApproximateFloat()', 0.25],
  ['quantity("1").add(quantity("500m")).isInteger()', false],
  ['quantity("1").add(2).asInteger()', 3n],
  ['quantity("5").sub(quantity("7")).sign()', -1n],
  ['quantity("1e3").asInteger()', 1000n],
  ['isQuantity("1Mi")', true],
  ['isQuantity("1MB")', false],
  // url
  ['url("https://example.com:8443/a%20b?x=1&x=2&y").getScheme()', 'https'],
  ['url("https://example.com:8443/a%20b").getHost()', 'example.com:8443'],
  ['url("https://example.com:8443/").getHostname()', 'example.com'],
  ['url("https://example.com:8443/").getPort()', '8443'],
  ['url("https://[::1]:80/").getHostname()', '::1'],
  ['url("https://example.com/a%20b").getEscapedPath()', '/a%20b'],
  ['url("https://example.com/?x=1&x=2").getQuery()["x"]', ['1', '2']],
  ['url("/just/a/path").getHost()', ''],
  ['isURL("https://example.com")', true],
  ['isURL("not a url")', false],
  // macros and optionals on an object from JSON
  ['object.spec.replicas > 5', true],
  ['has(object.spec.replicas) && !has(object.spec.paused)', true],
  ['object.spec.containers.all(c, c.image.contains(":"))', false],
  ['object.spec.containers.exists(c, c.name == "b")', true],
  ['object.spec.containers.exists_one(c, c.name.startsWith("a"))', true],
  ['object.spec.containers.map(c, c.name)', ['a', 'b']],
  ['object.spec.containers.filter(c, c.image.startsWith("nginx")).size()', 1n],
  ['object.metadata.labels["__proto__"]', 'p'],
  ['object.?spec.?paused.orValue(false)', false],
  ['cel.bind(n, object.spec.containers.size(), n * 2)', 4n],
  ['params == null', true],
];

describe('Kubernetes CEL library', () => {
  test.each(RESULTS)('%s', (expr, want) => {
    expect(run(expr)).toEqual(want);
  });
});

const EVAL_ERRORS: Array<[string, RegExp]> = [
  ['quantity("12 apples")', /quantities must match the regular expression/],
  ['quantity("1.5").asInteger()', /cannot convert value to integer/],
  ['url("mailto:x@example.com")', /URL parse error during conversion from string/],
  ['[].min()', /min\(list\) called on an empty list/],
  ['"abc".charAt(9)', /index out of range: 9/],
  ['"%z".format([1])', /unrecognized formatting clause "z"/],
  ['"%d".format(["x"])', /decimal clause can only be used on integers/],
  ['"abc".find("(")', /error parsing regexp/],
  ['object.spec.nothing > 1', /No such key: nothing/],
];

test.each(EVAL_ERRORS)('%s fails at evaluation', (expr, message) => {
  assert.throws(() => run(expr), message);
});

const COMPILE_ERRORS: Array<[string, RegExp]> = [
  ['object.spec.replicas >', /^ERROR: <input>:1:23: /],
  ['nothing == 1', /^ERROR: <input>:1:1: undeclared reference to 'nothing' \(in container ''\)$/],
  ['"a".noSuchMethod()', /^ERROR: <input>:1:\d+: .*noSuchMethod/],
  ['1 + "a"', /^ERROR: <input>:1:\d+: /],
];

test.each(COMPILE_ERRORS)('%s does not compile', (expr, message) => {
  assert.throws(
    () => env.compile(expr),
    (err: unknown) => err instanceof CompileError && message.test(err.message),
  );
});

test('regular expressions are RE2: linear time on a pattern that makes backtracking engines stall', () => {
  const hostile = new Map<string, unknown>([
    ['object', toCel({ s: `${'a'.repeat(5000)}!` })],
    ['params', null],
  ]);
  const started = Date.now();
  assert.equal(env.compile('object.s.matches("^(a+)+$")').evaluate(hostile), false);
  assert.deepEqual(env.compile('object.s.findAll("(a|aa)+$")').evaluate(hostile), []);
  assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
  // RE2 syntax: no backreferences, as upstream refuses them.
  assert.throws(() => env.compile('"aa".matches("(a)\\\\1")').evaluate(activation), /error parsing regexp: invalid escape sequence/);
  // Messages still name `matches`.
  assert.throws(() => env.compile('1.matches("x")'), /matches/);
});

test('a result type other than the ones allowed is a compile error', () => {
  assert.throws(() => env.compile('"yes"', ['bool']), /must evaluate to bool but got string/);
  assert.equal(env.compile('object.spec.replicas > 1', ['bool']).outputType, 'bool');
});

describe('cost', () => {
  test('estimates grow with nesting over inputs of unknown size, and stay small for constants', () => {
    const flat = env.compile('object.spec.containers.all(c, c.name != "")').estimatedCost();
    const nested = env.compile('object.spec.containers.all(c, object.spec.containers.all(d, d.name != c.name))').estimatedCost();
    assert.ok(env.compile('1 + 2 == 3').estimatedCost() < 10);
    assert.ok(flat > 1000 && flat < nested, `${flat} < ${nested}`);
    assert.ok(nested > STATIC_ESTIMATED_COST_LIMIT);
  });

  test("declared sizes (a schema's maxItems and maxLength) bound the estimate, as for a CRD rule", () => {
    const rules = new CelEnvironment([['self', 'dyn']]);
    const rule = rules.compile("self.items.all(i, i.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'))");
    const declared = (path: readonly string[]) => (path.join('.') === 'self.items' ? 100 : path.join('.') === 'self.items.*' ? 63 : undefined);
    const bounded = rule.estimatedCost(declared);
    assert.ok(bounded < 10_000, String(bounded));
    assert.equal(costLimitMessage('estimated rule cost', bounded), undefined);
    const unbounded = rule.estimatedCost();
    assert.equal(
      costLimitMessage('estimated rule cost', unbounded),
      'estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)',
    );
    assert.equal(
      costLimitMessage('x', 2.5e7),
      'x exceeds budget by factor of 2.5x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)',
    );
  });

  test('at evaluation the real sizes count, and the budget is shared by the expressions charged to it', () => {
    const expr = env.compile('object.spec.containers.all(c, object.spec.containers.all(d, d.name != c.name || c == d))');
    const budget = new CostBudget(1000);
    assert.equal(expr.evaluate(activation, budget), true);
    const used = 1000 - budget.remaining;
    assert.ok(used > 0 && used < 100, `used ${used}`);
    assert.throws(() => expr.evaluate(activation, new CostBudget(used - 1)), CostLimitError);
  });

  test('a list too long for the budget stops the evaluation before it runs', () => {
    const long = new Map<string, unknown>([
      ['object', toCel({ items: Array.from({ length: 3000 }, (_, i) => `item-${i}`) })],
      ['params', null],
    ]);
    const expr = env.compile('object.items.all(a, object.items.all(b, a == b || a != b))');
    assert.throws(() => expr.evaluate(long), /operation cancelled: actual cost limit exceeded/);
    assert.equal(env.compile('object.items.all(a, a.startsWith("item-"))').evaluate(long), true);
  });

  test('one call over a huge string exceeds the per-call limit', () => {
    const big = new Map<string, unknown>([
      ['object', toCel({ s: 'x'.repeat(2_000_000) })],
      ['params', null],
    ]);
    assert.throws(() => env.compile('object.s.matches("^(xx|yy|zz|ww)+qq$")').evaluate(big), /actual cost limit exceeded/);
    assert.equal(env.compile('object.s.size()').evaluate(big), 2_000_000n);
  });
});

describe('authorizer', () => {
  const asked: Array<[AuthzRequest, string]> = [];
  const authorize: AuthorizeFunc = async (req, sa) => {
    asked.push([req, sa ? `${sa.namespace}/${sa.name}` : 'user']);
    await new Promise((r) => setTimeout(r, 1));
    if (req.path === '/broken') throw new Error('authorizer unavailable');
    return { allowed: req.verb === 'get' || (sa?.name === 'deployer' && req.verb === 'update'), reason: 'by the test' };
  };
  const authzEnv = new CelEnvironment([['authorizer', AUTHORIZER_TYPE]]);
  const authorizer = new Authorizer(authorize, { group: 'apps', version: 'v1', resource: 'deployments', subresource: '', namespace: 'ns', name: 'web' });
  const check = (expr: string) => authzEnv.compile(expr).evaluateAsync(new Map([['authorizer', authorizer]]));

  test('resource and path checks ask the authorizer, as the user or as a service account', async () => {
    assert.equal(await check("authorizer.group('').resource('pods').namespace('ns').name('p').subresource('log').check('get').allowed()"), true);
    assert.deepEqual(asked.at(-1), [
      { verb: 'get', isResourceRequest: true, path: '', group: '', version: '*', resource: 'pods', subresource: 'log', namespace: 'ns', name: 'p' },
      'user',
    ]);
    assert.equal(await check("authorizer.requestResource.check('update').allowed()"), false);
    assert.equal(asked.at(-1)?.[0].resource, 'deployments');
    assert.equal(await check("authorizer.serviceAccount('ci', 'deployer').requestResource.check('update').allowed()"), true);
    assert.equal(asked.at(-1)?.[1], 'ci/deployer');
    assert.equal(await check("authorizer.path('/healthz').check('get').reason()"), 'by the test');
    assert.equal(await check("authorizer.path('/broken').check('get').error()"), 'authorizer unavailable');
    assert.equal(await check("authorizer.path('/broken').check('get').errored()"), true);
  });

  test('a check costs what upstream charges for it', () => {
    const cost = authzEnv.compile("authorizer.path('/x').check('get').allowed()").estimatedCost();
    assert.ok(cost >= 350_000 && cost < 350_100, String(cost));
  });
});
