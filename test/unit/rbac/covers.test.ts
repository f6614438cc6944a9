// Escalation coverage (upstream's Covers), the compact form of missing rules,
// and the escalation message.
import { describe, expect, test } from '@jest/globals';
import assert from 'node:assert/strict';
import type { PolicyRule } from '../../../api/rbac/v1/types.js';
import { breakdownRule, covers } from '../../../pkg/registry/rbac/validation/policy_comparator.js';
import { compactRules, compactString } from '../../../pkg/registry/rbac/validation/compact.js';
import { RuleResolver, staticListers } from '../../../pkg/registry/rbac/validation/rule.js';
import { confirmNoEscalation } from '../../../pkg/registry/rbac/escalation_check.js';

const r = (verbs: string[], groups: string[], resources: string[], names?: string[]): PolicyRule => ({
  verbs,
  apiGroups: groups,
  resources,
  ...(names ? { resourceNames: names } : {}),
});

describe('covers', () => {
  const cases: Array<[string, PolicyRule[], PolicyRule[], boolean]> = [
    ['exact', [r(['get'], [''], ['pods'])], [r(['get'], [''], ['pods'])], true],
    ['more verbs held', [r(['get', 'list'], [''], ['pods'])], [r(['get'], [''], ['pods'])], true],
    ['a verb missing', [r(['get'], [''], ['pods'])], [r(['get', 'delete'], [''], ['pods'])], false],
    ['star verb, group and resource', [r(['*'], ['*'], ['*'])], [r(['get', 'escalate'], ['apps', 'rbac.authorization.k8s.io'], ['roles', 'x/y'])], true],
    ['split over two owner rules', [r(['get'], [''], ['pods']), r(['list'], [''], ['pods'])], [r(['get', 'list'], [''], ['pods'])], true],
    ['other group', [r(['get'], [''], ['pods'])], [r(['get'], ['apps'], ['pods'])], false],
    ['*/subresource covers any resource subresource', [r(['get'], ['*'], ['*/scale'])], [r(['get'], ['apps'], ['deployments/scale'])], true],
    ['*/subresource does not cover the resource', [r(['get'], ['*'], ['*/scale'])], [r(['get'], ['apps'], ['deployments'])], false],
    ['a resource does not cover its subresources', [r(['get'], [''], ['pods'])], [r(['get'], [''], ['pods/log'])], false],
    ['unnamed covers named', [r(['get'], [''], ['secrets'])], [r(['get'], [''], ['secrets'], ['a'])], true],
    ['named does not cover unnamed', [r(['get'], [''], ['secrets'], ['a'])], [r(['get'], [''], ['secrets'])], false],
    ['named covers the same names', [r(['get'], [''], ['secrets'], ['a', 'b'])], [r(['get'], [''], ['secrets'], ['b'])], true],
    ['named does not cover other names', [r(['get'], [''], ['secrets'], ['a'])], [r(['get'], [''], ['secrets'], ['c'])], false],
    ['URL prefix', [{ verbs: ['get'], nonResourceURLs: ['/apis/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/apis/apps', '/apis/*'] }], true],
    ['URL outside the prefix', [{ verbs: ['get'], nonResourceURLs: ['/apis/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/api'] }], false],
    ['resource rules never cover URLs', [r(['*'], ['*'], ['*'])], [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }], false],
    ['nothing asked', [], [], true],
  ];
  test.each(cases)('%s', (_name, owner, servant, want) => {
    assert.equal(covers(owner, servant).covered, want);
  });

  test('the missing pieces are one verb, group, resource and name each', () => {
    const { missing } = covers([r(['get'], [''], ['pods'])], [r(['get', 'delete'], ['', 'apps'], ['pods'])]);
    expect(missing).toEqual([r(['delete'], [''], ['pods']), r(['get'], ['apps'], ['pods']), r(['delete'], ['apps'], ['pods'])]);
  });

  test('breakdown of a rule with names and one with URLs', () => {
    expect(breakdownRule(r(['get', 'update'], [''], ['configmaps'], ['a', 'b']))).toHaveLength(4);
    expect(breakdownRule({ verbs: ['get', 'post'], nonResourceURLs: ['/a', '/b', '/c'] })).toHaveLength(6);
  });
});

describe('compaction', () => {
  test('verbs of one group, resource and name merge; other rules stay', () => {
    const compacted = compactRules([
      r(['get'], [''], ['pods']),
      r(['list'], [''], ['pods']),
      r(['get'], [''], ['secrets'], ['a']),
      r(['update'], [''], ['secrets'], ['a']),
      { verbs: ['get'], nonResourceURLs: ['/x'] },
    ]);
    expect(compacted.map(compactString).sort()).toEqual([
      '{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}',
      '{APIGroups:[""], Resources:["secrets"], ResourceNames:["a"], Verbs:["get" "update"]}',
      '{NonResourceURLs:["/x"], Verbs:["get"]}',
    ]);
  });
});

describe('confirmNoEscalation', () => {
  const resolver = new RuleResolver(
    staticListers({
      clusterRoles: [{ metadata: { name: 'edit' }, rules: [r(['get', 'list', 'create'], ['', 'apps'], ['pods', 'deployments'])] }],
      roleBindings: [
        {
          metadata: { name: 'editor', namespace: 'b' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'editor-b' }],
        },
      ],
    }),
  );
  const editor = { name: 'editor-b', groups: ['system:authenticated'] };

  test('held rules may be granted in the namespace they are held in', () => {
    assert.equal(confirmNoEscalation(resolver, editor, 'b', [r(['get'], ['apps'], ['deployments'])]), undefined);
    assert.notEqual(confirmNoEscalation(resolver, editor, 'c', [r(['get'], ['apps'], ['deployments'])]), undefined);
  });

  test('the message lists what is missing, compacted and sorted, as upstream', () => {
    const msg = confirmNoEscalation(resolver, editor, 'b', [
      r(['get', 'delete', 'update'], [''], ['pods', 'secrets']),
      r(['bind'], ['rbac.authorization.k8s.io'], ['roles']),
    ]);
    expect(msg).toBe(
      'user "editor-b" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["pods"], Verbs:["delete" "update"]}\n' +
        '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete" "update"]}\n' +
        '{APIGroups:["rbac.authorization.k8s.io"], Resources:["roles"], Verbs:["bind"]}',
    );
  });
});
