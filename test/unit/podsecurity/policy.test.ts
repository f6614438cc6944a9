// The namespace labels' policy (levels, versions, invalid values) and which checks a
// level and version runs, in upstream's order.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { PodSpec } from '../../../api/core/v1/types.js';
import { LATEST, levelVersionString, majorMinor, parseVersion, policyToEvaluate, type LevelVersion } from '../../../pkg/podsecurity/api.js';
import { Evaluator, aggregateCheckResults, forbiddenDetail, forbiddenReason } from '../../../pkg/podsecurity/policy/evaluator.js';

const summary = (p: ReturnType<typeof policyToEvaluate>['policy']) => [levelVersionString(p.enforce), levelVersionString(p.audit), levelVersionString(p.warn)];

describe('policy from namespace labels', () => {
  it('is privileged:latest everywhere without labels', () => {
    const { policy, errors } = policyToEvaluate(undefined);
    assert.deepEqual(summary(policy), ['privileged:latest', 'privileged:latest', 'privileged:latest']);
    assert.deepEqual(errors, []);
  });

  it('raises warn to the enforce level and version when warn has no label of its own', () => {
    const { policy } = policyToEvaluate({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.25' });
    assert.deepEqual(summary(policy), ['baseline:v1.25', 'privileged:latest', 'baseline:v1.25']);
    const own = policyToEvaluate({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'privileged' });
    assert.deepEqual(summary(own.policy), ['baseline:latest', 'privileged:latest', 'privileged:latest']);
    const versioned = policyToEvaluate({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn-version': 'v1.20' });
    assert.deepEqual(summary(versioned.policy), ['restricted:latest', 'privileged:latest', 'restricted:v1.20']);
  });

  it('reads an invalid enforce level as restricted, an invalid audit or warn level as privileged, an invalid version as latest', () => {
    const { policy, errors } = policyToEvaluate({
      'pod-security.kubernetes.io/enforce': 'strict',
      'pod-security.kubernetes.io/audit': 'loud',
      'pod-security.kubernetes.io/warn-version': '1.25',
    });
    assert.deepEqual(summary(policy), ['restricted:latest', 'privileged:latest', 'privileged:latest']);
    assert.deepEqual(
      errors.map((e) => `${e.field}: ${e.message}`),
      [
        'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
        'metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: "loud": must be one of privileged, baseline, restricted',
        'metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "1.25": must be "latest" or "v1.x"',
      ],
    );
  });

  it('parses versions as upstream does', () => {
    assert.deepEqual(parseVersion('latest'), { version: LATEST });
    assert.deepEqual(parseVersion('v1.0'), { version: majorMinor(0) });
    assert.deepEqual(parseVersion('v1.32'), { version: majorMinor(32) });
    for (const bad of ['v1.01', 'v2.0', 'v1', '1.25', 'v1.x', 'v1.99999999999999999999']) assert.ok(parseVersion(bad).error, bad);
  });

  it('ignores labels inherited from the prototype', () => {
    const labels = JSON.parse('{"__proto__": {"pod-security.kubernetes.io/enforce": "restricted"}}') as Record<string, string>;
    assert.deepEqual(summary(policyToEvaluate(labels).policy), ['privileged:latest', 'privileged:latest', 'privileged:latest']);
  });
});

const privilegedPod: PodSpec = { containers: [{ name: 'x', image: 'nginx', securityContext: { privileged: true } }] };

function detail(level: LevelVersion, spec: PodSpec): string {
  return forbiddenDetail(aggregateCheckResults(new Evaluator().evaluatePod(level, {}, spec)));
}

describe('evaluator', () => {
  it('runs baseline checks, then restricted ones, each in check-ID order', () => {
    assert.equal(
      detail({ level: 'restricted', version: LATEST }, privilegedPod),
      'privileged (container "x" must not set securityContext.privileged=true), ' +
        'allowPrivilegeEscalation != false (container "x" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "x" must set securityContext.capabilities.drop=["ALL"]), ' +
        'runAsNonRoot != true (pod or container "x" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod or container "x" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
    assert.equal(detail({ level: 'baseline', version: LATEST }, privilegedPod), 'privileged (container "x" must not set securityContext.privileged=true)');
    assert.equal(detail({ level: 'privileged', version: LATEST }, privilegedPod), '');
  });

  it('lets restricted checks replace the baseline checks they override', () => {
    const spec: PodSpec = {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'Unconfined' } },
      containers: [{ name: 'a', image: 'i', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_RAW'] } } }],
      volumes: [{ name: 'h', hostPath: { path: '/' } }],
    };
    assert.equal(
      detail({ level: 'baseline', version: LATEST }, spec),
      'non-default capabilities (container "a" must not include "NET_RAW" in securityContext.capabilities.add), hostPath volumes (volume "h"), ' +
        'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")',
    );
    assert.equal(
      detail({ level: 'restricted', version: LATEST }, spec),
      'unrestricted capabilities (container "a" must not include "NET_RAW" in securityContext.capabilities.add), ' +
        'restricted volume types (volume "h" uses restricted volume type "hostPath"), ' +
        'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")',
    );
  });

  it('evaluates an older version with the checks of that version, and a newer one as the newest', () => {
    const pod: PodSpec = { containers: [{ name: 'a', image: 'i', securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 0 } }] };
    const reasons = (version: LevelVersion['version']) =>
      forbiddenReason(aggregateCheckResults(new Evaluator().evaluatePod({ level: 'restricted', version }, {}, pod)));
    // Before v1.19 no seccomp profile is required; before v1.22 no capabilities dropped; before v1.23 runAsUser=0 passes.
    assert.equal(reasons(majorMinor(18)), '');
    assert.equal(reasons(majorMinor(22)), 'unrestricted capabilities, seccompProfile');
    assert.equal(reasons(majorMinor(23)), 'unrestricted capabilities, runAsUser=0, seccompProfile');
    assert.equal(reasons(majorMinor(99)), reasons(LATEST));
  });
});
