// The naming checks of CustomResourceDefinitions, with upstream's reasons and messages
// (apiextensions-apiserver's naming controller tests).
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { calculateNamesAndConditions, claimedNames } from '../../../api/apiextensions/v1/naming.js';
import { resourceInfosFor, compareKubeAwareVersions } from '../../../api/apiextensions/v1/helpers.js';
import type { CustomResourceDefinition, CustomResourceDefinitionNames } from '../../../api/apiextensions/v1/types.js';
import { BUILTIN_RESOURCES } from '../../../api/resources.js';

function crd(name: string, group: string, names: CustomResourceDefinitionNames, accepted?: CustomResourceDefinitionNames): CustomResourceDefinition {
  return {
    metadata: { name: `${names.plural}.${group}` === name ? name : name },
    spec: { group, scope: 'Namespaced', names, versions: [{ name: 'v1', served: true, storage: true }] },
    status: accepted ? { acceptedNames: accepted } : undefined,
  };
}

const ALL: CustomResourceDefinitionNames = { plural: 'alphas', singular: 'alpha', kind: 'Alpha', listKind: 'AlphaList', shortNames: ['al'] };
const OTHER = crd(
  'others.example.com',
  'example.com',
  { plural: 'others', kind: 'Other' },
  { plural: 'others', singular: 'other', kind: 'Other', listKind: 'OtherList', shortNames: ['ot', 'o'] },
);

describe('calculateNamesAndConditions', () => {
  const cases: Array<{ name: string; requested: Partial<CustomResourceDefinitionNames>; reason: string; message: string }> = [
    { name: 'no conflicts', requested: {}, reason: 'NoConflicts', message: 'no conflicts found' },
    { name: 'plural', requested: { plural: 'others' }, reason: 'PluralConflict', message: '"others" is already in use' },
    { name: 'singular against a plural', requested: { singular: 'others' }, reason: 'SingularConflict', message: '"others" is already in use' },
    { name: 'singular against a short name', requested: { singular: 'ot' }, reason: 'SingularConflict', message: '"ot" is already in use' },
    { name: 'one short name', requested: { shortNames: ['al', 'o'] }, reason: 'ShortNamesConflict', message: '"o" is already in use' },
    {
      name: 'two short names',
      requested: { shortNames: ['ot', 'o'] },
      reason: 'ShortNamesConflict',
      message: '["ot" is already in use, "o" is already in use]',
    },
    { name: 'kind', requested: { kind: 'Other' }, reason: 'KindConflict', message: '"Other" is already in use' },
    { name: 'kind against a listKind', requested: { kind: 'OtherList' }, reason: 'KindConflict', message: '"OtherList" is already in use' },
    { name: 'listKind', requested: { listKind: 'Other' }, reason: 'ListKindConflict', message: '"Other" is already in use' },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const c = crd('alphas.example.com', 'example.com', { ...ALL, ...tc.requested });
      const got = calculateNamesAndConditions(c, claimedNames(c, [OTHER], BUILTIN_RESOURCES));
      assert.equal(got.namesAccepted.reason, tc.reason);
      assert.equal(got.namesAccepted.message, tc.message);
      assert.equal(got.namesAccepted.status, tc.reason === 'NoConflicts' ? 'True' : 'False');
      assert.deepEqual(
        [got.established.status, got.established.reason],
        tc.reason === 'NoConflicts' ? ['True', 'InitialNamesAccepted'] : ['False', 'NotAccepted'],
      );
    });
  }

  it('a conflicting name keeps what was accepted before; the rest is taken', () => {
    const accepted = { plural: 'alphas', singular: 'alpha', kind: 'Alpha', listKind: 'AlphaList' };
    const c = crd('alphas.example.com', 'example.com', { ...accepted, shortNames: ['o'], categories: ['all'] }, accepted);
    const got = calculateNamesAndConditions(c, claimedNames(c, [OTHER], []));
    assert.deepEqual(got.acceptedNames, { ...accepted, categories: ['all'] });
  });

  it('names accepted for the CRD itself are no conflict; other groups and itself are not counted', () => {
    const c = crd('alphas.example.com', 'example.com', ALL, ALL);
    const elsewhere = crd('others.example.org', 'example.org', ALL, ALL);
    const got = calculateNamesAndConditions(c, claimedNames(c, [c, elsewhere], []));
    assert.equal(got.namesAccepted.reason, 'NoConflicts');
  });

  it('an Established CRD stays established when a later change clashes', () => {
    const c = crd('alphas.example.com', 'example.com', { ...ALL, shortNames: ['o'] }, ALL);
    c.status!.conditions = [{ type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }];
    const got = calculateNamesAndConditions(c, claimedNames(c, [OTHER], []));
    assert.equal(got.namesAccepted.reason, 'ShortNamesConflict');
    assert.equal(got.established.status, 'True');
  });

  it("a built-in resource's names in the same group clash", () => {
    const c = crd('deployments.apps', 'apps', { plural: 'deployments', kind: 'Deployment' });
    const got = calculateNamesAndConditions(c, claimedNames(c, [], BUILTIN_RESOURCES));
    assert.equal(got.namesAccepted.reason, 'KindConflict');
    assert.equal(got.acceptedNames.plural, '');
  });
});

describe('resourceInfosFor', () => {
  it('serves the served versions in kube-aware order, by the accepted names', () => {
    const c = crd('alphas.example.com', 'example.com', ALL, { ...ALL, shortNames: undefined });
    c.spec.versions = [
      { name: 'v1alpha1', served: true, storage: false },
      { name: 'v2', served: false, storage: false },
      { name: 'v1', served: true, storage: true, subresources: { status: {}, scale: { specReplicasPath: '.spec.r', statusReplicasPath: '.status.r' } } },
      { name: 'v1beta2', served: true, storage: false },
    ];
    const infos = resourceInfosFor(c);
    assert.deepEqual(
      infos.map((i) => [i.version, i.plural, i.kind, i.listKind, i.singular, i.shortNames, i.subresources]),
      [
        ['v1', 'alphas', 'Alpha', 'AlphaList', 'alpha', undefined, ['status', 'scale']],
        ['v1beta2', 'alphas', 'Alpha', 'AlphaList', 'alpha', undefined, undefined],
        ['v1alpha1', 'alphas', 'Alpha', 'AlphaList', 'alpha', undefined, undefined],
      ],
    );
  });

  it('orders versions as Kubernetes does', () => {
    const versions = ['foo1', 'v1beta1', 'v10', 'v2', 'v1alpha1', 'v11alpha2', 'v12alpha1', 'v1', 'v3beta1', 'foo10', 'v10beta3'];
    assert.deepEqual(versions.sort(compareKubeAwareVersions), [
      'v10',
      'v2',
      'v1',
      'v10beta3',
      'v3beta1',
      'v1beta1',
      'v12alpha1',
      'v11alpha2',
      'v1alpha1',
      'foo1',
      'foo10',
    ]);
  });
});
