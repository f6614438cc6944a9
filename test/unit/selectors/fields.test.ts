import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { StatusError } from '../../../api/meta/v1/status.js';
import { BUILTIN_RESOURCES } from '../../../api/resources.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import type { ResourceInfo } from '../../../api/resourceinfo.js';
import { fieldsOf } from '../../../api/fields/fields.js';
import { matchesFieldSelector, parseFieldSelector, parseFieldSelectorFor, tryParseFieldSelector } from '../../../api/fields/selector.js';

function res(group: string, plural: string): ResourceInfo {
  const r = BUILTIN_RESOURCES.find((x) => x.group === group && x.plural === plural);
  assert.ok(r, `${group}/${plural}`);
  return r;
}

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default' },
  spec: { nodeName: 'node-a', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default', hostNetwork: true },
  status: { phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }] },
};

test('parse: =, ==, != and escapes', () => {
  const s = parseFieldSelector('b==2,a=1,c!=3');
  assert.deepEqual(s.requirements, [
    { field: 'a', operator: '=', value: '1' },
    { field: 'b', operator: '==', value: '2' },
    { field: 'c', operator: '!=', value: '3' },
  ]);
  assert.deepEqual(parseFieldSelector('a=x\\,y\\=z\\\\').requirements, [{ field: 'a', operator: '=', value: 'x,y=z\\' }]);
  assert.equal(parseFieldSelector('a=x\\,y').toString(), 'a=x\\,y');
  assert.ok(parseFieldSelector('').isEmpty());
  assert.equal(parseFieldSelector('metadata.name=web').requiresExactMatch('metadata.name'), 'web');
});

test('parse errors are upstream text, 400 BadRequest', () => {
  assert.throws(() => tryParseFieldSelector('abc'), { message: "invalid selector: 'abc'; can't understand 'abc'" });
  assert.throws(() => tryParseFieldSelector('a=b\\c'), { message: 'invalid field selector: invalid escape sequence: \\c' });
  assert.throws(() => tryParseFieldSelector('a=b=c'), { message: 'invalid field selector: unescaped character in value: 61' });
  assert.throws(
    () => parseFieldSelector('abc'),
    (e: unknown) => e instanceof StatusError && e.code === 400 && e.reason === 'BadRequest',
  );
});

test('pods: the fields Kubernetes supports, with their values', () => {
  const pods = res('', 'pods');
  assert.deepEqual(fieldsOf(pods, pod), {
    'metadata.name': 'web-1',
    'metadata.namespace': 'default',
    'spec.nodeName': 'node-a',
    'spec.restartPolicy': 'Always',
    'spec.schedulerName': 'default-scheduler',
    'spec.serviceAccountName': 'default',
    'spec.hostNetwork': 'true',
    'status.phase': 'Running',
    'status.podIP': '10.244.0.5',
    'status.podIPs': '10.244.0.5',
    'status.nominatedNodeName': '',
  });
  assert.ok(matchesFieldSelector(pods, pod, parseFieldSelectorFor(pods, 'spec.nodeName=node-a,status.phase!=Pending')));
  assert.ok(!matchesFieldSelector(pods, pod, parseFieldSelectorFor(pods, 'spec.nodeName=node-b')));
  // legacy alias
  assert.ok(matchesFieldSelector(pods, pod, parseFieldSelectorFor(pods, 'spec.host=node-a')));
  assert.ok(matchesFieldSelector(pods, pod, parseFieldSelectorFor(pods, 'status.nominatedNodeName=')));
});

