import { test } from '@jest/globals';
import { EXAMPLES_DIR } from '../../support/examples.js';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { unknownFieldsMessage, validateObject } from '../../../api/schema/validate.js';

const EXAMPLES = EXAMPLES_DIR + '/';

function manifests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...manifests(p));
    else if (/\.(ya?ml|json)$/.test(name)) out.push(p);
  }
  return out;
}

function gv(apiVersion: string): [string, string] {
  const i = apiVersion.indexOf('/');
  return i < 0 ? ['', apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
}

test('every example manifest validates clean in Strict mode', () => {
  const files = manifests(EXAMPLES);
  assert.ok(files.length > 10, `found ${files.length} example files under ${EXAMPLES}`);
  let docs = 0;
  for (const f of files) {
    for (const doc of parseAllDocuments(readFileSync(f, 'utf8'))) {
      const obj = doc.toJS() as { apiVersion?: string; kind?: string } | null;
      if (!obj || !obj.apiVersion || !obj.kind) continue;
      const [group, version] = gv(obj.apiVersion);
      const r = validateObject(group, version, obj.kind, obj, { unknownFields: 'Strict' });
      assert.deepEqual(r, { causes: [], unknownFields: [] }, `${f} ${obj.kind}`);
      docs++;
    }
  }
  assert.ok(docs > 20);
});

function deployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' }, creationTimestamp: null },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', resources: { limits: { cpu: 1, memory: '128Mi' } } }] },
      },
    },
    status: {},
  };
}

test('a valid object with nulls, int-or-string and numeric quantities has no causes', () => {
  assert.deepEqual(validateObject('apps', 'v1', 'Deployment', deployment(), { unknownFields: 'Strict' }), { causes: [], unknownFields: [] });
});

test('unknown fields are reported with their full path', () => {
  const d = deployment() as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } } & Record<string, unknown>;
  d.spec.template.spec.containers[0].imagee = 'nginx';
  (d.spec as Record<string, unknown>).foo = 1;
  (d.metadata as Record<string, unknown>).lables = {};
  const r = validateObject('apps', 'v1', 'Deployment', d, { unknownFields: 'Strict' });
  assert.deepEqual(r.causes, []);
  assert.deepEqual(r.unknownFields.sort(), ['metadata.lables', 'spec.foo', 'spec.template.spec.containers[0].imagee']);
  assert.equal(unknownFieldsMessage(['spec.foo']), 'strict decoding error: unknown field "spec.foo"');
  assert.deepEqual(validateObject('apps', 'v1', 'Deployment', d, { unknownFields: 'Warn' }).unknownFields.length, 3);
  assert.deepEqual(validateObject('apps', 'v1', 'Deployment', d, { unknownFields: 'Ignore' }).unknownFields, []);
});

test('free-form fields accept anything', () => {
  const rev = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: 1, data: { spec: { anything: [1, 'x'] } } };
  assert.deepEqual(validateObject('apps', 'v1', 'ControllerRevision', rev, { unknownFields: 'Strict' }), { causes: [], unknownFields: [] });
});

test('a type error is a 422-style cause with the field path', () => {
  const d = deployment() as { spec: Record<string, unknown> };
  d.spec.replicas = 'three';
  const r = validateObject('apps', 'v1', 'Deployment', d, { unknownFields: 'Strict' });
  assert.deepEqual(r.causes, [
    {
      reason: 'FieldValueTypeInvalid',
      message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      field: 'spec.replicas',
    },
  ]);
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', ports: [{ containerPort: 1.5 }] }] } };
  const r2 = validateObject('', 'v1', 'Pod', pod, { unknownFields: 'Strict' });
  assert.equal(r2.causes[0]?.field, 'spec.containers[0].ports[0].containerPort');
  assert.match(r2.causes[0]?.message ?? '', /must be of type integer: "number"/);
});

test('a missing required field is FieldValueRequired', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ image: 'nginx' }] } };
  const r = validateObject('', 'v1', 'Pod', pod, { unknownFields: 'Strict' });
  assert.deepEqual(r.causes, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].name' }]);
});

test('validating a pod takes well under a millisecond once compiled', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labels: { a: 'b' } },
    spec: { containers: [{ name: 'a', image: 'nginx', ports: [{ containerPort: 80 }], env: [{ name: 'X', value: 'y' }] }] },
  };
  validateObject('', 'v1', 'Pod', pod, { unknownFields: 'Strict' });
  const n = 2000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) validateObject('', 'v1', 'Pod', pod, { unknownFields: 'Strict' });
  const perCallMs = Number(process.hrtime.bigint() - start) / 1e6 / n;
  assert.ok(perCallMs < 0.5, `${perCallMs} ms per pod`);
});
