// x-kubernetes-validations: the CEL rules of a CRD schema, each case valid or invalid
// with upstream's exact cause (apiextensions-apiserver's schema/cel validation and the
// CRD's own validation), through the custom resource strategy the store runs.
import { describe, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { CustomResourceDefinition, JSONSchemaProps } from '../../../api/apiextensions/v1/types.js';
import type { StatusCause } from '../../../api/meta/v1/status.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { customResourceStrategy } from '../../../pkg/registry/apiextensions/customresource/strategy.js';
import { validateCustomResourceDefinitionRules } from '../../../pkg/registry/apiextensions/cel/crdvalidation.js';
import { validFieldPath } from '../../../pkg/registry/apiextensions/cel/fieldpath.js';

const SPEC: JSONSchemaProps = {
  type: 'object',
  properties: {
    cronSpec: {
      type: 'string',
      maxLength: 64,
      'x-kubernetes-validations': [
        { rule: "self.matches('^(\\\\d+|\\\\*)(/\\\\d+)?(\\\\s+(\\\\d+|\\\\*)(/\\\\d+)?){4}$')", message: 'must be a cron schedule' },
      ],
    },
    image: { type: 'string', maxLength: 256, 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'image is immutable' }] },
    replicas: { type: 'integer' },
    minReplicas: { type: 'integer' },
    maxReplicas: { type: 'integer' },
    memory: { type: 'string', maxLength: 32, 'x-kubernetes-validations': [{ rule: "quantity(self).compareTo(quantity('1Gi')) <= 0" }] },
    tags: {
      type: 'array',
      maxItems: 8,
      items: { type: 'string', maxLength: 32 },
      'x-kubernetes-validations': [
        { rule: "self.all(t, t.startsWith('team-') || t.startsWith('env-'))", message: 'tags must start with team- or env-' },
        { rule: "self.exists(t, t.startsWith('team-'))", message: 'a team tag is required' },
        { rule: 'size(self) <= 3', messageExpression: "'at most 3 tags, got ' + string(size(self))" },
      ],
    },
    ports: {
      type: 'array',
      maxItems: 16,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string', maxLength: 15 }, port: { type: 'integer' } },
        'x-kubernetes-validations': [{ rule: 'self.port == oldSelf.port', message: 'port is immutable' }],
      },
    },
  },
  'x-kubernetes-validations': [
    {
      rule: '!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas',
      messageExpression: "'minReplicas (' + string(self.minReplicas) + ') must not exceed maxReplicas (' + string(self.maxReplicas) + ')'",
    },
    { rule: '!has(self.replicas) || self.replicas >= 0', message: 'replicas must not be negative', reason: 'FieldValueForbidden', fieldPath: '.replicas' },
  ],
};

const ROOT: JSONSchemaProps = {
  type: 'object',
  properties: { spec: SPEC },
  'x-kubernetes-validations': [{ rule: "self.metadata.name.startsWith('ct-')", message: 'name must start with ct-' }],
};

function crdWith(schema: JSONSchemaProps): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'crontabs.stable.example.com' },
    spec: {
      group: 'stable.example.com',
      scope: 'Namespaced',
      names: { plural: 'crontabs', kind: 'CronTab' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } }],
    },
  };
}

const crd = crdWith(ROOT);
const strategy = customResourceStrategy(crd, crd.spec.versions[0]);

function cronTab(spec: Record<string, unknown>, name = 'ct-one'): KubeObject {
  return { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name, namespace: 'default' }, spec };
}

const GOOD = { cronSpec: '*/5 * * * *', image: 'nginx', replicas: 1, memory: '512Mi', tags: ['team-a'], ports: [{ name: 'http', port: 80 }] };

function validate(obj: KubeObject, old?: KubeObject): { causes: StatusCause[]; warnings: string[] } {
  const warnings: string[] = [];
  const { causes } = strategy.validateSchema?.(structuredClone(obj), old && structuredClone(old), warnings) ?? { causes: [] };
  return { causes, warnings };
}

const invalid = (field: string, message: string): StatusCause => ({ reason: 'FieldValueInvalid', field, message });

