// One ValidatingAdmissionPolicy evaluation (variables, matchConditions,
// validations, messages, audit annotations, failurePolicy, the cost budget), its
// compile errors, and status.typeChecking against the matched kinds' schemas.
import { describe, test } from '@jest/globals';
import assert from 'node:assert/strict';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicySpec } from '../../api/admissionregistration/v1/types.js';
import type { KubeObject } from '../../api/meta/v1/types.js';
import { toCel } from '../../pkg/cel/value.js';
import { compilePolicy, policyCompileErrors } from '../../pkg/registry/admissionregistration/policy/compile.js';
import { typeCheckPolicy } from '../../pkg/registry/admissionregistration/policy/typechecking.js';
import { evaluatePolicy } from '../../pkg/registry/admissionregistration/policy/validator.js';

const deployments = { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'] }] };
const policy = (spec: Partial<ValidatingAdmissionPolicySpec>): ValidatingAdmissionPolicy => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name: 'p.example.com' },
  spec: { matchConstraints: deployments, ...spec },
});
const deployment = (replicas: number, labels: Record<string, string> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels },
  spec: { replicas, template: { spec: { containers: [{ name: 'a', image: 'nginx' }] } } },
});
const activation = (object: unknown) =>
  new Map<string, unknown>([
    ['object', toCel(object)],
    ['oldObject', null],
    ['request', toCel({ operation: 'CREATE', userInfo: { username: 'alice' } })],
    ['namespaceObject', null],
  ]);
const evaluate = (p: ValidatingAdmissionPolicy, object: unknown, param: KubeObject | null = null) =>
  evaluatePolicy(compilePolicy(p), activation(object), param);
const messages = async (p: ValidatingAdmissionPolicy, object: unknown, param: KubeObject | null = null) =>
  (await evaluate(p, object, param)).decisions.map((d) => d.message);

describe('evaluation', () => {
  test('a failed validation gives its message, its messageExpression, or the expression', async () => {
    const p = policy({
      validations: [
        { expression: 'object.spec.replicas <= 5', message: 'too many' },
        { expression: 'object.spec.replicas <= 4', messageExpression: "'replicas: ' + string(object.spec.replicas)" },
        { expression: 'object.spec.replicas <= 3  ' },
        { expression: 'object.spec.replicas <= 2', message: 'static', messageExpression: "''" },
        { expression: 'object.spec.replicas >= 1', message: 'never shown' },
      ],
    });
    assert.deepEqual(await messages(p, deployment(6)), ['too many', 'replicas: 6', 'failed expression: object.spec.replicas <= 3', 'static']);
    assert.deepEqual(await messages(p, deployment(1)), []);
    assert.deepEqual(
      (await evaluate(p, deployment(6))).decisions.map((d) => d.expressionIndex),
      [0, 1, 2, 3],
    );
  });

  test('the reason of a validation is kept; variables see those before them; request is the AdmissionRequest', async () => {
    const p = policy({
      variables: [
        { name: 'replicas', expression: 'object.spec.replicas' },
        { name: 'doubled', expression: 'variables.replicas * 2' },
      ],
      validations: [{ expression: "variables.doubled < 10 || request.userInfo.username == 'admin'", reason: 'Forbidden', message: 'no' }],
    });
    assert.deepEqual((await evaluate(p, deployment(5))).decisions, [{ message: 'no', reason: 'Forbidden', expressionIndex: 0 }]);
    assert.deepEqual((await evaluate(p, deployment(4))).decisions, []);
  });

  test('a variable that fails to evaluate fails the expressions that read it, with its error', async () => {
    const p = policy({
      variables: [
        { name: 'missing', expression: 'object.spec.paused' },
        { name: 'replicas', expression: 'object.spec.replicas' },
      ],
      validations: [{ expression: 'variables.replicas < 3', message: 'fine' }, { expression: 'variables.missing == false' }],
    });
    assert.deepEqual(await messages(p, deployment(5)), [
      'fine',
      'expression \'variables.missing == false\' resulted in error: composited variable "missing" fails to evaluate: No such key: paused',
    ]);
  });

  test('a false matchCondition skips the validations', async () => {
    const p = policy({
      matchConditions: [{ name: 'labelled', expression: "has(object.metadata.labels) && 'check' in object.metadata.labels" }],
      validations: [{ expression: 'false', message: 'checked' }],
    });
    assert.deepEqual(await messages(p, deployment(1)), []);
    assert.deepEqual(await messages(p, deployment(1, { check: 'yes' })), ['checked']);
  });

  test('an evaluation error refuses under failurePolicy Fail and is skipped under Ignore', async () => {
    const spec = { validations: [{ expression: 'object.spec.paused == false', message: 'x' }] };
    assert.deepEqual(await messages(policy({ ...spec, failurePolicy: 'Fail' }), deployment(1)), [
      "expression 'object.spec.paused == false' resulted in error: No such key: paused",
    ]);
    assert.deepEqual(await messages(policy({ ...spec, failurePolicy: 'Ignore' }), deployment(1)), []);
  });

  test('params are the bound object; auditAnnotations are keyed by the policy name', async () => {
    const p = policy({
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      validations: [{ expression: 'object.spec.replicas <= int(params.data.max)', messageExpression: "'over ' + params.data.max" }],
      auditAnnotations: [
        { key: 'replicas', valueExpression: 'string(object.spec.replicas)' },
        { key: 'skipped', valueExpression: 'null' },
      ],
    });
    const param = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'limits' }, data: { max: '3' } };
    const r = await evaluate(p, deployment(4), param);
    assert.deepEqual(
      r.decisions.map((d) => d.message),
      ['over 3'],
    );
    assert.deepEqual(r.annotations, [['p.example.com/replicas', '4']]);
  });

  test('running out of the cost budget stops the evaluation with upstream message', async () => {
    const p = policy({
      validations: [
        { expression: 'object.items.all(a, object.items.all(b, object.items.all(c, a + b + c != "")))' },
        { expression: 'false', message: 'not reached' },
      ],
    });
    const big = { items: Array.from({ length: 400 }, (_, i) => `item-${i}`) };
    assert.deepEqual(await messages(p, big), ['validation failed due to running out of cost budget, no further validation rules will be run']);
  });
});

