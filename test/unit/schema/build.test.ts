import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { BUILTIN_RESOURCES } from '../../../api/resources.js';
import { definitionName, lookupField, schemaForKind } from '../../../api/schema/build.js';

function deployment() {
  const s = schemaForKind('apps', 'v1', 'Deployment');
  assert.ok(s);
  return s;
}

test('every served kind has a schema named like its Kubernetes definition', () => {
  for (const r of BUILTIN_RESOURCES) {
    const s = schemaForKind(r.group, r.version, r.kind);
    assert.ok(s, `${r.group}/${r.version} ${r.kind}`);
    assert.equal(s.type, 'object');
    assert.match(s.ref ?? '', new RegExp(`\\.${r.version}\\.${r.kind}$`), `${r.kind} -> ${s.ref}`);
  }
  assert.equal(schemaForKind('', 'v1', 'Event')?.ref, 'io.k8s.api.core.v1.Event');
  assert.equal(schemaForKind('events.k8s.io', 'v1', 'Event')?.ref, 'io.k8s.api.events.v1.Event');
  assert.equal(schemaForKind('autoscaling', 'v2', 'HorizontalPodAutoscaler')?.ref, 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler');
  assert.equal(schemaForKind('autoscaling', 'v1', 'HorizontalPodAutoscaler')?.ref, 'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler');
  assert.equal(schemaForKind('apps', 'v1', 'NoSuchKind'), undefined);
});

test('nested types land in the right package', () => {
  assert.equal(definitionName('V1ObjectMeta'), 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.equal(definitionName('V1LabelSelector'), 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector');
  assert.equal(definitionName('V1PodSpec'), 'io.k8s.api.core.v1.PodSpec');
  assert.equal(definitionName('V1DeploymentSpec'), 'io.k8s.api.apps.v1.DeploymentSpec');
  assert.equal(definitionName('V1JobSpec'), 'io.k8s.api.batch.v1.JobSpec');
  assert.equal(definitionName('V1PolicyRule'), 'io.k8s.api.rbac.v1.PolicyRule');
  assert.equal(definitionName('V1JSONSchemaProps'), 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps');
  assert.equal(definitionName('DiscoveryV1EndpointPort'), 'io.k8s.api.discovery.v1.EndpointPort');
});

test('definition names are unique', () => {
  const seen = new Map<string, string>();
  for (const cls of ['V1Pod', 'V1Deployment', 'V2HorizontalPodAutoscaler', 'V1HorizontalPodAutoscaler']) assert.ok(definitionName(cls));
  // Walk every reachable named node and check one ref maps to one structure.
  const stack = BUILTIN_RESOURCES.map((r) => schemaForKind(r.group, r.version, r.kind)).filter((s) => s !== undefined);
  const visited = new Set<object>();
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (visited.has(n)) continue;
    visited.add(n);
    if (n.ref && n.properties) {
      const shape = Object.keys(n.properties).join(',');
      const prev = seen.get(n.ref);
      if (prev !== undefined) assert.equal(prev, shape, n.ref);
      seen.set(n.ref, shape);
    }
    for (const c of [...Object.values(n.properties ?? {}), n.items, n.additionalProperties]) if (c) stack.push(c);
  }
  assert.ok(seen.size > 100);
});

test('types, formats, required fields and descriptions come from the models', () => {
  const d = deployment();
  const replicas = lookupField(d, 'spec.replicas');
  assert.equal(replicas?.type, 'integer');
  assert.equal(replicas?.format, 'int32');
  assert.match(replicas?.description ?? '', /Number of desired pods/);
  assert.deepEqual(lookupField(d, 'spec')?.required, ['selector', 'template']);
  assert.match(d.description ?? '', /declarative updates for Pods and ReplicaSets/);
  const containers = lookupField(d, 'spec.template.spec.containers');
  assert.equal(containers?.type, 'array');
  assert.deepEqual(containers?.items?.required, ['name']);
  assert.equal(lookupField(d, 'spec.template.spec.containers.image')?.type, 'string');
  assert.equal(lookupField(d, 'metadata.labels')?.type, 'map');
  assert.equal(lookupField(d, 'metadata.labels')?.additionalProperties?.type, 'string');
  assert.equal(lookupField(d, 'metadata.creationTimestamp')?.type, 'date-time');
  assert.equal(lookupField(d, 'spec.strategy.rollingUpdate.maxSurge')?.type, 'int-or-string');
  assert.equal(lookupField(d, 'spec.template.spec.containers.resources.limits')?.additionalProperties?.type, 'quantity');
  assert.equal(lookupField(d, 'spec.template.spec.volumes.emptyDir.sizeLimit')?.type, 'quantity');
  assert.equal(lookupField(d, 'spec.template.spec.containers.args')?.items?.type, 'string');
  assert.equal(lookupField(d, 'spec.template.spec.securityContext.runAsUser')?.format, 'int64');
  // Descriptions are unescaped from the .d.ts JSDoc.
  assert.ok(!(lookupField(d, 'spec.template.spec.containers.args')?.description ?? '').includes("\\'"));
  // ControllerRevision.data is free-form JSON.
  assert.equal(lookupField(schemaForKind('apps', 'v1', 'ControllerRevision')!, 'data')?.type, 'any');
  // JSONSchemaProps is recursive.
  const crd = schemaForKind('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition')!;
  const props = lookupField(crd, 'spec.versions.schema.openAPIV3Schema.properties');
  assert.equal(props?.additionalProperties?.ref, 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps');
  assert.equal(lookupField(crd, 'spec.versions.schema.openAPIV3Schema.properties.properties.type')?.type, 'string');
});

test('patch metadata matches Kubernetes struct tags', () => {
  const d = deployment();
  const pod = 'spec.template.spec';
  const check = (path: string, expected: Record<string, unknown>) => {
    const n = lookupField(d, path);
    assert.ok(n, path);
    for (const [k, v] of Object.entries(expected)) assert.deepEqual((n as unknown as Record<string, unknown>)[k], v, `${path}.${k}`);
  };
  check(`${pod}.containers`, { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] });
  check(`${pod}.initContainers`, { patchStrategy: 'merge', patchMergeKey: 'name' });
  check(`${pod}.containers.ports`, { patchStrategy: 'merge', patchMergeKey: 'containerPort', listMapKeys: ['containerPort', 'protocol'] });
  check(`${pod}.containers.env`, { patchMergeKey: 'name' });
  check(`${pod}.containers.volumeMounts`, { patchMergeKey: 'mountPath' });
  check(`${pod}.volumes`, { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' });
  check(`${pod}.tolerations`, { listType: 'atomic', patchStrategy: undefined });
  check(`${pod}.topologySpreadConstraints`, { patchMergeKey: 'topologyKey', listMapKeys: ['topologyKey', 'whenUnsatisfiable'] });
  check('spec.strategy', { patchStrategy: 'retainKeys' });
  check('status.conditions', { patchStrategy: 'merge', patchMergeKey: 'type' });
  check('metadata.finalizers', { patchStrategy: 'merge', listType: 'set' });
  check('metadata.ownerReferences', { patchMergeKey: 'uid' });
  const svc = schemaForKind('', 'v1', 'Service')!;
  assert.equal(lookupField(svc, 'spec.ports')?.patchMergeKey, 'port');
  assert.deepEqual(lookupField(svc, 'spec.ports')?.listMapKeys, ['port', 'protocol']);
  const node = schemaForKind('', 'v1', 'Node')!;
  assert.equal(lookupField(node, 'status.addresses')?.patchMergeKey, 'type');
  // Markers are per field: the shared type node itself stays unmarked.
  assert.equal(lookupField(d, 'spec.strategy')?.ref, 'io.k8s.api.apps.v1.DeploymentStrategy');
  const sts = schemaForKind('apps', 'v1', 'StatefulSet')!;
  assert.equal(lookupField(sts, 'spec.updateStrategy')?.patchStrategy, undefined);
});