describe('x-kubernetes-validations on custom resources', () => {
  const cases: Array<{ name: string; obj: KubeObject; old?: KubeObject; causes: StatusCause[] }> = [
    { name: 'a valid object', obj: cronTab(GOOD), causes: [] },
    {
      name: 'regex (matches)',
      obj: cronTab({ ...GOOD, cronSpec: 'every minute' }),
      causes: [invalid('spec.cronSpec', 'Invalid value: "string": must be a cron schedule')],
    },
    {
      name: 'quantity comparison, with the default message',
      obj: cronTab({ ...GOOD, memory: '2Gi' }),
      causes: [invalid('spec.memory', `Invalid value: "string": failed rule: quantity(self).compareTo(quantity('1Gi')) <= 0`)],
    },
    {
      name: 'all()',
      obj: cronTab({ ...GOOD, tags: ['team-a', 'blue'] }),
      causes: [invalid('spec.tags', 'Invalid value: "array": tags must start with team- or env-')],
    },
    {
      name: 'exists()',
      obj: cronTab({ ...GOOD, tags: ['env-prod'] }),
      causes: [invalid('spec.tags', 'Invalid value: "array": a team tag is required')],
    },
    {
      name: 'size() with a messageExpression',
      obj: cronTab({ ...GOOD, tags: ['team-a', 'team-b', 'env-a', 'env-b'] }),
      causes: [invalid('spec.tags', 'Invalid value: "array": at most 3 tags, got 4')],
    },
    {
      name: 'has() and a messageExpression',
      obj: cronTab({ ...GOOD, minReplicas: 5, maxReplicas: 2 }),
      causes: [invalid('spec', 'Invalid value: "object": minReplicas (5) must not exceed maxReplicas (2)')],
    },
    { name: 'has(): absent fields pass', obj: cronTab({ ...GOOD, minReplicas: 5 }), causes: [] },
    {
      name: 'reason and fieldPath',
      obj: cronTab({ ...GOOD, replicas: -1 }),
      causes: [{ reason: 'FieldValueForbidden', field: 'spec.replicas', message: 'Forbidden: replicas must not be negative' }],
    },
    {
      name: 'a rule on the resource root',
      obj: cronTab(GOOD, 'one'),
      causes: [invalid('<nil>', 'Invalid value: "object": name must start with ct-')],
    },
    { name: 'oldSelf: a transition rule is not run on create', obj: cronTab({ ...GOOD, image: 'anything' }), causes: [] },
    {
      name: 'oldSelf: immutability',
      obj: cronTab({ ...GOOD, image: 'httpd' }),
      old: cronTab(GOOD),
      causes: [invalid('spec.image', 'Invalid value: "string": image is immutable')],
    },
    { name: 'oldSelf: unchanged passes', obj: cronTab(GOOD), old: cronTab(GOOD), causes: [] },
    {
      name: 'oldSelf: list-map items correlate by key, not position',
      obj: cronTab({
        ...GOOD,
        ports: [
          { name: 'metrics', port: 9090 },
          { name: 'http', port: 8080 },
        ],
      }),
      old: cronTab(GOOD),
      causes: [invalid('spec.ports[1]', 'Invalid value: "object": port is immutable')],
    },
    {
      name: 'a schema error blocks the rules',
      obj: cronTab({ ...GOOD, replicas: 'one', memory: '2Gi' }),
      causes: [
        {
          reason: 'FieldValueTypeInvalid',
          field: 'spec.replicas',
          message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
        },
        invalid(
          '<nil>',
          'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
        ),
      ],
    },
  ];
  it.each(cases)('$name', ({ obj, old, causes }) => {
    expect(validate(obj, old).causes).toEqual(causes);
  });

  it('ratchets: an unchanged invalid value is a warning, a changed one an error', () => {
    const old = cronTab({ ...GOOD, memory: '2Gi' });
    const unchanged = validate(cronTab({ ...GOOD, memory: '2Gi', replicas: 2 }), old);
    assert.deepEqual(unchanged.causes, []);
    assert.deepEqual(unchanged.warnings, [`spec.memory: Invalid value: "string": failed rule: quantity(self).compareTo(quantity('1Gi')) <= 0`]);
    const changed = validate(cronTab({ ...GOOD, memory: '3Gi' }), old);
    assert.equal(changed.causes.length, 1);
  });
});

