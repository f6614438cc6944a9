// Structural schemas of custom resources: validation with kube-openapi's messages,
// pruning, defaulting, and the structural checks on a CRD.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { StructuralSchema, structuralErrors } from '../../../api/apiextensions/v1/structural.js';
import type { JSONSchemaProps } from '../../../api/apiextensions/v1/types.js';

const SCHEMA: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 2, maxLength: 5, pattern: '^[a-z]+$' },
        replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
        ratio: { type: 'number', exclusiveMinimum: true, minimum: 0, multipleOf: 0.5 },
        mode: { type: 'string', enum: ['a', 'b'] },
        maybe: { type: 'string', nullable: true },
        port: { 'x-kubernetes-int-or-string': true },
        when: { type: 'string', format: 'date-time' },
        tags: { type: 'array', maxItems: 2, minItems: 1, items: { type: 'string' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { spec: { type: 'object', properties: { a: { type: 'string', default: 'x' } } } },
        },
        choice: { type: 'object', properties: { x: { type: 'string' }, y: { type: 'string' } }, oneOf: [{ required: ['x'] }, { required: ['y'] }] },
        notB: { type: 'string', not: { enum: ['b'] } },
        either: { type: 'string', anyOf: [{ pattern: '^a' }, { pattern: 'z$' }] },
        nested: { type: 'object', properties: { deep: { type: 'object', default: {}, properties: { v: { type: 'integer', default: 7 } } } } },
        items: { type: 'array', items: { type: 'object', properties: { n: { type: 'string', default: 'n' } } } },
      },
    },
  },
};

function check(spec: Record<string, unknown>): string[] {
  const s = new StructuralSchema(SCHEMA);
  const obj = { apiVersion: 'g/v1', kind: 'K', metadata: { name: 'x' }, spec: { name: 'ok', ...spec } };
  return s.validate(obj, true).causes.map((c) => `${c.field}: ${c.message}`);
}

