// CustomResourceDefinition validation: names, printer columns, scale paths and
// structural schemas, with upstream's fields and messages.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate } from '../../../api/apiextensions/v1/validation.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';

function crd(edit: (spec: Record<string, any>) => void = () => undefined): KubeObject {
  const spec: Record<string, any> = {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'] },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } } } } }],
  };
  edit(spec);
  return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'crontabs.stable.example.com' }, spec };
}

const errors = (obj: KubeObject) => validateCustomResourceDefinition(obj).map((c) => `${c.field}: ${c.message}`);

describe('validateCustomResourceDefinition', () => {
  const cases: Array<[string, (spec: Record<string, any>) => void, string[]]> = [
    ['valid', () => undefined, []],
    [
      'kind',
      (s) => (s.names.kind = 'Cron Tab'),
      [
        "spec.names.kind: Invalid value: \"Cron Tab\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      ],
    ],
    ['listKind equal to kind', (s) => (s.names.listKind = 'CronTab'), ['spec.names.listKind: Invalid value: "CronTab": kind and listKind may not be the same']],
    [
      'short name',
      (s) => (s.names.shortNames = ['ok', 'Not_OK']),
      [
        "spec.names.shortNames[1]: Invalid value: \"Not_OK\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      ],
    ],
    [
      'printer column type',
      (s) => (s.versions[0].additionalPrinterColumns = [{ name: 'X', type: 'float', jsonPath: '.spec.x' }]),
      ['spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: "float": supported values: "boolean", "date", "integer", "number", "string"'],
    ],
    [
      'scale paths',
      (s) => (s.versions[0].subresources = { scale: { specReplicasPath: '.status.r', statusReplicasPath: '.spec.r', labelSelectorPath: '.metadata.x' } }),
      [
        'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.r": should be a json path under .spec',
        'spec.versions[0].subresources.scale.statusReplicasPath: Invalid value: ".spec.r": should be a json path under .status',
        'spec.versions[0].subresources.scale.labelSelectorPath: Invalid value: ".metadata.x": should be a json path under either .spec or .status',
      ],
    ],
    [
      'non-structural schema',
      (s) => (s.versions[0].schema.openAPIV3Schema.properties.spec = { properties: { x: { type: 'string' } } }),
      ['spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields'],
    ],
    [
      'two storage versions',
      (s) => s.versions.push({ ...s.versions[0], name: 'v2' }),
      ['spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{...}: must have exactly one version marked as storage version'],
    ],
  ];
  for (const [name, edit, want] of cases) {
    it(name, () => assert.deepEqual(errors(crd(edit)), want));
  }

  it('group and scope are immutable', () => {
    const old = crd();
    old.metadata.resourceVersion = '1';
    const changed = crd((s) => (s.scope = 'Cluster'));
    changed.metadata.resourceVersion = '1';
    assert.deepEqual(
      validateCustomResourceDefinitionUpdate(changed, old).map((c) => `${c.field}: ${c.message}`),
      ['spec.scope: Invalid value: "Cluster": field is immutable'],
    );
  });
});
