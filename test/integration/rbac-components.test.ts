// Every component under --authorization-mode=Node,RBAC with its own client
// certificate, against the apiserver program on a real etcd: the controller-manager
// (system:kube-controller-manager) and the scheduler (system:kube-scheduler) as
// processes; the cluster DNS server (system:kube-dns), the proxy's informers
// (system:kube-proxy) and the kubelet's API client parts (system:node:node-1:
// node registration and status, its Lease, the pod source, the Secret and
// ConfigMap managers, claim and volume reads) in this process. A Deployment's pods
// and their provisioned claim are created and bound, the audit log holds no 403
// for any of them, the kubelet reads only what its own pods use, and the
// scheduler, its role stripped of pods/binding, fails visibly.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, Service } from '../../api/core/v1/types.js';
import type { KubeObject } from '../../api/meta/v1/types.js';
import type { ClusterRole } from '../../api/rbac/v1/types.js';
import type { EndpointSlice } from '../../api/discovery/v1/types.js';
import { SharedInformerFactory } from '../../pkg/client/factory.js';
import { Client, isStatus } from '../../pkg/client/rest.js';
import { runClusterDNS, type RunningClusterDNS } from '../../pkg/dns/app.js';
import { newSourceApiserver, type APIPodSource } from '../../pkg/kubelet/config/apiserver.js';
import { newWatchingConfigMapManager, type ConfigMapManager } from '../../pkg/kubelet/configmap/configmap_manager.js';
import { NodeLeaseController } from '../../pkg/kubelet/nodelease/controller.js';
import { NodeStatusManager } from '../../pkg/kubelet/nodestatus/node_status_manager.js';
import { newWatchingSecretManager, type SecretManager } from '../../pkg/kubelet/secret/secret_manager.js';
import { proxyInformers } from '../../pkg/proxy/server.js';
import { newCertificate, type CertKeyPair } from '../../pkg/util/certs.js';
import type { Logger } from '../../pkg/util/log.js';
import { startAPIServerProcess, type APIServerProcess } from '../bench/apiserver-process.js';
import { stopChild } from '../bench/child.js';
import { startControllerManagerProcess, type ControllerManagerProcess } from '../bench/controller-manager-process.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { writeAuditPolicy } from '../support/audit.js';
import { until } from '../support/controllers.js';

const SCHEDULER = new URL('../../cmd/scheduler/main.js', import.meta.url).pathname;

/** The identities components run as: user (CN) and groups (O). */
const IDENTITIES: Record<string, [user: string, groups: string[]]> = {
  admin: ['admin', ['system:masters']],
  'controller-manager': ['system:kube-controller-manager', []],
  scheduler: ['system:kube-scheduler', []],
  proxy: ['system:kube-proxy', []],
  dns: ['system:kube-dns', []],
  kubelet: ['system:node:node-1', ['system:nodes']],
};

