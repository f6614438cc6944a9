// Which requests a webhook's rules and selectors select (upstream's predicates).
import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import type { RuleWithOperations } from '../../api/admissionregistration/v1/types.js';
import { selectorFromLabelSelector } from '../../api/labels/selector.js';
import type { AdmissionAttributes } from '../../pkg/registry/admissionregistration/webhook/attributes.js';
import { namespaceForSelector, objectSelectorMatches, ruleMatches } from '../../pkg/registry/admissionregistration/webhook/match.js';

const attr = (over: Partial<AdmissionAttributes> = {}): AdmissionAttributes => ({
  operation: 'CREATE',
  group: '',
  version: 'v1',
  resource: 'pods',
  subresource: '',
  kind: 'Pod',
  name: 'p',
  namespace: 'ns',
  dryRun: false,
  ...over,
});

const rule = (resources: string[], over: Partial<RuleWithOperations> = {}): RuleWithOperations => ({
  operations: ['CREATE'],
  apiGroups: [''],
  apiVersions: ['v1'],
  resources,
  ...over,
});

test('resources: plain, wildcard, subresource forms', () => {
  const cases: [string[], Partial<AdmissionAttributes>, boolean][] = [
    [['pods'], {}, true],
    [['pods'], { subresource: 'status' }, false],
    [['pods/status'], { subresource: 'status' }, true],
    [['pods/status'], {}, false],
    [['pods/*'], {}, true],
    [['pods/*'], { subresource: 'log' }, true],
    [['*'], { resource: 'configmaps', kind: 'ConfigMap' }, true],
    [['*'], { subresource: 'status' }, false],
    [['*/status'], { subresource: 'status' }, true],
    [['*/status'], {}, false],
    [['*/*'], { subresource: 'exec' }, true],
    [['deployments'], {}, false],
  ];
  for (const [resources, over, want] of cases) assert.equal(ruleMatches(rule(resources), attr(over)), want, `${resources.join(',')} ${JSON.stringify(over)}`);
});

test('operations, groups, versions and scope', () => {
  assert.equal(ruleMatches(rule(['pods'], { operations: ['UPDATE'] }), attr()), false);
  assert.equal(ruleMatches(rule(['pods'], { operations: ['*'] }), attr({ operation: 'DELETE' })), true);
  assert.equal(ruleMatches(rule(['deployments'], { apiGroups: ['apps'] }), attr({ group: 'apps', resource: 'deployments' })), true);
  assert.equal(ruleMatches(rule(['pods'], { apiVersions: ['v2'] }), attr()), false);
  assert.equal(ruleMatches(rule(['pods'], { scope: 'Cluster' }), attr()), false);
  assert.equal(ruleMatches(rule(['pods'], { scope: 'Namespaced' }), attr()), true);
  // A Namespace is cluster-scoped, though its requests carry its own name as their namespace.
  const nsCreate = attr({ resource: 'namespaces', kind: 'Namespace', name: 'team', namespace: 'team' });
  assert.equal(ruleMatches(rule(['namespaces'], { scope: 'Cluster' }), nsCreate), true);
  assert.equal(ruleMatches(rule(['namespaces'], { scope: 'Namespaced' }), nsCreate), false);
  assert.equal(ruleMatches(rule(['nodes'], { scope: 'Cluster' }), attr({ resource: 'nodes', namespace: '' })), true);
});

test('the object selector reads the new or the old labels; the namespace selector reads the right namespace', () => {
  const sel = selectorFromLabelSelector({ matchLabels: { team: 'a' } });
  assert.equal(objectSelectorMatches(sel, attr({ object: { metadata: { labels: { team: 'a' } } } })), true);
  assert.equal(objectSelectorMatches(sel, attr({ object: { metadata: {} }, oldObject: { metadata: { labels: { team: 'a' } } } })), true);
  assert.equal(objectSelectorMatches(sel, attr({ object: { metadata: {} } })), false);
  assert.equal(objectSelectorMatches(selectorFromLabelSelector({}), attr()), true);

  assert.deepEqual(namespaceForSelector(attr()), { name: 'ns' });
  assert.equal(namespaceForSelector(attr({ resource: 'nodes', namespace: '' })), undefined);
  const labels = { env: 'prod' };
  assert.deepEqual(namespaceForSelector(attr({ resource: 'namespaces', name: 'team', namespace: 'team', object: { metadata: { labels } } })), {
    name: 'team',
    labels,
  });
  assert.deepEqual(
    namespaceForSelector(attr({ operation: 'DELETE', resource: 'namespaces', name: 'team', namespace: 'team', oldObject: { metadata: { labels } } })),
    { name: 'team', labels },
  );
});