describe('compile errors', () => {
  test('each expression that does not compile is a cause at its field, with the compiler message', async () => {
    const causes = policyCompileErrors(
      policy({
        validations: [{ expression: 'object.spec.replicas >', messageExpression: '1' }],
        variables: [{ name: 'v', expression: 'nothing' }],
        matchConditions: [{ name: 'm', expression: "'not a bool'" }],
        auditAnnotations: [{ key: 'k', valueExpression: 'params.x' }],
      }),
    );
    assert.deepEqual(
      causes.map((c) => [c.field, c.message.replace(/^Invalid value: "[^"]*": /, '')]),
      [
        ['spec.validations[0].expression', 'compilation failed: ERROR: <input>:1:23: Unexpected token: EOF'],
        ['spec.validations[0].messageExpression', 'compilation failed: must evaluate to string but got int'],
        ['spec.variables[0].expression', "compilation failed: ERROR: <input>:1:1: undeclared reference to 'nothing' (in container '')"],
        ['spec.auditAnnotations[0].valueExpression', "compilation failed: ERROR: <input>:1:1: undeclared reference to 'params' (in container '')"],
        ['spec.matchConditions[0].expression', 'compilation failed: must evaluate to bool but got string'],
      ],
    );
  });
});

describe('typeChecking', () => {
  test('fields the matched kind lacks are warned about, inside comprehensions too', async () => {
    const warnings = typeCheckPolicy(
      policy({
        validations: [
          { expression: 'object.spec.replicas > 1' },
          { expression: "object.spec.template.spec.containers.all(c, c.imagez != '')" },
          { expression: "object.metadata.labels['x'] == 'y'" },
        ],
      }),
    );
    assert.deepEqual(warnings, [
      { fieldRef: 'spec.validations[1].expression', warning: "apps/v1, Kind=Deployment: ERROR: <input>:1:46: undefined field 'imagez'" },
    ]);
  });

  test('params are checked against a built-in paramKind', async () => {
    const warnings = typeCheckPolicy(
      policy({
        paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
        validations: [{ expression: 'object.spec.replicas <= int(params.data.max)' }, { expression: 'params.spec.max > 1' }],
      }),
    );
    assert.deepEqual(warnings, [
      { fieldRef: 'spec.validations[1].expression', warning: "apps/v1, Kind=Deployment: ERROR: <input>:1:7: undefined field 'spec'" },
    ]);
  });

  test('a policy whose rules name no concrete kind is not checked', async () => {
    const p = policy({
      matchConstraints: { resourceRules: [{ apiGroups: ['*'], apiVersions: ['*'], operations: ['*'], resources: ['*'] }] },
      validations: [{ expression: 'object.nothing.at.all' }],
    });
    assert.deepEqual(typeCheckPolicy(p), []);
  });
});
