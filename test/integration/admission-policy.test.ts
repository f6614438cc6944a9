// ValidatingAdmissionPolicy and webhook matchConditions against a real apiserver
// through the real kubectl: a policy refusing Deployments with more than 5
// replicas, one reading its limit from a ConfigMap, Warn as a kubectl warning,
// expressions refused at create or reported in status.typeChecking, a binding's
// deletion ending enforcement; and a webhook skipped by its matchCondition.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { newCertificate } from '../../pkg/util/certs.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { parseExposition } from '../support/promtext.js';

const ca = newCertificate({ commonName: 'webhook-ca', usage: 'ca' });
const serving = newCertificate({ commonName: 'webhook', usage: 'server', hosts: ['127.0.0.1'], issuer: ca });
const caBundle = Buffer.from(ca.cert).toString('base64');

const deployment = (name: string, namespace: string, replicas: number) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.14.2' }] } },
    },
  });

const policy = (name: string, spec: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name }, spec });
const binding = (name: string, spec: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name }, spec });
const deployments = { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] };
const inNamespace = (ns: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } });

jest.setTimeout(120_000);
describe('ValidatingAdmissionPolicy', () => {
  let c: TestCluster;
  const apply = (doc: string) => c.kubectl(['apply', '-f', '-'], { input: doc });
  const tryApply = (doc: string) => c.kubectl(['apply', '-f', '-'], { input: doc, allowFail: true });
  /** Policies and bindings take effect once the watch cache has them; a consistent list returns only then. */
  const settle = () => c.kubectl(['get', 'validatingadmissionpolicies,validatingadmissionpolicybindings']);

  beforeAll(async () => {
    // RBAC, so that the authorizer variable has someone to ask (the admin is in system:masters).
    c = await startCluster({ authorizationModes: ['RBAC'] });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('denies a Deployment with more than 5 replicas with its message, and a deleted binding stops enforcing', async () => {
    await c.kubectl(['create', 'namespace', 'vap-deny']);
    await apply(
      policy('max-replicas.example.com', {
        failurePolicy: 'Fail',
        matchConstraints: deployments,
        validations: [{ expression: 'object.spec.replicas <= 5', message: 'replicas must be no greater than 5' }],
      }),
    );
    await apply(
      binding('max-replicas-binding', { policyName: 'max-replicas.example.com', validationActions: ['Deny'], matchResources: inNamespace('vap-deny') }),
    );
    await settle();
    const refused = await tryApply(deployment('big', 'vap-deny', 6));
    assert.notEqual(refused.code, 0);
    // A 422 (the validation's reason defaults to Invalid), which kubectl prints as upstream's documentation shows.
    assert.match(
      refused.stderr,
      /The deployments "big" is invalid: : ValidatingAdmissionPolicy 'max-replicas.example.com' with binding 'max-replicas-binding' denied request: replicas must be no greater than 5/,
    );
    await apply(deployment('small', 'vap-deny', 5));
    // An update is checked too.
    const scaled = await tryApply(deployment('small', 'vap-deny', 9));
    assert.notEqual(scaled.code, 0);
    assert.match(scaled.stderr, /denied request: replicas must be no greater than 5/);
    // Other namespaces are outside the binding.
    await c.kubectl(['create', 'namespace', 'vap-other']);
    await apply(deployment('big', 'vap-other', 8));
    // The columns of kubectl get.
    const shown = (await c.kubectl(['get', 'validatingadmissionpolicies,validatingadmissionpolicybindings'])).stdout;
    assert.match(shown, /NAME\s+VALIDATIONS\s+PARAMKIND\s+AGE/);
    assert.match(shown, /max-replicas.example.com\s+1\s+<unset>\s+\d+s/);
    assert.match(shown, /NAME\s+POLICYNAME\s+PARAMREF\s+AGE/);
    assert.match(shown, /max-replicas-binding\s+max-replicas.example.com\s+<unset>/);

    // Each evaluation is counted in /metrics, by policy, binding and the action taken.
    const metrics = parseExposition((await c.kubectl(['get', '--raw', '/metrics'])).stdout);
    const checks = (action: string) =>
      metrics.value('apiserver_validating_admission_policy_check_total', {
        policy: 'max-replicas.example.com',
        policy_binding: 'max-replicas-binding',
        error_type: 'no_error',
        enforcement_action: action,
      });
    // big, and small's update to 9 replicas (kubectl sends that refused patch more than once).
    assert.ok(checks('deny') >= 2, String(checks('deny')));
    assert.equal(checks('allow'), 1); // small
    const explained = (await c.kubectl(['explain', 'validatingadmissionpolicy.spec.validations.messageExpression'])).stdout;
    assert.match(explained, /KIND:\s+ValidatingAdmissionPolicy/);
    assert.match(explained, /messageExpression declares a CEL expression/);

    await c.kubectl(['delete', 'validatingadmissionpolicybinding', 'max-replicas-binding']);
    await settle();
    await apply(deployment('big', 'vap-deny', 6));
    await c.kubectl(['delete', 'validatingadmissionpolicy', 'max-replicas.example.com']);
  });

  it('a parameterised policy reads its limit from a ConfigMap named by paramRef, with messageExpression', async () => {
    await c.kubectl(['create', 'namespace', 'vap-params']);
    await c.kubectl(['create', 'configmap', 'limits', '-n', 'vap-params', '--from-literal=maxReplicas=3']);
    await apply(
      policy('param-replicas.example.com', {
        paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
        matchConstraints: deployments,
        variables: [{ name: 'limit', expression: 'int(params.data.maxReplicas)' }],
        validations: [
          {
            expression: 'object.spec.replicas <= variables.limit',
            messageExpression: "'replicas ' + string(object.spec.replicas) + ' exceed the limit of ' + string(variables.limit)",
            reason: 'Forbidden',
          },
        ],
      }),
    );
    await apply(
      binding('param-replicas-binding', {
        policyName: 'param-replicas.example.com',
        validationActions: ['Deny'],
        paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' },
        matchResources: inNamespace('vap-params'),
      }),
    );
    await settle();
    const refused = await tryApply(deployment('four', 'vap-params', 4));
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /ValidatingAdmissionPolicy 'param-replicas.example.com' with binding 'param-replicas-binding' denied request: replicas 4 exceed the limit of 3/,
    );
    await apply(deployment('three', 'vap-params', 3));
    // The param is read again on each request: raising the limit admits it.
    await c
      .kubectl(['create', 'configmap', 'limits', '-n', 'vap-params', '--from-literal=maxReplicas=4', '--dry-run=client', '-o', 'yaml'], {})
      .then((r) => apply(r.stdout));
    await c.kubectl(['get', 'configmaps', '-n', 'vap-params']);
    await apply(deployment('four', 'vap-params', 4));
    // Without its param, parameterNotFoundAction Deny refuses.
    await c.kubectl(['delete', 'configmap', 'limits', '-n', 'vap-params']);
    await c.kubectl(['get', 'configmaps', '-n', 'vap-params']);
    const noParam = await tryApply(deployment('one', 'vap-params', 1));
    assert.notEqual(noParam.code, 0);
    assert.match(noParam.stderr, /denied request: no params found for policy binding with `Deny` parameterNotFoundAction/);
    await c.kubectl(['delete', 'validatingadmissionpolicybinding', 'param-replicas-binding']);
  });

  it('Warn shows a kubectl warning and admits', async () => {
    await c.kubectl(['create', 'namespace', 'vap-warn']);
    await apply(
      policy('warn-replicas.example.com', {
        matchConstraints: deployments,
        validations: [{ expression: 'object.spec.replicas <= 2', message: 'more than 2 replicas' }],
      }),
    );
    await apply(
      binding('warn-replicas-binding', { policyName: 'warn-replicas.example.com', validationActions: ['Warn'], matchResources: inNamespace('vap-warn') }),
    );
    await settle();
    const admitted = await apply(deployment('warned', 'vap-warn', 3));
    assert.match(
      admitted.stderr,
      /Warning: Validation failed for ValidatingAdmissionPolicy 'warn-replicas.example.com' with binding 'warn-replicas-binding': more than 2 replicas/,
    );
    assert.match(admitted.stdout, /deployment.apps\/warned created/);
    const quiet = await apply(deployment('quiet', 'vap-warn', 1));
    assert.doesNotMatch(quiet.stderr, /Warning/);
  });

  it('the authorizer variable asks RBAC about the request user', async () => {
    await c.kubectl(['create', 'namespace', 'vap-authz']);
    await apply(
      policy('scale-beyond.example.com', {
        matchConstraints: deployments,
        validations: [
          {
            expression:
              "object.spec.replicas <= 5 || authorizer.group('apps').resource('deployments').namespace(object.metadata.namespace).check('scale-beyond').allowed()",
            message: "more than 5 replicas need the verb 'scale-beyond'",
          },
        ],
      }),
    );
    await apply(
      binding('scale-beyond-binding', { policyName: 'scale-beyond.example.com', validationActions: ['Deny'], matchResources: inNamespace('vap-authz') }),
    );
    await c.kubectl(['create', 'role', 'deployer', '-n', 'vap-authz', '--verb=get,list,create,patch', '--resource=deployments.apps']);
    await c.kubectl(['create', 'rolebinding', 'jane-deployer', '-n', 'vap-authz', '--role=deployer', '--user=jane']);
    await settle();
    const refused = await c.kubectl(['apply', '--as=jane', '-f', '-'], { input: deployment('janes', 'vap-authz', 7), allowFail: true });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /denied request: more than 5 replicas need the verb 'scale-beyond'/);
    await c.kubectl(['apply', '--as=jane', '-f', '-'], { input: deployment('janes', 'vap-authz', 3) });
    // The admin (system:masters) may do anything, scale-beyond included.
    await apply(deployment('admins', 'vap-authz', 7));
    await c.kubectl(['delete', 'validatingadmissionpolicybinding', 'scale-beyond-binding']);
  });

  it('validates custom resources, with a custom kind as params', async () => {
    const crd = (kind: string, plural: string, properties: Record<string, unknown>) => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.policy.example.com` },
      spec: {
        group: 'policy.example.com',
        scope: 'Namespaced',
        names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties } } } },
          },
        ],
      },
    });
    await apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [crd('Widget', 'widgets', { size: { type: 'integer' } }), crd('SizeLimit', 'sizelimits', { max: { type: 'integer' } })],
      }),
    );
    await c.kubectl(['wait', '--for=condition=established', 'crd/widgets.policy.example.com', 'crd/sizelimits.policy.example.com']);
    await c.kubectl(['create', 'namespace', 'vap-crd']);
    const widget = (name: string, size: number) =>
      JSON.stringify({ apiVersion: 'policy.example.com/v1', kind: 'Widget', metadata: { name, namespace: 'vap-crd' }, spec: { size } });
    await apply(
      JSON.stringify({ apiVersion: 'policy.example.com/v1', kind: 'SizeLimit', metadata: { name: 'limit', namespace: 'vap-crd' }, spec: { max: 10 } }),
    );
    await apply(
      policy('widget-size.example.com', {
        paramKind: { apiVersion: 'policy.example.com/v1', kind: 'SizeLimit' },
        matchConstraints: {
          resourceRules: [{ apiGroups: ['policy.example.com'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['widgets'] }],
        },
        validations: [{ expression: 'object.spec.size <= params.spec.max', messageExpression: "'size must be at most ' + string(params.spec.max)" }],
      }),
    );
    await apply(
      binding('widget-size-binding', {
        policyName: 'widget-size.example.com',
        validationActions: ['Deny'],
        paramRef: { name: 'limit', parameterNotFoundAction: 'Deny' },
      }),
    );
    await settle();
    const refused = await tryApply(widget('big', 11));
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /ValidatingAdmissionPolicy 'widget-size.example.com' with binding 'widget-size-binding' denied request: size must be at most 10/,
    );
    await apply(widget('small', 10));
    await c.kubectl(['delete', 'validatingadmissionpolicybinding', 'widget-size-binding']);
  });

  it('refuses a policy whose expression does not compile, and reports a field its kind lacks in status.typeChecking', async () => {
    const bad = await tryApply(
      policy('bad.example.com', { matchConstraints: deployments, validations: [{ expression: 'object.spec.replicas <=' }, { expression: 'nope == 1' }] }),
    );
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /The ValidatingAdmissionPolicy "bad.example.com" is invalid/);
    assert.match(bad.stderr, /spec.validations\[0\].expression: Invalid value: "object.spec.replicas <=": compilation failed: ERROR: <input>:1:24:/);
    assert.match(
      bad.stderr,
      /spec.validations\[1\].expression: Invalid value: "nope == 1": compilation failed: ERROR: <input>:1:1: undeclared reference to 'nope'/,
    );
    const noParams = await tryApply(policy('noparams.example.com', { matchConstraints: deployments, validations: [{ expression: 'params.x == 1' }] }));
    assert.match(noParams.stderr, /undeclared reference to 'params'/);

    await apply(policy('typo.example.com', { matchConstraints: deployments, validations: [{ expression: 'object.spec.replicaz > 1' }] }));
    const status = JSON.parse((await c.kubectl(['get', 'validatingadmissionpolicy', 'typo.example.com', '-o', 'json'])).stdout) as {
      status: { observedGeneration: number; typeChecking: { expressionWarnings?: Array<{ fieldRef: string; warning: string }> } };
    };
    assert.equal(status.status.observedGeneration, 1);
    assert.deepEqual(status.status.typeChecking.expressionWarnings, [
      { fieldRef: 'spec.validations[0].expression', warning: "apps/v1, Kind=Deployment: ERROR: <input>:1:12: undefined field 'replicaz'" },
    ]);
    await apply(policy('typo.example.com', { matchConstraints: deployments, validations: [{ expression: 'object.spec.replicas > 1' }] }));
    const fixed = JSON.parse((await c.kubectl(['get', 'validatingadmissionpolicy', 'typo.example.com', '-o', 'json'])).stdout) as {
      metadata: { generation: number };
      status: { observedGeneration: number; typeChecking: Record<string, unknown> };
    };
    assert.equal(fixed.metadata.generation, 2);
    assert.equal(fixed.status.observedGeneration, 2);
    assert.deepEqual(fixed.status.typeChecking, {});
    const noActions = await tryApply(binding('b', { policyName: 'typo.example.com', validationActions: ['Deny', 'Warn'] }));
    assert.match(noActions.stderr, /spec.validationActions: Invalid value: .*must not contain both Deny and Warn/);
  });
});

describe('webhook matchConditions', () => {
  let c: TestCluster;
  let server: Server;
  let port: number;
  const seen: string[] = [];

  beforeAll(async () => {
    c = await startCluster();
    server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        const review = JSON.parse(Buffer.concat(chunks).toString()) as { request: { uid: string; name?: string } };
        seen.push(review.request.name ?? '');
        res.setHeader('content-type', 'application/json');
        const response = { uid: review.request.uid, allowed: false, status: { message: 'checked and refused' } };
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    server?.close();
    await c?.stop();
  });

  const configuration = (matchConditions: unknown[], failurePolicy = 'Fail') =>
    JSON.stringify({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'conditional' },
      webhooks: [
        {
          name: 'conditional.example.com',
          clientConfig: { caBundle, url: `https://127.0.0.1:${port}/` },
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'conditions' } },
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
          failurePolicy,
          matchConditions,
        },
      ],
    });
  const settle = () => c.kubectl(['get', 'validatingwebhookconfigurations']);

  it('calls the webhook only when every condition holds; an error follows failurePolicy; a bad expression is a 422', async () => {
    await c.kubectl(['create', 'namespace', 'conditions']);
    await c.kubectl(['apply', '-f', '-'], {
      input: configuration([
        { name: 'checked-only', expression: "object.metadata.name.startsWith('checked-')" },
        { name: 'not-admin-exempt', expression: "!('exempt' in object.data)" },
      ]),
    });
    await settle();
    await c.kubectl(['create', 'configmap', 'free', '-n', 'conditions']);
    await c.kubectl(['create', 'configmap', 'checked-exempt', '-n', 'conditions', '--from-literal=exempt=1']);
    assert.deepEqual(seen, []);
    const refused = await c.kubectl(['create', 'configmap', 'checked-1', '-n', 'conditions', '--from-literal=a=b'], { allowFail: true });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /admission webhook "conditional.example.com" denied the request: checked and refused/);
    assert.deepEqual(seen, ['checked-1']);

    // object.data is absent on a ConfigMap without data: the condition fails to evaluate.
    const failed = await c.kubectl(['create', 'configmap', 'checked-2', '-n', 'conditions'], { allowFail: true });
    assert.match(
      failed.stderr,
      /Internal error occurred: failed calling webhook "conditional.example.com": failed evaluating match conditions: expression '!\('exempt' in object.data\)' resulted in error: /,
    );
    await c.kubectl(['apply', '-f', '-'], { input: configuration([{ name: 'data', expression: "!('exempt' in object.data)" }], 'Ignore') });
    await settle();
    await c.kubectl(['create', 'configmap', 'checked-3', '-n', 'conditions']);
    assert.deepEqual(seen, ['checked-1']);

    const bad = await c.kubectl(['apply', '-f', '-'], { input: configuration([{ name: 'bad', expression: 'object.metadata.name ==' }]), allowFail: true });
    assert.notEqual(bad.code, 0);
    assert.match(
      bad.stderr,
      /webhooks\[0\].matchConditions\[0\].expression: Invalid value: "object.metadata.name ==": compilation failed: ERROR: <input>:1:24:/,
    );
    const notBool = await c.kubectl(['apply', '-f', '-'], { input: configuration([{ name: 'str', expression: "'yes'" }]), allowFail: true });
    assert.match(notBool.stderr, /must evaluate to bool/);
  });
});
