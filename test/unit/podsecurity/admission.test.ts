// PodSecurity admission's decisions: refusals on enforce, warnings, audit annotations,
// controllers' templates, which pod updates are evaluated, namespace label changes,
// and exemptions; then the registry plugin's handing of them to the request.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { Namespace, Pod, PodSpec } from '../../../api/core/v1/types.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { StatusError, newNotFound } from '../../../api/meta/v1/status.js';
import { DEFAULT_CONFIGURATION, PodSecurityAdmission, type Attributes } from '../../../pkg/podsecurity/admission.js';
import { PodSecurityPlugin } from '../../../pkg/registry/podsecurity/admission.js';
import type { RequestContext } from '../../../pkg/registry/store.js';
import type { ResourceInfo } from '../../../api/resourceinfo.js';

const ns = (name: string, labels?: Record<string, string>): Namespace => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels }, spec: {} });

const privilegedSpec: PodSpec = { containers: [{ name: 'x', image: 'nginx', securityContext: { privileged: true } }] };
const restrictedSpec: PodSpec = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'x', image: 'nginx', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
};
const pod = (name: string, spec: PodSpec, extra: Partial<Pod['metadata']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', ...extra },
  spec,
});

function admission(labels: Record<string, string> | undefined, pods: Pod[] = [], config = DEFAULT_CONFIGURATION): PodSecurityAdmission {
  return new PodSecurityAdmission(
    async (name) => {
      if (name !== 'ns') throw newNotFound({ group: '', resource: 'namespaces', name });
      return ns('ns', labels);
    },
    async () => pods,
    config,
  );
}

const podAttrs = (obj: Pod, extra: Partial<Attributes> = {}): Attributes => ({
  group: '',
  resource: 'pods',
  operation: 'CREATE',
  namespace: 'ns',
  name: obj.metadata.name ?? '',
  object: obj,
  ...extra,
});

const RESTRICTED_VIOLATIONS =
  'privileged (container "x" must not set securityContext.privileged=true), ' +
  'allowPrivilegeEscalation != false (container "x" must set securityContext.allowPrivilegeEscalation=false), ' +
  'unrestricted capabilities (container "x" must set securityContext.capabilities.drop=["ALL"]), ' +
  'runAsNonRoot != true (pod or container "x" must set securityContext.runAsNonRoot=true), ' +
  'seccompProfile (pod or container "x" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