interface AuditEvent {
  verb: string;
  requestURI: string;
  user: { username?: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus: { code: number };
}

/** A logger that keeps what it is given. */
function memoryLogger(lines: string[]): Logger {
  const write = (msg: string) => void lines.push(msg);
  return Object.assign(write, { v: () => write });
}

jest.setTimeout(240_000);
describe('components under Node,RBAC with their own identities', () => {
  let etcd: TestEtcd;
  let api: APIServerProcess;
  let dir: string;
  let auditLog: string;
  const configs: Record<string, string> = {};
  const clients: Client[] = [];
  let admin: Client;
  let kcm: ControllerManagerProcess;
  let scheduler: ChildProcess;
  let schedulerLog = '';
  let dns: RunningClusterDNS;
  let proxy: ReturnType<typeof proxyInformers>;
  const kubeletLog: string[] = [];
  let nodeStatus: NodeStatusManager;
  let lease: NodeLeaseController;
  let podSource: APIPodSource;
  let kubeletServices: SharedInformerFactory;
  let secrets: SecretManager;
  let configMaps: ConfigMapManager;

  const client = (who: string) => {
    const c = Client.fromFile(configs[who]);
    clients.push(c);
    return c;
  };

  function writeKubeconfig(name: string, cert: CertKeyPair): string {
    const file = join(dir, `${name}.kubeconfig`);
    writeFileSync(
      file,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 't', cluster: { server: api.url, 'certificate-authority-data': Buffer.from(api.caCert).toString('base64') } }],
        users: [
          { name, user: { 'client-certificate-data': Buffer.from(cert.cert).toString('base64'), 'client-key-data': Buffer.from(cert.key).toString('base64') } },
        ],
        contexts: [{ name: 't', context: { cluster: 't', user: name } }],
        'current-context': 't',
      }),
    );
    return file;
  }

  function audit(): AuditEvent[] {
    return readFileSync(auditLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEvent);
  }
  const by = (user: string) => audit().filter((e) => e.user.username === user);
  const describeEvent = (e: AuditEvent) => `${e.verb} ${e.requestURI} -> ${e.responseStatus.code}`;

  beforeAll(async () => {
    etcd = await startEtcd();
    dir = mkdtempSync(join(tmpdir(), 'timonel-rbac-components-'));
    auditLog = join(dir, 'audit.log');
    const ca = newCertificate({ commonName: 'test-client-ca', usage: 'ca' });
    writeFileSync(join(dir, 'client-ca.crt'), ca.cert);
    api = await startAPIServerProcess({
      etcdEndpoint: etcd.endpoint,
      dir,
      args: [
        `--client-ca-file=${join(dir, 'client-ca.crt')}`,
        '--authorization-mode=Node,RBAC',
        `--audit-log-path=${auditLog}`,
        `--audit-policy-file=${writeAuditPolicy(dir)}`,
      ],
    });
    for (const [name, [user, groups]] of Object.entries(IDENTITIES)) {
      configs[name] = writeKubeconfig(name, newCertificate({ commonName: user, organizations: groups, usage: 'client', issuer: ca }));
    }
    admin = client('admin');

    // What the test's workload uses: a namespace, a Secret and a ConfigMap; the DNS server's Service.
    const core = (plural: string, ns?: string) => admin.resource<KubeObject>('v1', plural).namespace(ns);
    await core('namespaces').create({ metadata: { name: 'app' } });
    await core('secrets', 'app').create({ metadata: { name: 'web-secret' }, stringData: { password: 'hunter2' } });
    await core('configmaps', 'app').create({ metadata: { name: 'web-config' }, data: { mode: 'fast' } });
    await core('services', 'kube-system').create({
      metadata: { name: 'kube-dns' },
      spec: { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
    });

    // The controller-manager and the scheduler, each a process with its own certificate.
    kcm = await startControllerManagerProcess({
      kubeconfig: configs['controller-manager'],
      logFile: join(dir, 'controller-manager.log'),
      controllers: ['*'],
      leaderElect: true,
      args: [`--local-path-dir=${join(dir, 'local-path')}`],
    });
    scheduler = spawn(
      process.execPath,
      [SCHEDULER, `--kubeconfig=${configs.scheduler}`, '--secure-port=0', '--leader-elect-retry-period=0.2', '--pod-max-backoff-seconds=2'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    scheduler.stderr?.on('data', (d: Buffer) => (schedulerLog += d.toString()));

    // The DNS server and the proxy's informers, here.
    dns = await runClusterDNS({
      kubeconfig: configs.dns,
      bindAddress: '127.0.0.1',
      port: 0,
      clusterDomain: 'cluster.local',
      metricsBindAddress: '',
      publishService: 'kube-system/kube-dns',
      nodeName: 'node-1',
      log: memoryLogger([]),
    });
    proxy = proxyInformers(client('proxy'), { configSyncPeriodMs: 0, log: memoryLogger([]) });
    proxy.informers.start();

    // The kubelet's API client parts, as pkg/kubelet/kubelet.ts wires them (no container runtime here).
    const kubelet = client('kubelet');
    const log = memoryLogger(kubeletLog);
    nodeStatus = new NodeStatusManager({
      client: kubelet,
      config: { nodeName: 'node-1', nodeIP: '127.0.0.1', hostname: 'node-1', maxPods: 110, kubeletPort: 10250 },
      rootDir: dir,
      runtimeState: async () => ({ containerRuntimeVersion: 'containerd://2.0.0', runtimeError: '' }),
      images: async () => [],
      log,
      updateFrequencyMs: 2000,
    });
    await nodeStatus.register();
    nodeStatus.start();
    lease = new NodeLeaseController({ client: kubelet, nodeName: 'node-1', node: () => nodeStatus.node(), renewIntervalMs: 2000, log });
    lease.start();
    podSource = newSourceApiserver(kubelet, 'node-1', log);
    secrets = newWatchingSecretManager(kubelet, { log });
    configMaps = newWatchingConfigMapManager(kubelet, { log });
    podSource.pods.addEventHandler({
      onAdd: (p) => {
        secrets.registerPod(p);
        configMaps.registerPod(p);
      },
      onUpdate: (_, p) => {
        secrets.registerPod(p);
        configMaps.registerPod(p);
      },
      onDelete: (p) => {
        secrets.unregisterPod(p);
        configMaps.unregisterPod(p);
      },
    });
    kubeletServices = new SharedInformerFactory(kubelet, { log });
    kubeletServices.forResource<Service>('v1', 'services');
    podSource.factory.start();
    kubeletServices.start();
    await Promise.all([podSource.factory.waitForCacheSync(30_000), kubeletServices.waitForCacheSync(30_000), proxy.informers.waitForCacheSync(30_000)]);
  });

  afterAll(async () => {
    if (scheduler) await stopChild(scheduler, 5000);
    await kcm?.stop(5000);
    await dns?.stop();
    await proxy?.informers.shutdown();
    lease?.stop();
    nodeStatus?.stop();
    await podSource?.factory.shutdown();
    await kubeletServices?.shutdown();
    await secrets?.stop();
    await configMaps?.stop();
    for (const c of clients) c.close();
    await api?.stop();
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("a Deployment's pods, with a claim the provisioner fills, are created by the controllers and bound by the scheduler", async () => {
    await admin
      .resource<KubeObject>('v1', 'persistentvolumeclaims')
      .namespace('app')
      .create({
        metadata: { name: 'web-data' },
        spec: { storageClassName: 'local-path', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      });
    await admin
      .resource<KubeObject>('apps/v1', 'deployments')
      .namespace('app')
      .create({
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [{ name: 'web', image: 'registry.k8s.io/pause:3.10', envFrom: [{ configMapRef: { name: 'web-config' } }] }],
              volumes: [
                { name: 'secret', secret: { secretName: 'web-secret' } },
                { name: 'data', persistentVolumeClaim: { claimName: 'web-data' } },
              ],
            },
          },
        },
      });
    await admin
      .resource<KubeObject>('v1', 'services')
      .namespace('app')
      .create({
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
      });
    const bound = await until(
      'two pods of web bound to node-1',
      async () => {
        const pods = (await admin.resource<Pod>('v1', 'pods').namespace('app').list({ labelSelector: 'app=web' })).items;
        return pods.length === 2 && pods.every((p) => p.spec.nodeName === 'node-1') && pods;
      },
      60_000,
      200,
    );
    expect(bound.map((p) => p.metadata.ownerReferences?.[0]?.kind)).toEqual(['ReplicaSet', 'ReplicaSet']);
    const claim = await admin.resource<PersistentVolumeClaim>('v1', 'persistentvolumeclaims').namespace('app').get('web-data');
    expect([claim.status?.phase, claim.spec?.volumeName]).toEqual(['Bound', expect.stringMatching(/^pvc-/)]);
  });

  it('the DNS server and the proxy see Services and EndpointSlices under their own roles', async () => {
    const web = await admin.resource<Service>('v1', 'services').namespace('app').get('web');
    await until('DNS answers for web.app', () => {
      const r = dns.records.lookup('web.app.svc.cluster.local', 'A');
      return r.rcode === 'NOERROR' && r.answers.some((a) => JSON.stringify(a).includes(web.spec?.clusterIP ?? '-'));
    });
    // The DNS server published its own EndpointSlice; the endpointslice controller made web's.
    await until('the proxy sees both slices', () => {
      const slices = proxy.slices.lister.list() as EndpointSlice[];
      return slices.some((s) => s.metadata.name === 'kube-dns-node-1') && slices.some((s) => s.metadata.namespace === 'app');
    });
    expect(proxy.services.lister.get('app', 'web')?.spec?.clusterIP).toBe(web.spec?.clusterIP);
  });

  it("the kubelet reads its pods' Secret and ConfigMap (through per-object watches) and claim, and no other node's", async () => {
    // The pod source (spec.nodeName=node-1) sees the two pods once they are bound, and registers them.
    await until('the pod source has both pods', () => podSource.pods.lister.list('app').length === 2);
    expect(podSource.pods.lister.list('app').map((p) => p.spec.nodeName)).toEqual(['node-1', 'node-1']);
    const secret = await secrets.getObject('app', 'web-secret');
    expect(Buffer.from(secret?.data?.password ?? '', 'base64').toString()).toBe('hunter2');
    expect((await configMaps.getObject('app', 'web-config'))?.data).toEqual({ mode: 'fast' });

    // Its pods' claim and the volume bound to it, read as the kubelet's volume manager reads them (one get each); no other claim.
    const kubelet = client('kubelet');
    const claim = await kubelet.resource<PersistentVolumeClaim>('v1', 'persistentvolumeclaims').namespace('app').get('web-data');
    expect((await kubelet.resource<PersistentVolume>('v1', 'persistentvolumes').get(claim.spec?.volumeName ?? '')).spec?.claimRef?.name).toBe('web-data');
    await admin
      .resource<KubeObject>('v1', 'persistentvolumeclaims')
      .namespace('app')
      .create({
        metadata: { name: 'unused' },
        spec: { storageClassName: 'local-path', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      });
    await assert.rejects(kubelet.resource('v1', 'persistentvolumeclaims').namespace('app').get('unused'), (err: Error) => {
      expect(err.message).toBe(
        'persistentvolumeclaims "unused" is forbidden: User "system:node:node-1" cannot get resource "persistentvolumeclaims" in API group "" in the namespace "app": no relationship found between node \'node-1\' and this object',
      );
      return true;
    });

    // A pod on node-2 with its own Secret: node-1 may not read it, even if it tries.
    await admin.resource<Node>('v1', 'nodes').create({ metadata: { name: 'node-2' }, spec: { unschedulable: true } });
    await admin
      .resource<KubeObject>('v1', 'secrets')
      .namespace('app')
      .create({ metadata: { name: 'other-secret' }, stringData: { k: 'v' } });
    const elsewhere = await admin
      .resource<Pod>('v1', 'pods')
      .namespace('app')
      .create({
        metadata: { name: 'elsewhere' },
        spec: {
          nodeName: 'node-2',
          containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }],
          volumes: [{ name: 's', secret: { secretName: 'other-secret' } }],
        },
      });
    expect(podSource.pods.lister.get('app', 'elsewhere')).toBeUndefined();
    secrets.registerPod(elsewhere);
    await assert.rejects(secrets.getObject('app', 'other-secret'), (err: Error) => {
      expect(err.message).toBe(
        'failed to sync secret cache: secrets "other-secret" is forbidden: User "system:node:node-1" cannot list resource "secrets" in API group "" in the namespace "app": no relationship found between node \'node-1\' and this object',
      );
      return true;
    });
    secrets.unregisterPod(elsewhere);

    // Only its own pods, and only its own Node.
    await assert.rejects(kubelet.resource('v1', 'pods').list(), (err: Error) => {
      expect(err.message).toBe(
        'pods is forbidden: User "system:node:node-1" cannot list resource "pods" in API group "" at the cluster scope: can only list/watch pods with spec.nodeName field selector',
      );
      return true;
    });
    await assert.rejects(kubelet.resource('v1', 'nodes').patch('node-2', 'merge', { metadata: { labels: { 'example.com/x': 'y' } } }), (err: Error) => {
      assert.ok(isStatus(err, 403));
      expect(err.message).toBe('nodes "node-2" is forbidden: node "node-1" is not allowed to modify node "node-2"');
      return true;
    });
  });

  it('no component was refused anything; the kubelet only what it was made to try', async () => {
    // Each identity did its own part of the work (the audit log's account of who did what).
    await until('the audit log has every component at work', () => {
      const done = (user: string, verb: string, resource: string, subresource = '') =>
        by(user).some(
          (e) => e.verb === verb && e.objectRef?.resource === resource && (e.objectRef?.subresource ?? '') === subresource && e.responseStatus.code < 300,
        );
      return (
        done('system:kube-controller-manager', 'create', 'replicasets') &&
        done('system:kube-controller-manager', 'create', 'pods') &&
        done('system:kube-controller-manager', 'update', 'leases') &&
        done('system:kube-scheduler', 'create', 'pods', 'binding') &&
        done('system:kube-scheduler', 'update', 'leases') &&
        done('system:kube-dns', 'create', 'endpointslices') &&
        done('system:kube-proxy', 'list', 'endpointslices') &&
        done('system:node:node-1', 'patch', 'nodes', 'status') &&
        done('system:node:node-1', 'update', 'leases') &&
        done('system:node:node-1', 'list', 'secrets') &&
        done('system:node:node-1', 'get', 'persistentvolumes')
      );
    });
    for (const user of ['system:kube-controller-manager', 'system:kube-scheduler', 'system:kube-dns', 'system:kube-proxy']) {
      expect([
        user,
        by(user)
          .filter((e) => e.responseStatus.code === 403)
          .map(describeEvent),
      ]).toEqual([user, []]);
    }
    const kubeletRefusals = by('system:node:node-1').filter((e) => e.responseStatus.code === 403);
    const expected = (e: AuditEvent) =>
      (e.objectRef?.resource === 'secrets' && e.objectRef.name === 'other-secret' && e.verb === 'list') ||
      (e.objectRef?.resource === 'persistentvolumeclaims' && e.objectRef.name === 'unused' && e.verb === 'get') ||
      (e.objectRef?.resource === 'pods' && e.verb === 'list' && !e.requestURI.includes('fieldSelector')) ||
      (e.objectRef?.resource === 'nodes' && e.objectRef.name === 'node-2' && e.verb === 'patch');
    expect(kubeletRefusals.filter((e) => !expected(e)).map(describeEvent)).toEqual([]);
    expect(kubeletRefusals.length).toBeGreaterThanOrEqual(4);
  });

  it('the scheduler, once its role loses pods/binding, leaves pods Pending and says why', async () => {
    const roles = admin.resource<ClusterRole>('rbac.authorization.k8s.io/v1', 'clusterroles');
    const role = await roles.get('system:kube-scheduler');
    const stripped: ClusterRole = {
      ...role,
      // Kept from the apiserver's reconciliation at its next start.
      metadata: { ...role.metadata, annotations: { ...role.metadata.annotations, 'rbac.authorization.kubernetes.io/autoupdate': 'false' } },
      rules: (role.rules ?? []).map((r) => ({ ...r, resources: (r.resources ?? []).filter((x) => x !== 'pods/binding') })).filter((r) => r.resources.length),
    };
    await roles.update(stripped);
    await admin
      .resource<Pod>('v1', 'pods')
      .namespace('app')
      .create({
        metadata: { name: 'stuck' },
        spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
      });
    const message = 'pods "stuck" is forbidden: User "system:kube-scheduler" cannot create resource "pods/binding" in API group "" in the namespace "app"';
    await until('the scheduler logs the refusal', () => schedulerLog.includes(`failed to bind pod=app/stuck node=node-1: ${message}`), 30_000);
    const condition = await until('PodScheduled=False says why', async () => {
      const pod = await admin.resource<Pod>('v1', 'pods').namespace('app').get('stuck');
      return pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    });
    expect(condition.message).toBe(message);
    const pod = await admin.resource<Pod>('v1', 'pods').namespace('app').get('stuck');
    expect([pod.spec.nodeName, pod.status?.phase]).toEqual([undefined, 'Pending']);

    // The rule back, the pod is bound at the next attempt.
    await roles.update({ ...(await roles.get('system:kube-scheduler')), rules: role.rules });
    await until('stuck is bound', async () => (await admin.resource<Pod>('v1', 'pods').namespace('app').get('stuck')).spec.nodeName === 'node-1', 30_000);
  });
});
