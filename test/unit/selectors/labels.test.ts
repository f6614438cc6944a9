import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { StatusError } from '../../../api/meta/v1/status.js';
import {
  formatLabelSelector,
  formatLabels,
  labelSelectorAsString,
  parseSelector,
  selectorFromLabelSelector,
  tryParseSelector,
} from '../../../api/labels/selector.js';

const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

test('equality, set-based and existence requirements match as Kubernetes does', () => {
  const labels = { app: 'web', tier: 'front', env: 'prod' };
  const cases: [string, boolean][] = [
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (web,db)', true],
    ['app in (db)', false],
    ['app notin (db)', true],
    ['missing notin (db)', true],
    ['app notin (web)', false],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app=web,tier=front', true],
    ['app=web,tier=back', false],
    ['app = web , tier in ( front )', true],
    ['', true],
  ];
  for (const [sel, want] of cases) assert.equal(parseSelector(sel).matches(labels), want, sel);
});

test('parsed selectors print sorted by key, with set values sorted', () => {
  assert.equal(parseSelector('z=1,a in (y,x),!b,c').toString(), 'a in (x,y),!b,c,z=1');
  assert.equal(parseSelector('x notin ()').toString(), 'x notin ()');
  assert.ok(parseSelector('').isEmpty());
});

test('"in" and "notin" are values inside parentheses', () => {
  assert.ok(parseSelector('k in (in,notin)').matches({ k: 'notin' }));
});

test('syntax errors carry upstream text and are 400 BadRequest', () => {
  assert.deepEqual(tryParseSelector('a in b'), { error: "unable to parse requirement: found 'b' expected: '('" });
  assert.deepEqual(tryParseSelector('a=b,'), { error: "found '', expected: identifier after ','" });
  assert.deepEqual(tryParseSelector('a=b c'), { error: "found 'c', expected: ',' or 'end of string'" });
  assert.deepEqual(tryParseSelector('a b'), { error: "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt" });
  assert.deepEqual(tryParseSelector('a in (b'), { error: "unable to parse requirement: found '', expected: ',' or ')'" });
  assert.deepEqual(tryParseSelector('a <> b'), { error: "unable to parse requirement: found '>', expected: identifier" });
  assert.deepEqual(tryParseSelector('a ( b'), { error: "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt" });
  assert.ok(parseSelector('n>3').matches({ n: '4' }) && !parseSelector('n<3').matches({ n: '4' }));
  assert.throws(
    () => parseSelector('app:monolith'),
    (e: unknown) =>
      e instanceof StatusError &&
      e.code === 400 &&
      e.reason === 'BadRequest' &&
      e.message === `unable to parse requirement: <nil>: Invalid value: "app:monolith": ${NAME_PART_MSG}`,
  );
});

test('invalid values are rejected with the values[i][key] path', () => {
  const r = tryParseSelector('a=-x');
  assert.ok('error' in r);
  assert.match(
    r.error,
    /^unable to parse requirement: values\[0\]\[a\]: Invalid value: "-x": a valid label must be an empty string or consist of alphanumeric characters/,
  );
});

test('a bad prefix is reported as the prefix part', () => {
  const r = tryParseSelector('app.kubernetes_io/name=x');
  assert.ok('error' in r);
  assert.match(r.error, /Invalid value: "app.kubernetes_io\/name": prefix part a lowercase RFC 1123 subdomain must consist of/);
});

test('metav1.LabelSelector: In, NotIn, Exists, DoesNotExist and matchLabels', () => {
  const sel = selectorFromLabelSelector({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['front', 'edge'] },
      { key: 'env', operator: 'NotIn', values: ['dev'] },
      { key: 'team', operator: 'Exists' },
      { key: 'legacy', operator: 'DoesNotExist' },
    ],
  });
  assert.ok(sel.matches({ app: 'web', tier: 'edge', team: 'a' }));
  assert.ok(!sel.matches({ app: 'web', tier: 'edge', team: 'a', env: 'dev' }));
  assert.ok(!sel.matches({ app: 'web', tier: 'edge' }));
  assert.ok(!sel.matches({ app: 'web', tier: 'edge', team: 'a', legacy: '' }));
  assert.equal(sel.toString(), 'app=web,env notin (dev),!legacy,team,tier in (edge,front)');
  assert.ok(selectorFromLabelSelector({}).isEmpty());
  assert.ok(selectorFromLabelSelector({}).matches({ any: 'thing' }));
  assert.ok(!selectorFromLabelSelector(undefined).matches({}));
  assert.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Foo' }] }), /"Foo" is not a valid label selector operator/);
});

test('string forms for scale status.selector and printer columns', () => {
  assert.equal(labelSelectorAsString({ matchLabels: { app: 'web', tier: 'a' } }), 'app=web,tier=a');
  assert.equal(labelSelectorAsString({}), '');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bad' }] }), '<error>');
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels({}), '<none>');
});