describe('pods', () => {
  it('refuses a pod that breaks the enforce level with 403 and upstream message', async () => {
    const r = await admission({ 'pod-security.kubernetes.io/enforce': 'restricted' }).validate(podAttrs(pod('p', privilegedSpec)));
    assert.ok(r.error instanceof StatusError);
    assert.equal(r.error.code, 403);
    assert.equal(r.error.reason, 'Forbidden');
    assert.equal(r.error.message, `pods "p" is forbidden: violates PodSecurity "restricted:latest": ${RESTRICTED_VIOLATIONS}`);
    // Refused: no warning on top (warn was raised to restricted too).
    assert.deepEqual(r.warnings, []);
    assert.equal(r.auditAnnotations.get('enforce-policy'), 'restricted:latest');
  });

  it('admits a pod that meets the level', async () => {
    const r = await admission({ 'pod-security.kubernetes.io/enforce': 'restricted' }).validate(podAttrs(pod('p', restrictedSpec)));
    assert.equal(r.error, undefined);
    assert.deepEqual(r.warnings, []);
  });

  it('warns and audits without refusing', async () => {
    const r = await admission({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/enforce-version': 'v1.30',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    }).validate(podAttrs(pod('p', { ...restrictedSpec, securityContext: { seccompProfile: { type: 'RuntimeDefault' } } })));
    assert.equal(r.error, undefined);
    const violation = 'runAsNonRoot != true (pod or container "x" must set securityContext.runAsNonRoot=true)';
    assert.deepEqual(r.warnings, [`would violate PodSecurity "restricted:latest": ${violation}`]);
    assert.equal(r.auditAnnotations.get('audit-violations'), `would violate PodSecurity "restricted:latest": ${violation}`);
    assert.equal(r.auditAnnotations.get('enforce-policy'), 'baseline:v1.30');
  });

  it('refuses hostNetwork under baseline', async () => {
    const r = await admission({ 'pod-security.kubernetes.io/enforce': 'baseline' }).validate(podAttrs(pod('web', { ...restrictedSpec, hostNetwork: true })));
    assert.equal(r.error?.message, 'pods "web" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)');
  });

  it('admits anything in a namespace without labels, and evaluates nothing', async () => {
    const r = await admission(undefined).validate(podAttrs(pod('p', privilegedSpec)));
    assert.deepEqual(r, { warnings: [], auditAnnotations: new Map([['enforce-policy', 'privileged:latest']]) });
  });

  it('enforces restricted when the enforce label is invalid, and says so in the audit annotations', async () => {
    const r = await admission({ 'pod-security.kubernetes.io/enforce': 'strict' }).validate(podAttrs(pod('p', privilegedSpec)));
    assert.match(r.error?.message ?? '', /^pods "p" is forbidden: violates PodSecurity "restricted:latest": privileged/);
    assert.equal(
      r.auditAnnotations.get('error'),
      'Failed to parse policy: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
    );
  });

  it('answers 500 when the namespace cannot be read', async () => {
    const r = await admission({}).validate(podAttrs(pod('p', privilegedSpec), { namespace: 'gone' }));
    assert.equal(r.error?.code, 500);
  });

  it('evaluates updates only where the spec can have changed what the policy sees', async () => {
    const a = admission({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    const old = pod('p', privilegedSpec);
    const relabelled = pod('p', privilegedSpec, { labels: { a: 'b' } });
    assert.equal((await a.validate(podAttrs(relabelled, { operation: 'UPDATE', oldObject: old }))).error, undefined);
    const newImage = pod('p', { containers: [{ ...privilegedSpec.containers[0], image: 'nginx:2' }] });
    assert.equal((await a.validate(podAttrs(newImage, { operation: 'UPDATE', oldObject: old }))).error?.code, 403);
    const withDebugger = pod('p', { ...restrictedSpec, ephemeralContainers: [{ name: 'debug', image: 'busybox' }] });
    const r = await a.validate(podAttrs(withDebugger, { operation: 'UPDATE', oldObject: pod('p', restrictedSpec), subresource: 'ephemeralcontainers' }));
    assert.match(r.error?.message ?? '', /allowPrivilegeEscalation != false \(container "debug" must set/);
    assert.equal((await a.validate(podAttrs(newImage, { operation: 'UPDATE', oldObject: old, subresource: 'status' }))).error, undefined);
  });
});

describe('pod templates', () => {
  const deployment = (spec: PodSpec): KubeObject =>
    ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'ns' },
      spec: { selector: {}, template: { metadata: {}, spec } },
    }) as KubeObject;
  const cronJob = (spec: PodSpec): KubeObject =>
    ({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c', namespace: 'ns' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec } } } },
    }) as KubeObject;

  it('are warned about and audited, never refused', async () => {
    const a = admission({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    const r = await a.validate({ group: 'apps', resource: 'deployments', operation: 'CREATE', namespace: 'ns', name: 'd', object: deployment(privilegedSpec) });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.warnings, [`would violate PodSecurity "restricted:latest": ${RESTRICTED_VIOLATIONS}`]);
    const c = await a.validate({
      group: 'batch',
      resource: 'cronjobs',
      operation: 'UPDATE',
      namespace: 'ns',
      name: 'c',
      object: cronJob(privilegedSpec),
      oldObject: cronJob(restrictedSpec),
    });
    assert.deepEqual(c.warnings, [`would violate PodSecurity "restricted:latest": ${RESTRICTED_VIOLATIONS}`]);
    const scale = await a.validate({
      group: 'apps',
      resource: 'deployments',
      subresource: 'scale',
      operation: 'UPDATE',
      namespace: 'ns',
      name: 'd',
      object: deployment(privilegedSpec),
    });
    assert.deepEqual(scale.warnings, []);
  });

  it('are not evaluated when warn and audit are privileged', async () => {
    const a = admission({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'privileged' });
    const r = await a.validate({ group: 'apps', resource: 'deployments', operation: 'CREATE', namespace: 'ns', name: 'd', object: deployment(privilegedSpec) });
    assert.deepEqual(r, { warnings: [], auditAnnotations: new Map() });
  });
});

describe('namespaces', () => {
  const nsAttrs = (obj: Namespace, old?: Namespace): Attributes => ({
    group: '',
    resource: 'namespaces',
    operation: old ? 'UPDATE' : 'CREATE',
    namespace: obj.metadata.name ?? '',
    name: obj.metadata.name ?? '',
    object: obj,
    oldObject: old,
  });

  it('refuses invalid labels with 422', async () => {
    const r = await admission(undefined).validate(nsAttrs(ns('ns', { 'pod-security.kubernetes.io/enforce': 'strict' })));
    assert.equal(r.error?.code, 422);
    assert.equal(
      r.error?.message,
      'Namespace "ns" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
    );
  });

  it('lets other changes through when the invalid labels were already there', async () => {
    const bad = { 'pod-security.kubernetes.io/enforce': 'strict' };
    const r = await admission(undefined).validate(nsAttrs(ns('ns', { ...bad, team: 'a' }), ns('ns', bad)));
    assert.equal(r.error, undefined);
  });

  it('warns about the existing pods a tighter enforce level would refuse', async () => {
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true };
    const pods = [
      pod('b-priv', privilegedSpec),
      pod('a-priv', privilegedSpec),
      pod('z-host', { ...restrictedSpec, hostNetwork: true }),
      pod('rs-1', privilegedSpec, { ownerReferences: [owner] }),
      pod('ok', restrictedSpec),
    ];
    const r = await admission(undefined, pods).validate(nsAttrs(ns('ns', { 'pod-security.kubernetes.io/enforce': 'baseline' }), ns('ns')));
    assert.equal(r.error, undefined);
    assert.deepEqual(r.warnings, [
      'existing pods in namespace "ns" violate the new PodSecurity enforce level "baseline:latest"',
      'a-priv (and 2 other pods): privileged',
      'z-host: host namespaces',
    ]);
  });

  it('does not evaluate pods when the level loosens or stays', async () => {
    const pods = [pod('p', privilegedSpec)];
    const restricted = ns('ns', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    const baseline = ns('ns', { 'pod-security.kubernetes.io/enforce': 'baseline' });
    assert.deepEqual((await admission(undefined, pods).validate(nsAttrs(baseline, restricted))).warnings, []);
    assert.deepEqual((await admission(undefined, pods).validate(nsAttrs(restricted, restricted))).warnings, []);
    // A new namespace has no pods to check.
    assert.deepEqual((await admission(undefined, pods).validate(nsAttrs(restricted))).warnings, []);
  });
});

describe('exemptions', () => {
  const config = { ...DEFAULT_CONFIGURATION, exemptions: { usernames: ['admin'], namespaces: ['ns'], runtimeClasses: ['kata'] } };
  const only = (exemptions: Partial<typeof config.exemptions>) => ({
    ...DEFAULT_CONFIGURATION,
    exemptions: { ...DEFAULT_CONFIGURATION.exemptions, ...exemptions },
  });
  const labels = { 'pod-security.kubernetes.io/enforce': 'restricted' };

  it('skips exempt namespaces, users and runtime classes, and says which in the audit annotations', async () => {
    const exempt = (why: string) => ({ warnings: [], auditAnnotations: new Map([['exempt', why]]) });
    const priv = pod('p', privilegedSpec);
    assert.deepEqual(await admission(labels, [], only({ namespaces: ['ns'] })).validate(podAttrs(priv)), exempt('namespace'));
    assert.deepEqual(await admission(labels, [], only({ usernames: ['admin'] })).validate(podAttrs(priv, { userName: 'admin' })), exempt('user'));
    assert.equal((await admission(labels, [], only({ usernames: ['admin'] })).validate(podAttrs(priv, { userName: 'bob' }))).error?.code, 403);
    const kata = pod('p', { ...privilegedSpec, runtimeClassName: 'kata' });
    assert.deepEqual(await admission(labels, [], only({ runtimeClasses: ['kata'] })).validate(podAttrs(kata)), exempt('runtimeClass'));
    assert.equal((await admission(labels, [], only({ runtimeClasses: ['gvisor'] })).validate(podAttrs(kata))).error?.code, 403);
  });

  it('warns that an exempt namespace ignores its labels', async () => {
    const r = await admission(undefined, [], config).validate({
      group: '',
      resource: 'namespaces',
      operation: 'CREATE',
      namespace: 'ns',
      name: 'ns',
      object: ns('ns', { ...labels, 'pod-security.kubernetes.io/audit': 'baseline' }),
    });
    assert.deepEqual(r.warnings, [
      'namespace "ns" is exempt from Pod Security, and the policy (enforce=restricted:latest, audit=baseline:latest) will be ignored',
    ]);
  });
});

describe('registry plugin', () => {
  const info = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true } as ResourceInfo;
  const ctx = (annotations = new Map<string, string>()): RequestContext => ({
    namespace: 'ns',
    dryRun: false,
    fieldValidation: 'Strict',
    warnings: [],
    addAuditAnnotation: (k, v) => annotations.set(k, v),
  });

  it('throws the refusal and records the annotations under pod-security.kubernetes.io/', async () => {
    const plugin = new PodSecurityPlugin(
      admission({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' }),
      info,
    );
    const annotations = new Map<string, string>();
    await assert.rejects(plugin.validateCreate(pod('p', privilegedSpec), ctx(annotations)), (err: unknown) => err instanceof StatusError && err.code === 403);
    assert.deepEqual(
      annotations,
      new Map([
        ['pod-security.kubernetes.io/enforce-policy', 'restricted:latest'],
        ['pod-security.kubernetes.io/audit-violations', `would violate PodSecurity "restricted:latest": ${RESTRICTED_VIOLATIONS}`],
      ]),
    );
  });

  it('passes warnings to the request', async () => {
    const plugin = new PodSecurityPlugin(admission({ 'pod-security.kubernetes.io/warn': 'baseline' }), info);
    const c = ctx();
    await plugin.validateCreate(pod('p', privilegedSpec), c);
    assert.deepEqual(c.warnings, ['would violate PodSecurity "baseline:latest": privileged (container "x" must not set securityContext.privileged=true)']);
  });
});