describe('StructuralSchema.validate', () => {
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['valid', { replicas: 3, mode: 'a', maybe: null, port: 80, when: '2024-01-02T03:04:05Z', tags: ['x'], labels: { a: 'b' }, ratio: 1.5 }, []],
    ['int-or-string takes a string', { port: 'http' }, []],
    ['type', { replicas: 'string' }, ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']],
    ['type of a number', { replicas: 1.5 }, ['spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"']],
    ['int-or-string', { port: true }, ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"']],
    ['null where not nullable', { mode: null }, ['spec.mode: Invalid value: "null": spec.mode in body must be of type string: "null"']],
    ['required', { name: undefined }, ['spec.name: Required value']],
    ['enum', { mode: 'c' }, ['spec.mode: Unsupported value: "c": supported values: "a", "b"']],
    ['pattern', { name: 'AB' }, ['spec.name: Invalid value: "AB": spec.name in body should match \'^[a-z]+$\'']],
    ['minLength', { name: 'a' }, ['spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long']],
    ['maxLength', { name: 'abcdef' }, ['spec.name: Too long: may not be more than 5 bytes']],
    ['minimum', { replicas: 0 }, ['spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1']],
    ['maximum', { replicas: 11 }, ['spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10']],
    ['exclusive minimum', { ratio: 0 }, ['spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0']],
    ['multipleOf', { ratio: 0.7 }, ['spec.ratio: Invalid value: 0.7: spec.ratio in body should be a multiple of 0.5']],
    ['maxItems', { tags: ['a', 'b', 'c'] }, ['spec.tags: Too many: 3: must have at most 2 items']],
    ['minItems', { tags: [] }, ['spec.tags: Invalid value: []interface {}{}: spec.tags in body should have at least 1 items']],
    ['item type', { tags: ['a', 1] }, ['spec.tags[1]: Invalid value: "integer": spec.tags[1] in body must be of type string: "integer"']],
    ['map value type', { labels: { a: 1 } }, ['spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"']],
    ['format', { when: 'yesterday' }, ['spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"']],
    [
      'oneOf',
      { choice: { x: 'a', y: 'b' } },
      ['spec.choice: Invalid value: map[string]interface {}{"x":"a", "y":"b"}: spec.choice in body must validate one and only one schema (oneOf)'],
    ],
    ['not', { notB: 'b' }, ['spec.notB: Invalid value: "b": spec.notB in body must not validate the schema (not)']],
    ['anyOf', { either: 'mmm' }, ['spec.either: Invalid value: "mmm": spec.either in body must validate at least one schema (anyOf)']],
    [
      'embedded resource needs apiVersion and kind',
      { template: { spec: {} } },
      ['spec.template.apiVersion: Required value', 'spec.template.kind: Required value'],
    ],
  ];
  for (const [name, spec, want] of cases) {
    it(name, () => assert.deepEqual(check(spec).sort(), [...want].sort()));
  }
});

describe('pruning and defaulting', () => {
  it('prunes unknown fields, keeps preserved ones and embedded metadata, reports the paths', () => {
    const s = new StructuralSchema(SCHEMA);
    const obj = {
      apiVersion: 'g/v1',
      kind: 'K',
      metadata: { name: 'x' },
      extra: 1,
      spec: {
        name: 'ok',
        bogus: { a: 1 },
        free: { any: { thing: true } },
        template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', uid: 'dropped' }, spec: { a: 'y', b: 'z' } },
        items: [{ n: 'a', m: 1 }],
      },
    };
    const { unknownFields } = s.validate(obj, true);
    assert.deepEqual(unknownFields.sort(), ['extra', 'spec.bogus', 'spec.items[0].m', 'spec.template.spec.b']);
    assert.deepEqual(obj.spec, {
      name: 'ok',
      free: { any: { thing: true } },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { a: 'y' } },
      items: [{ n: 'a' }],
    });
  });

  it('defaults absent fields, nested defaults within defaults, and array items', () => {
    const s = new StructuralSchema(SCHEMA);
    const obj: Record<string, unknown> = { spec: { name: 'ok', items: [{}, { n: 'given' }], nested: {} } };
    s.default(obj);
    assert.deepEqual(obj.spec, { name: 'ok', replicas: 1, items: [{ n: 'n' }, { n: 'given' }], nested: { deep: { v: 7 } } });
  });
});

describe('hostile property names', () => {
  it('__proto__ and constructor are fields like any other', () => {
    // As a CRD arrives on the wire: JSON.parse makes `__proto__` an own property.
    const schema = JSON.parse(
      '{"type":"object","properties":{"spec":{"type":"object","properties":{"__proto__":{"type":"string","default":"p"},"constructor":{"type":"integer"}}}}}',
    ) as JSONSchemaProps;
    const s = new StructuralSchema(schema);
    const obj = JSON.parse('{"spec":{"constructor":"x","other":1}}') as Record<string, Record<string, unknown>>;
    s.default(obj);
    assert.equal(Object.getPrototypeOf(obj.spec), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(obj.spec, '__proto__')?.value, 'p');
    const res = s.validate(obj, true);
    assert.deepEqual(res.unknownFields, ['spec.other']);
    assert.deepEqual(
      res.causes.map((c) => c.field),
      ['spec.constructor'],
    );
  });
});

describe('structuralErrors', () => {
  it('a structural schema has none', () => assert.deepEqual(structuralErrors(SCHEMA, 'spec.versions[0].schema.openAPIV3Schema'), []));
  it('a field without a type, and a root that is no object', () => {
    const errs = structuralErrors({ type: 'string', properties: { spec: { properties: { a: { type: 'string' } } } } }, 'schema');
    assert.deepEqual(errs, [
      { reason: 'FieldValueNotSupported', field: 'schema.type', message: 'Unsupported value: "string": supported values: "object"' },
      { reason: 'FieldValueRequired', field: 'schema.properties[spec].type', message: 'Required value: must not be empty for specified object fields' },
    ]);
  });
});
