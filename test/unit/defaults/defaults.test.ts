import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { strategyFor } from '../../../pkg/registry/strategies.js';
import { imageTag } from '../../../api/core/v1/defaults.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test fixtures

function defaulted(group: string, version: string, obj: J, uid?: string): J {
  const o = structuredClone(obj) as KubeObject;
  const s = strategyFor(group, version, String(o.kind));
  s.defaults?.(o);
  if (uid) {
    o.metadata.uid = uid;
    s.prepareForCreate?.(o);
  }
  return o as J;
}

test('Deployment defaults match kube-apiserver', () => {
  const d = defaulted('apps', 'v1', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx' },
    spec: {
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] } },
    },
  });
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  const pod = d.spec.template.spec;
  assert.equal(pod.restartPolicy, 'Always');
  assert.equal(pod.dnsPolicy, 'ClusterFirst');
  assert.equal(pod.terminationGracePeriodSeconds, 30);
  assert.equal(pod.schedulerName, 'default-scheduler');
  assert.deepEqual(pod.securityContext, {});
  const c = pod.containers[0];
  assert.deepEqual(c, {
    name: 'nginx',
    image: 'nginx:1.14.2',
    imagePullPolicy: 'IfNotPresent',
    ports: [{ containerPort: 80, protocol: 'TCP' }],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  });
  // Templates are not pods: no admission defaults, no requests-from-limits.
  assert.equal(pod.serviceAccountName, undefined);
  assert.equal(pod.tolerations, undefined);
});

test('Pod defaults, including the admission plugins', () => {
  const p = defaulted(
    '',
    'v1',
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'busybox',
            resources: { limits: { cpu: '500m', memory: '128Mi' } },
            env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            livenessProbe: { httpGet: { port: 8080 } },
          },
        ],
        volumes: [
          { name: 'cfg', configMap: { name: 'c' } },
          { name: 's', secret: { secretName: 's' } },
          { name: 'scratch' },
          { name: 'h', hostPath: { path: '/tmp' } },
        ],
      },
    },
    'uid-1',
  );
  const spec = p.spec;
  const c = spec.containers[0];
  assert.equal(c.imagePullPolicy, 'Always'); // no tag means :latest
  assert.deepEqual(c.resources.requests, { cpu: '500m', memory: '128Mi' });
  assert.equal(c.env[0].valueFrom.fieldRef.apiVersion, 'v1');
  assert.deepEqual(c.livenessProbe, {
    httpGet: { port: 8080, path: '/', scheme: 'HTTP' },
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
  });
  assert.equal(spec.volumes[0].configMap.defaultMode, 420);
  assert.equal(spec.volumes[1].secret.defaultMode, 420);
  assert.deepEqual(spec.volumes[2], { name: 'scratch', emptyDir: {} });
  assert.equal(spec.volumes[3].hostPath.type, '');
  assert.equal(spec.serviceAccountName, 'default');
  assert.equal(spec.serviceAccount, 'default');
  assert.equal(spec.enableServiceLinks, true);
  assert.equal(spec.priority, 0);
  assert.deepEqual(spec.tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
  assert.deepEqual(p.status, { phase: 'Pending', qosClass: 'Guaranteed' });
});

test('existing tolerations for the node taints are kept, not duplicated', () => {
  const p = defaulted('', 'v1', {
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'a', image: 'x:1' }], tolerations: [{ operator: 'Exists' }] },
  });
  assert.deepEqual(p.spec.tolerations, [{ operator: 'Exists' }]);
});

test('image pull policy follows the tag', () => {
  assert.equal(imageTag('nginx').tag, 'latest');
  assert.equal(imageTag('localhost:5000/nginx').tag, 'latest');
  assert.equal(imageTag('localhost:5000/nginx:1.2').tag, '1.2');
  assert.equal(imageTag('nginx@sha256:abc').tag, '');
  const p = defaulted('', 'v1', {
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: {
      containers: [
        { name: 'a', image: 'nginx:latest' },
        { name: 'b', image: 'nginx@sha256:0123' },
        { name: 'c', image: 'nginx:1.25' },
        { name: 'd', image: 'nginx', imagePullPolicy: 'Never' },
      ],
    },
  });
  assert.deepEqual(
    p.spec.containers.map((c: J) => c.imagePullPolicy),
    ['Always', 'IfNotPresent', 'IfNotPresent', 'Never'],
  );
});

test('StatefulSet, DaemonSet and ReplicaSet defaults', () => {
  const tpl = { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } };
  const sts = defaulted('apps', 'v1', {
    kind: 'StatefulSet',
    metadata: { name: 's' },
    spec: {
      selector: { matchLabels: { a: 'b' } },
      template: tpl,
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  });
  assert.equal(sts.spec.replicas, 1);
  assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(sts.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.equal(sts.spec.revisionHistoryLimit, 10);
  assert.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(sts.spec.volumeClaimTemplates[0].spec.volumeMode, 'Filesystem');
  assert.equal(sts.spec.volumeClaimTemplates[0].status.phase, 'Pending');
  const ds = defaulted('apps', 'v1', { kind: 'DaemonSet', metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: tpl } });
  assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(ds.spec.revisionHistoryLimit, 10);
  const rs = defaulted('apps', 'v1', { kind: 'ReplicaSet', metadata: { name: 'r' }, spec: { selector: { matchLabels: { a: 'b' } }, template: tpl } });
  assert.equal(rs.spec.replicas, 1);
});