describe('x-kubernetes-validations when the CRD is written', () => {
  const at = (path: string) => `spec.versions[0].schema.openAPIV3Schema${path}`;
  const withSpec = (props: Record<string, JSONSchemaProps>, rules?: JSONSchemaProps['x-kubernetes-validations']): CustomResourceDefinition =>
    crdWith({ type: 'object', properties: { spec: { type: 'object', properties: props, 'x-kubernetes-validations': rules } } });
  const TOO_COSTLY =
    'exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)';

  it('accepts the CronTab rules', () => {
    assert.deepEqual(validateCustomResourceDefinitionRules(crd), []);
  });

  it('refuses a rule past the per-expression cost limit (an unbounded list of unbounded strings)', () => {
    const rule = 'self.all(x, self.all(y, x == y || !x.contains(y)))';
    const errs = validateCustomResourceDefinitionRules(
      withSpec({ names: { type: 'array', items: { type: 'string' }, 'x-kubernetes-validations': [{ rule }] } }),
    );
    const rulePath = at('.properties[spec].properties[names].x-kubernetes-validations[0].rule');
    assert.deepEqual(errs, [
      { reason: 'FieldValueForbidden', field: rulePath, message: `Forbidden: estimated rule cost ${TOO_COSTLY}` },
      {
        reason: 'FieldValueForbidden',
        field: rulePath,
        message: 'Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema',
      },
      {
        reason: 'FieldValueForbidden',
        field: at(''),
        message: `Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema ${TOO_COSTLY}`,
      },
    ]);
    // The same rule with maxItems and maxLength declared is cheap enough.
    const bounded = withSpec({ names: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 63 }, 'x-kubernetes-validations': [{ rule }] } });
    assert.deepEqual(validateCustomResourceDefinitionRules(bounded), []);
  });

  it('refuses a rule that does not compile', () => {
    const errs = validateCustomResourceDefinitionRules(withSpec({ replicas: { type: 'integer' } }, [{ rule: 'self.replica > 0' }]));
    assert.deepEqual(errs, [
      {
        reason: 'FieldValueInvalid',
        field: at('.properties[spec].x-kubernetes-validations[0].rule'),
        message:
          'Invalid value: apiextensions.ValidationRule{Rule:"self.replica > 0", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: ' +
          "compilation failed: ERROR: <input>:1:5: undefined field 'replica'\n | self.replica > 0\n | ....^",
      },
    ]);
  });

  it('refuses a rule that is not a bool, and a messageExpression that is not a string', () => {
    const errs = validateCustomResourceDefinitionRules(
      withSpec({ replicas: { type: 'integer' } }, [{ rule: 'self.replicas', messageExpression: 'self.replicas' }]),
    );
    assert.deepEqual(
      errs.map((e) => [e.field, e.message?.replace(/^Invalid value: apiextensions.ValidationRule\{.*?\}: /, '')]),
      [[at('.properties[spec].x-kubernetes-validations[0].rule'), 'cel expression must evaluate to a bool']],
    );
    const msg = validateCustomResourceDefinitionRules(
      withSpec({ replicas: { type: 'integer' } }, [{ rule: 'self.replicas > 0', messageExpression: 'self.replicas' }]),
    );
    assert.deepEqual(
      msg.map((e) => [e.field, e.message?.replace(/^Invalid value: apiextensions.ValidationRule\{.*?\}: /, '')]),
      [[at('.properties[spec].x-kubernetes-validations[0].messageExpression'), 'messageExpression must evaluate to a string']],
    );
  });

  it('refuses oldSelf where old values cannot correlate (items of a list that is not list-type=map)', () => {
    const errs = validateCustomResourceDefinitionRules(
      withSpec({ tags: { type: 'array', maxItems: 4, items: { type: 'string', maxLength: 8, 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] } } }),
    );
    assert.deepEqual(errs, [
      {
        reason: 'FieldValueInvalid',
        field: at('.properties[spec].properties[tags].items.x-kubernetes-validations[0].rule'),
        message: `Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within ${at('.properties[spec].properties[tags]')}`,
      },
    ]);
  });

  it('checks reason, message and fieldPath', () => {
    const errs = validateCustomResourceDefinitionRules(
      withSpec({ replicas: { type: 'integer' } }, [
        { rule: 'self.replicas > 0', reason: 'FieldValueTooMany' },
        { rule: 'self.replicas > 0', fieldPath: '.nope' },
        { rule: '' },
      ]),
    );
    assert.deepEqual(
      errs.map((e) => [e.field, e.message]),
      [
        [
          at('.properties[spec].x-kubernetes-validations[0].reason'),
          'Unsupported value: "FieldValueTooMany": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"',
        ],
        [at('.properties[spec].x-kubernetes-validations[1].fieldPath'), 'Invalid value: ".nope": fieldPath must be a valid path'],
        [at('.properties[spec].x-kubernetes-validations[2].rule'), 'Required value: rule is not specified'],
      ],
    );
  });

  it('normalizes field paths', () => {
    const s: JSONSchemaProps = { type: 'object', properties: { a: { type: 'object', additionalProperties: { type: 'string' } } } };
    assert.equal(validFieldPath(".a['x.y']", s), 'a[x.y]');
    assert.equal(validFieldPath('.a.b', s), 'a[b]');
    assert.ok(validFieldPath('.b', s) instanceof Error);
  });
});
