import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import type { LimitRange, Pod } from '../../../api/core/v1/types.js';
import { LIMIT_RANGER_ANNOTATION, containerDefaults, defaultPodResources, validatePodLimits } from '../../../pkg/registry/core/limitrange/limitranger.js';

function limitRange(limits: LimitRange['spec']['limits']): LimitRange {
  return { metadata: { name: 'lr', namespace: 'ns' }, spec: { limits } } as LimitRange;
}

function pod(resources: Array<{ requests?: Record<string, string>; limits?: Record<string, string> }>): Pod {
  return { metadata: { name: 'p' }, spec: { containers: resources.map((r, i) => ({ name: `c${i}`, image: 'x', resources: r })) } } as Pod;
}

test('memory-defaults: a container without resources gets the default request and limit, recorded in the annotation', () => {
  const lr = limitRange([{ type: 'Container', default: { memory: '512Mi' }, defaultRequest: { memory: '256Mi' } }]);
  const p = pod([{}]);
  defaultPodResources(lr, p);
  assert.deepEqual({ ...p.spec.containers[0].resources?.requests }, { memory: '256Mi' });
  assert.deepEqual({ ...p.spec.containers[0].resources?.limits }, { memory: '512Mi' });
  assert.equal(p.metadata.annotations?.[LIMIT_RANGER_ANNOTATION], 'LimitRanger plugin set: memory request for container c0; memory limit for container c0');
});

test("the container's own values win, and the defaults fall back to max, then to the default limit, then min", () => {
  assert.deepEqual(JSON.parse(JSON.stringify(containerDefaults({ type: 'Container', max: { cpu: '2' }, min: { memory: '1Mi' } }))), {
    limits: { cpu: '2' },
    requests: { cpu: '2', memory: '1Mi' },
  });
  const lr = limitRange([{ type: 'Container', default: { memory: '512Mi' }, defaultRequest: { memory: '256Mi' } }]);
  const p = pod([{ limits: { memory: '1Gi' }, requests: { memory: '1Gi' } }]);
  defaultPodResources(lr, p);
  assert.deepEqual({ ...p.spec.containers[0].resources?.limits }, { memory: '1Gi' });
  assert.equal(p.metadata.annotations, undefined);
});

test('min, max and maxLimitRequestRatio for containers, in upstream words', () => {
  const lr = limitRange([{ type: 'Container', min: { memory: '500Mi' }, max: { memory: '1Gi' }, maxLimitRequestRatio: { cpu: '2' } }]);
  assert.deepEqual(validatePodLimits(lr, pod([{ requests: { memory: '600Mi', cpu: '1' }, limits: { memory: '800Mi', cpu: '2' } }])), []);
  assert.deepEqual(validatePodLimits(lr, pod([{ requests: { memory: '100Mi', cpu: '1' }, limits: { memory: '1.5Gi', cpu: '3' } }])), [
    'minimum memory usage per Container is 500Mi, but request is 100Mi',
    'maximum memory usage per Container is 1Gi, but limit is 1.5Gi',
    'cpu max limit to request ratio per Container is 2, but provided ratio is 3.000000',
  ]);
  assert.deepEqual(validatePodLimits(lr, pod([{}])), [
    'minimum memory usage per Container is 500Mi.  No request is specified',
    'maximum memory usage per Container is 1Gi.  No limit is specified',
    'cpu max limit to request ratio per Container is 2, but no request is specified or request is 0',
  ]);
});

test('Pod items check the sum over containers', () => {
  const lr = limitRange([{ type: 'Pod', max: { cpu: '1' } }]);
  assert.deepEqual(validatePodLimits(lr, pod([{ limits: { cpu: '600m' } }, { limits: { cpu: '300m' } }])), []);
  assert.deepEqual(validatePodLimits(lr, pod([{ limits: { cpu: '600m' } }, { limits: { cpu: '600m' } }])), [
    'maximum cpu usage per Pod is 1, but limit is 1200m',
  ]);
});
