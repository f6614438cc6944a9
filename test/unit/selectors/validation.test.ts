import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { validateLabels, validateLabelSelector } from '../../../api/labels/validation.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../../../api/util/validation.js';

const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

test('DNS-1123 label and subdomain messages', () => {
  assert.deepEqual(isDNS1123Label('my-name'), []);
  assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
  assert.deepEqual(isDNS1123Label('My_Name'), [
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
  assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  assert.deepEqual(isDNS1123Subdomain('example.com'), []);
  assert.deepEqual(isDNS1123Subdomain('-bad'), [
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  assert.deepEqual(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
});

test('qualified names (label keys)', () => {
  assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
  assert.deepEqual(isQualifiedName('-app'), [NAME_PART_MSG]);
  assert.deepEqual(isQualifiedName('/name'), ['prefix part must be non-empty']);
  assert.deepEqual(isQualifiedName('a/'), ['name part must be non-empty', NAME_PART_MSG]);
  assert.deepEqual(isQualifiedName('x'.repeat(64)), ['name part must be no more than 63 characters']);
  assert.match(
    isQualifiedName('a/b/c')[0],
    /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/,
  );
  assert.deepEqual(isValidLabelValue(''), []);
  assert.deepEqual(isValidLabelValue('x'.repeat(64)), ['must be no more than 63 characters']);
});

test('validateLabels reports causes against the map path', () => {
  const causes = validateLabels({ ok: 'fine', 'bad key': 'v', k: '-bad-' }, 'metadata.labels');
  assert.deepEqual(causes, [
    { reason: 'FieldValueInvalid', field: 'metadata.labels', message: `Invalid value: "bad key": ${NAME_PART_MSG}` },
    {
      reason: 'FieldValueInvalid',
      field: 'metadata.labels',
      message:
        "Invalid value: \"-bad-\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    },
  ]);
});

test('validateLabelSelector checks operators and their values', () => {
  const causes = validateLabelSelector(
    {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'a', operator: 'In' },
        { key: 'b', operator: 'Exists', values: ['x'] },
        { key: 'c', operator: 'Near', values: ['x'] },
      ],
    },
    'spec.selector',
  );
  assert.deepEqual(causes, [
    {
      reason: 'FieldValueRequired',
      field: 'spec.selector.matchExpressions[0].values',
      message: "Required value: must be specified when `operator` is 'In' or 'NotIn'",
    },
    {
      reason: 'FieldValueForbidden',
      field: 'spec.selector.matchExpressions[1].values',
      message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    },
    { reason: 'FieldValueInvalid', field: 'spec.selector.matchExpressions[2].operator', message: 'Invalid value: "Near": not a valid selector operator' },
  ]);
  assert.deepEqual(validateLabelSelector(undefined, 'spec.selector'), []);
});