test('unsupported fields are 400 "field label not supported"', () => {
  assert.throws(
    () => parseFieldSelectorFor(res('', 'pods'), 'spec.containers=x'),
    (e: unknown) => e instanceof StatusError && e.code === 400 && e.reason === 'BadRequest' && e.message === 'field label not supported: spec.containers',
  );
  assert.throws(() => parseFieldSelectorFor(res('', 'nodes'), 'metadata.namespace=x'), { message: 'field label not supported: metadata.namespace' });
  assert.throws(() => parseFieldSelectorFor(res('apps', 'deployments'), 'spec.replicas=1'), { message: 'field label not supported: spec.replicas' });
  assert.throws(() => parseFieldSelectorFor(res('events.k8s.io', 'events'), 'involvedObject.name=x'), {
    message: 'field label not supported: involvedObject.name',
  });
  const crd: ResourceInfo = {
    group: 'example.com',
    version: 'v1',
    kind: 'Widget',
    listKind: 'WidgetList',
    plural: 'widgets',
    singular: 'widget',
    namespaced: false,
  };
  assert.throws(() => parseFieldSelectorFor(crd, 'metadata.namespace=x'), { message: 'field label not supported: metadata.namespace' });
  assert.doesNotThrow(() => parseFieldSelectorFor(res('apps', 'deployments'), 'metadata.name=x,metadata.namespace=y'));
});

test('per-resource fields: events, nodes, secrets, namespaces, services, replicasets, jobs', () => {
  const ev: KubeObject = {
    metadata: { name: 'e1', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1', apiVersion: 'v1', resourceVersion: '7', fieldPath: 'spec.containers{web}' },
    reason: 'Started',
    type: 'Normal',
    source: { component: 'kubelet' },
    reportingComponent: 'kubelet',
  };
  const events = res('', 'events');
  assert.ok(
    matchesFieldSelector(
      events,
      ev,
      parseFieldSelectorFor(
        events,
        'involvedObject.kind=Pod,involvedObject.name=web-1,reason=Started,source=kubelet,type=Normal,involvedObject.fieldPath=spec.containers{web}',
      ),
    ),
  );
  const evV1: KubeObject = {
    apiVersion: 'events.k8s.io/v1',
    metadata: { name: 'e1', namespace: 'default' },
    regarding: { kind: 'Pod', name: 'web-1' },
    reason: 'Started',
    type: 'Normal',
    reportingController: 'kubelet',
  };
  const eventsV1 = res('events.k8s.io', 'events');
  assert.ok(matchesFieldSelector(eventsV1, evV1, parseFieldSelectorFor(eventsV1, 'regarding.kind=Pod,regarding.name=web-1,reportingController=kubelet')));

  assert.equal(fieldsOf(res('', 'nodes'), { metadata: { name: 'n1' }, spec: { unschedulable: true } })['spec.unschedulable'], 'true');
  assert.equal(fieldsOf(res('', 'nodes'), { metadata: { name: 'n1' } })['spec.unschedulable'], 'false');
  assert.equal(fieldsOf(res('', 'nodes'), { metadata: { name: 'n1' } })['metadata.namespace'], undefined);
  assert.equal(fieldsOf(res('', 'secrets'), { metadata: { name: 's' }, type: 'kubernetes.io/tls' }).type, 'kubernetes.io/tls');
  assert.equal(fieldsOf(res('', 'namespaces'), { metadata: { name: 'ns' }, status: { phase: 'Active' } })['status.phase'], 'Active');
  const svc = fieldsOf(res('', 'services'), { metadata: { name: 's', namespace: 'd' }, spec: { clusterIP: '10.96.0.10', type: 'ClusterIP' } });
  assert.equal(svc['spec.clusterIP'], '10.96.0.10');
  assert.equal(svc['spec.type'], 'ClusterIP');
  assert.equal(fieldsOf(res('apps', 'replicasets'), { metadata: { name: 'r' }, status: { replicas: 3 } })['status.replicas'], '3');
  assert.equal(fieldsOf(res('', 'replicationcontrollers'), { metadata: { name: 'r' } })['status.replicas'], '0');
  assert.equal(fieldsOf(res('batch', 'jobs'), { metadata: { name: 'j' }, status: { succeeded: 1 } })['status.successful'], '1');
});