test('Job defaults and the generated selector', () => {
  const job = defaulted(
    'batch',
    'v1',
    { kind: 'Job', metadata: { name: 'pi' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5.34' }] } } } },
    'abc-123',
  );
  assert.equal(job.spec.completions, 1);
  assert.equal(job.spec.parallelism, 1);
  assert.equal(job.spec.backoffLimit, 6);
  assert.equal(job.spec.completionMode, 'NonIndexed');
  assert.equal(job.spec.suspend, false);
  assert.equal(job.spec.podReplacementPolicy, 'TerminatingOrFailed');
  assert.equal(job.spec.manualSelector, false);
  assert.deepEqual(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc-123' } });
  assert.deepEqual(job.spec.template.metadata.labels, {
    'batch.kubernetes.io/controller-uid': 'abc-123',
    'batch.kubernetes.io/job-name': 'pi',
    'controller-uid': 'abc-123',
    'job-name': 'pi',
  });
  assert.deepEqual(strategyFor('batch', 'v1', 'Job').validate?.(job as KubeObject), []);
  const parallel = defaulted('batch', 'v1', {
    kind: 'Job',
    metadata: { name: 'p' },
    spec: { completions: 5, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x:1' }] } } },
  });
  assert.equal(parallel.spec.parallelism, 1);
  assert.equal(parallel.spec.completions, 5);
  const cj = defaulted('batch', 'v1', {
    kind: 'CronJob',
    metadata: { name: 'c' },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'x:1' }] } } } } },
  });
  assert.equal(cj.spec.concurrencyPolicy, 'Allow');
  assert.equal(cj.spec.suspend, false);
  assert.equal(cj.spec.successfulJobsHistoryLimit, 3);
  assert.equal(cj.spec.failedJobsHistoryLimit, 1);
  assert.equal(cj.spec.jobTemplate.spec.template.spec.dnsPolicy, 'ClusterFirst');
});

test('Service defaults', () => {
  const svc = defaulted('', 'v1', {
    kind: 'Service',
    metadata: { name: 's' },
    spec: { selector: { app: 'x' }, ports: [{ port: 80 }, { port: 443, targetPort: 'https' }] },
  });
  assert.equal(svc.spec.type, 'ClusterIP');
  assert.equal(svc.spec.sessionAffinity, 'None');
  assert.deepEqual(svc.spec.ports, [
    { port: 80, protocol: 'TCP', targetPort: 80 },
    { port: 443, protocol: 'TCP', targetPort: 'https' },
  ]);
  assert.equal(svc.spec.ipFamilyPolicy, 'SingleStack');
  assert.deepEqual(svc.spec.ipFamilies, ['IPv4']);
  assert.equal(svc.spec.internalTrafficPolicy, 'Cluster');
  assert.equal(svc.spec.externalTrafficPolicy, undefined);
  const np = defaulted('', 'v1', { kind: 'Service', metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
  assert.equal(np.spec.externalTrafficPolicy, 'Cluster');
  const en = defaulted('', 'v1', { kind: 'Service', metadata: { name: 's' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
  assert.equal(en.spec.internalTrafficPolicy, undefined);
  assert.equal(en.spec.ipFamilies, undefined);
});

test('Namespace, Secret, PVC and PV defaults', () => {
  const ns = defaulted('', 'v1', { kind: 'Namespace', metadata: { name: 'dev' } }, 'u');
  assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'dev' });
  assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
  assert.equal(ns.status.phase, 'Active');
  const secret = defaulted('', 'v1', { kind: 'Secret', metadata: { name: 's' }, stringData: { user: 'admin' } });
  assert.equal(secret.type, 'Opaque');
  assert.deepEqual(secret.data, { user: Buffer.from('admin').toString('base64') });
  assert.equal(secret.stringData, undefined);
  const pvc = defaulted('', 'v1', { kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: {} });
  assert.equal(pvc.spec.volumeMode, 'Filesystem');
  assert.equal(pvc.status.phase, 'Pending');
  const pv = defaulted('', 'v1', { kind: 'PersistentVolume', metadata: { name: 'v' }, spec: {} });
  assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(pv.spec.volumeMode, 'Filesystem');
  assert.equal(pv.status.phase, 'Pending');
  const hpa = defaulted('autoscaling', 'v2', {
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'h' },
    spec: { maxReplicas: 3, scaleTargetRef: { kind: 'Deployment', name: 'd' } },
  });
  assert.equal(hpa.spec.minReplicas, 1);
  assert.equal(hpa.spec.metrics[0].resource.target.averageUtilization, 80);
});

test('a mirror pod gets no service account (ServiceAccount admission leaves mirror pods alone)', () => {
  const pod = (annotations: Record<string, string>) =>
    defaulted('', 'v1', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'static-web-n1', annotations },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
  const mirror = pod({ 'kubernetes.io/config.mirror': 'abc' });
  assert.equal(mirror.spec.serviceAccountName, undefined);
  assert.equal(mirror.spec.serviceAccount, undefined);
  assert.equal(pod({}).spec.serviceAccountName, 'default');
});
