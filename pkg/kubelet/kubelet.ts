// The kubelet: wires the pieces the way upstream's kubelet.go does. Pod sources
// (the apiserver's pods bound to this node, static pods from a directory) feed a
// pod table; every change, PLEG event, probe result and back-off expiry wakes that
// pod's worker, which syncs the pod (running → SyncPod; deleted → terminate, clean
// up, delete from the apiserver; unknown to us → orphan clean-up) and hands the
// resulting status to the status manager. Beside them run node registration and
// status, the node lease, garbage collection and (when wired) the kubelet server.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRIClient, type DNSConfig__Input, type KeyValue, type Mount__Input } from '../cri/client.js';
import { containerRef } from './container_ref.js';
import { kubeletNodeRef, nodeStatusEventMessage } from './nodestatus/events.js';
import { EventRecorder } from '../client/events.js';
import { SharedInformerFactory } from '../client/factory.js';
import type { SharedIndexInformer } from '../client/informer.js';
import { isStatus, type Client } from '../client/rest.js';
import { isPodTerminal } from '../../api/core/v1/pod.js';
import type { Container, ObjectReference, PersistentVolume, PersistentVolumeClaim, Pod, PodStatus, Secret, Service } from '../../api/core/v1/types.js';
import type { KubeObject } from '../../api/meta/v1/types.js';
import type { Logger } from '../util/log.js';
import { removePodCgroups } from './cm/pod_cgroups.js';
import { newSourceApiserver } from './config/apiserver.js';
import { isMirrorPod, isStaticPod, readManifestDir } from './config/file.js';
import { isMirrorOf, MirrorClient } from './config/mirror_client.js';
import { newWatchingConfigMapManager, type ConfigMapManager } from './configmap/configmap_manager.js';
import { KubeletContainerLocator } from './container_locator.js';
import { podDNSConfig } from './dns.js';
import { resolveEnv, serviceEnv } from './envvars.js';
import { ContainerGC } from './gc.js';
import { hostsFileContent } from './hosts.js';
import { ImageManager } from './kuberuntime/image_manager.js';
import { KubeGenericRuntimeManager, ReasonCache } from './kuberuntime/runtime_manager.js';
import type { ProbeResult as ActionProbeResult, ProbeResults } from './kuberuntime/compute_actions.js';
import { emptyPodRuntimeStatus, type PodRuntimeStatus } from './kuberuntime/runtime_status.js';
import { HandlerRunner } from './lifecycle/handlers.js';
import { setUpNodeNetwork } from './network/node_network.js';
import { NodeLeaseController } from './nodelease/controller.js';
import { NodeStatusManager } from './nodestatus/node_status_manager.js';
import { nodeAllocatable, nodeImages, type RuntimeState } from './nodestatus/setters.js';
import { KubeletPaths } from './paths.js';
import { GenericPLEG } from './pleg/generic.js';
import { PodWorkers, type SyncOutcome } from './pod_workers.js';
import { ProbeManager } from './prober/index.js';
import { newWatchingSecretManager, type SecretManager } from './secret/secret_manager.js';
import { startKubeletServer, type KubeletServer } from './server/server.js';
import { buildAuth } from './server/auth/auth.js';
import { generateAPIPodStatus, KUBELET_CONDITIONS } from './status/generate.js';
import { StatusManager } from './status/status_manager.js';
import { podKey, type ObjectLookup, type ResourceList } from './types.js';
import { mountsUnder, unmount } from './volumes/mount.js';
import { VolumeManager } from './volumes/manager.js';
import { tokenRequester } from './volumes/token.js';
import { rfc3339 } from './format.js';
import { KubeletMetrics } from './metrics/metrics.js';
import { StatsProvider } from './stats/provider.js';
import { CRIRuntimeSource } from './stats/runtime.js';

export interface KubeletOptions {
  client: Client;
  /** Appended to an image pull the registry answered "not found", e.g. where this node's images come from. */
  imageNotFoundHint?: string;
  nodeName: string;
  nodeIP: string;
  podCIDR?: string;
  /** containerd's CRI socket. */
  runtimeEndpoint: string;
  rootDir: string;
  /** Where containerd reads CNI configuration; node network setup writes there. */
  cniConfDir?: string;
  cniBridge: string;
  /** Set up the bridge, routes and CNI config (default: when podCIDR and cniConfDir are given). */
  setUpNetwork?: boolean;
  clusterDNS: string[];
  clusterDomain: string;
  /** The host resolv.conf pods with dnsPolicy Default get ('' for none). */
  resolvConf?: string;
  podManifestPath?: string;
  /** Kubelet server port, reported in Node.status.daemonEndpoints. */
  port: number;
  maxPods: number;
  cgroupRoot?: string;
  log: Logger;
  syncFrequencyMs?: number;
  relistPeriodMs?: number;
  nodeStatusUpdateFrequencyMs?: number;
  leaseRenewIntervalMs?: number;
  gcPeriodMs?: number;
  fileCheckFrequencyMs?: number;
  /** Serve logs/exec/attach/port-forward on port (default true). */
  enableServer?: boolean;
  /** Address the kubelet server listens on (default: nodeIP). */
  serverAddress?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** Client certificates (the apiserver's) must be signed by this CA. */
  clientCAFile?: string;
  /** Who may use the kubelet API besides client certificates, and how it authorises (auth/auth.ts); default: certificates only, every one allowed. */
  serverAuth?: {
    anonymous: boolean;
    tokenWebhook: boolean;
    tokenWebhookCacheTTLMs?: number;
    authorizationMode: 'AlwaysAllow' | 'Webhook';
    authorizedTTLMs?: number;
    unauthorizedTTLMs?: number;
  };
}

interface PodState {
  pod: Pod;
  source: 'api' | 'file';
  /** Gone from its source (deleted from the apiserver, manifest removed). */
  removed: boolean;
  volumesReady: boolean;
  /** ConfigMaps/Secrets/labels changed: rewrite volume contents at the next sync. */
  refreshVolumes: boolean;
  /** When the contents were last written: they are written again at every periodic sync (tokens expire). */
  volumesWrittenAt?: number;
  lastRuntime?: PodRuntimeStatus;
  /** When this kubelet first saw the pod (ms), for kubelet_pod_start_duration_seconds. */
  firstSeen?: number;
  /** Its start has been observed. */
  startObserved?: boolean;
}

const RUNTIME_NAME = 'containerd';

/** prober_probe_total's probe_type by probe kind. */
const PROBE_TYPES = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' } as const;

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Whether an update changes what the kubelet must do (spec, labels, annotations, deletion), not just the status. */
export function podDesiredStateChanged(a: Pod, b: Pod): boolean {
  const pick = (p: Pod) =>
    JSON.stringify([p.spec, p.metadata.labels, p.metadata.annotations, p.metadata.deletionTimestamp, p.metadata.deletionGracePeriodSeconds]);
  return pick(a) !== pick(b);
}

export class Kubelet {
  readonly paths: KubeletPaths;
  readonly cri: CRIClient;
  readonly runtime: KubeGenericRuntimeManager;
  readonly statusManager: StatusManager;
  readonly nodeStatus: NodeStatusManager;
  readonly podWorkers: PodWorkers;
  readonly pleg: GenericPLEG;
  readonly locator: KubeletContainerLocator;
  readonly metrics: KubeletMetrics;
  readonly stats: StatsProvider;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly nodeRef: ObjectReference;
  private readonly volumes: VolumeManager;
  private readonly probes: ProbeManager;
  private readonly images: ImageManager;
  private readonly reasons = new ReasonCache();
  private readonly lease: NodeLeaseController;
  private readonly gc: ContainerGC;
  private readonly mirrors: MirrorClient;
  private readonly podFactory: SharedInformerFactory;
  private readonly serviceFactory: SharedInformerFactory;
  private readonly podInformer: SharedIndexInformer<Pod>;
  /** The Secrets and ConfigMaps of this node's pods, each watched on its own (all the Node authorizer allows). */
  private readonly secretManager: SecretManager;
  private readonly configMapManager: ConfigMapManager;
  private readonly serviceInformer: SharedIndexInformer<Service>;
  private readonly lookup: ObjectLookup;
  private readonly pods = new Map<string, PodState>();
  /** Mirror pods by namespace/name. */
  private readonly mirrorPods = new Map<string, Pod>();
  /** Liveness/startup failures as the prober reported them, bound to the container instance they were about. */
  private readonly probeFailures = new Map<string, { containerId: string; result: ActionProbeResult }>();
  private readonly timers: NodeJS.Timeout[] = [];
  private server?: KubeletServer;
  private sourcesReady = false;
  private stopped = false;
  private runtimeVersion = '';

  constructor(readonly o: KubeletOptions) {
    this.log = o.log;
    this.paths = new KubeletPaths(o.rootDir);
    // Capacity is measured on the root directory's filesystem, so it must exist first.
    mkdirSync(this.paths.podsDir(), { recursive: true, mode: 0o750 });
    mkdirSync(this.paths.logsDir(), { recursive: true, mode: 0o755 });
    this.metrics = new KubeletMetrics(o.nodeName);
    this.cri = new CRIClient(o.runtimeEndpoint, { observe: (rpc, seconds, failed) => this.metrics.observeRuntimeOperation(rpc, seconds, failed) });
    this.stats = new StatsProvider({ nodeName: o.nodeName, runtime: new CRIRuntimeSource(this.cri), cgroupRoot: o.cgroupRoot ?? '/', rootDir: o.rootDir });
    this.nodeRef = kubeletNodeRef(o.nodeName);
    this.recorder = new EventRecorder(o.client, { component: 'kubelet', host: o.nodeName, log: (m) => this.log(m) });
    this.mirrors = new MirrorClient(o.client);

    const source = newSourceApiserver(o.client, o.nodeName, (m) => this.log(m));
    this.podFactory = source.factory;
    this.podInformer = source.pods;
    this.serviceFactory = new SharedInformerFactory(o.client, { log: (m) => this.log(m) });
    this.serviceInformer = this.serviceFactory.forResource<Service>('v1', 'services');
    // A change to a watched ConfigMap or Secret refreshes the volumes of the pods that use it.
    const objectOpts = (kind: 'configMap' | 'secret') => ({
      onChange: (ns: string, name: string) => this.onReferencedObjectChange(kind, ns, name),
      log: (m: string) => this.log(m),
    });
    this.secretManager = newWatchingSecretManager(o.client, objectOpts('secret'));
    this.configMapManager = newWatchingConfigMapManager(o.client, objectOpts('configMap'));
    this.lookup = {
      configMap: (ns: string, name: string) => this.configMapManager.getObject(ns, name),
      secret: (ns: string, name: string) => this.secretManager.getObject(ns, name),
    };

    this.nodeStatus = this.newNodeStatusManager();
    const machine = this.nodeStatus.machineInfo;
    const allocatable = nodeAllocatable(machine, o.maxPods);
    this.volumes = this.newVolumeManager(allocatable);
    this.probes = this.newProbeManager();
    this.images = new ImageManager({
      cri: this.cri,
      event: (pod, c, type, reason, message) => this.event(pod, type, reason, message, c.name),
      pullSecrets: async (pod) => {
        const names = (pod.spec?.imagePullSecrets ?? []).map((r) => r?.name).filter((n): n is string => typeof n === 'string' && n !== '');
        const found = await Promise.all(names.map((n) => this.lookup.secret(pod.metadata.namespace ?? '', n).catch(() => undefined)));
        return found.filter((s): s is Secret => !!s);
      },
      notFoundHint: o.imageNotFoundHint,
    });
    this.runtime = this.newRuntimeManager(machine.memoryCapacityBytes, allocatable);
    this.statusManager = new StatusManager({
      client: o.client,
      log: o.log,
      currentUID: (ns, name) => this.podInformer.lister.get(ns, name)?.metadata.uid,
    });
    this.podWorkers = new PodWorkers({
      sync: (uid) => this.syncPod(uid),
      log: (m) => this.log(m),
      observeSync: (operation, seconds) => this.metrics.podWorkerDuration.observe({ operation }, seconds),
    });
    this.pleg = this.newPLEG();
    this.metrics.setRunningCountsSource(() => this.pleg.runningCounts());
    this.lease = new NodeLeaseController({
      client: o.client,
      nodeName: o.nodeName,
      node: () => this.nodeStatus.node(),
      renewIntervalMs: o.leaseRenewIntervalMs,
      log: o.log,
    });
    this.gc = this.newContainerGC();
    this.locator = new KubeletContainerLocator({
      podByName: (ns, name) => this.podByName(ns, name),
      podStatus: (uid) => this.statusManager.getPodStatus(uid),
      runtime: this.runtime,
    });
  }

  // ---- the parts, as the constructor makes them ----

  private newNodeStatusManager(): NodeStatusManager {
    const o = this.o;
    return new NodeStatusManager({
      client: o.client,
      config: { nodeName: o.nodeName, nodeIP: o.nodeIP, hostname: o.nodeName, podCIDR: o.podCIDR, maxPods: o.maxPods, kubeletPort: o.port },
      rootDir: o.rootDir,
      runtimeState: () => this.runtimeState(),
      images: async () => nodeImages((await this.cri.image.listImages({})).images),
      log: o.log,
      updateFrequencyMs: o.nodeStatusUpdateFrequencyMs,
      recordEvent: (reason) => void this.recorder.record(this.nodeRef, 'Normal', reason, nodeStatusEventMessage(o.nodeName, reason)),
    });
  }

  /** Volumes read ConfigMaps and Secrets from their managers; claims are rare: read on demand. */
  private newVolumeManager(allocatable: ResourceList): VolumeManager {
    return new VolumeManager({
      podsDir: this.paths.podsDir(),
      lookup: {
        ...this.lookup,
        persistentVolumeClaim: (ns: string, name: string) => this.getOrUndefined<PersistentVolumeClaim>('persistentvolumeclaims', name, ns),
        persistentVolume: (name: string) => this.getOrUndefined<PersistentVolume>('persistentvolumes', name),
      },
      tokenFor: tokenRequester(this.o.client.rest),
      nodeAllocatable: allocatable,
      recordEvent: (pod, type, reason, message) => this.event(pod, type, reason, message),
    });
  }

  private newProbeManager(): ProbeManager {
    return new ProbeManager({
      execSync: (id, cmd, timeoutS) =>
        this.cri.runtime.execSync(
          { containerId: id.replace(/^[a-z]+:\/\//, ''), cmd, timeout: timeoutS },
          { timeoutMs: timeoutS > 0 ? timeoutS * 1000 + 5000 : 0 },
        ),
      onResult: (uid, name, kind, result, containerId) => this.onProbeResult(uid, name, kind, result, containerId),
      recordEvent: (pod, container, type, reason, message) => this.event(pod, type, reason, message, container),
      observeProbe: (pod, container, kind, result) =>
        this.metrics.observeProbe(PROBE_TYPES[kind], result, container, pod.metadata.name ?? '', pod.metadata.namespace ?? '', pod.metadata.uid ?? ''),
    });
  }

  private newRuntimeManager(memoryCapacityBytes: number, allocatable: ResourceList): KubeGenericRuntimeManager {
    const o = this.o;
    const probeResults: ProbeResults = {
      liveness: (id) => this.probeFailureFor(id, 'liveness'),
      startup: (id) => this.probeFailureFor(id, 'startup'),
    };
    return new KubeGenericRuntimeManager({
      cri: this.cri,
      paths: this.paths,
      helper: {
        runContainerOptions: (pod, container, podIPs) => this.runContainerOptions(pod, container, podIPs, allocatable),
        dnsConfig: async (pod) => this.dnsConfig(pod),
      },
      images: this.images,
      handlers: new HandlerRunner({ cri: this.cri }),
      event: (pod, type, reason, message, container) => this.event(pod, type, reason, message, container),
      probes: probeResults,
      reasons: this.reasons,
      memoryCapacityBytes,
      cgroupRoot: o.cgroupRoot ?? '/',
      clusterDomain: o.clusterDomain,
      runtimeName: RUNTIME_NAME,
      log: o.log,
    });
  }

  private newPLEG(): GenericPLEG {
    return new GenericPLEG({
      cri: this.cri,
      relistPeriodMs: this.o.relistPeriodMs,
      log: this.o.log,
      observeRelist: (seconds) => this.metrics.plegRelistDuration.observe(seconds),
      onEvent: (e) => {
        // Before the sources are read, unknown pods may simply not be listed yet.
        if (this.pods.has(e.podUID) || this.sourcesReady) this.podWorkers.update(e.podUID);
      },
    });
  }

  private newContainerGC(): ContainerGC {
    return new ContainerGC({
      cri: this.cri,
      isKnownPod: (uid) => this.pods.has(uid) || !this.sourcesReady,
      onOrphan: (uid) => this.podWorkers.update(uid),
      sandboxImage: 'registry.k8s.io/pause:3.9',
      log: this.o.log,
    });
  }

  // ---- start / stop ----

  async run(): Promise<void> {
    const o = this.o;
    // Upstream's BirthCry.
    void this.recorder.record(this.nodeRef, 'Normal', 'Starting', 'Starting kubelet.');
    await this.waitForRuntime();

    if (o.setUpNetwork ?? (!!o.podCIDR && !!o.cniConfDir)) {
      if (!o.podCIDR || !o.cniConfDir) throw new Error('node network setup needs --pod-cidr and --cni-conf-dir');
      const r = await setUpNodeNetwork({
        bridge: o.cniBridge,
        podCIDR: o.podCIDR,
        nodeIP: o.nodeIP,
        cniConfDir: o.cniConfDir,
        ipamDataDir: this.paths.cniIpamDir(),
        log: (m) => this.log(m),
      });
      this.log(`node network ready: bridge ${o.cniBridge} ${r.gateway}, CNI config ${r.conflistPath}`);
    }

    await this.nodeStatus.register();
    this.nodeStatus.start();
    this.lease.start();

    this.podInformer.addEventHandler({
      onAdd: (p) => this.onPodUpdate(p),
      onUpdate: (_, p) => this.onPodUpdate(p),
      onDelete: (p) => this.onPodDelete(p),
    });
    this.serviceFactory.start();
    this.podFactory.start();
    await Promise.all([this.podFactory.waitForCacheSync(60_000), this.serviceFactory.waitForCacheSync(60_000)]);

    if (o.podManifestPath) {
      this.readStaticPods();
      const t = setInterval(() => this.readStaticPods(), o.fileCheckFrequencyMs ?? 20_000);
      this.timers.push(t);
    }
    // Every source has been read once: from now on runtime pods nobody owns are orphans.
    this.sourcesReady = true;
    this.pleg.start();
    const snapshot = await this.pleg.relist();
    for (const uid of snapshot.podUIDs) if (!this.pods.has(uid)) this.podWorkers.update(uid);
    for (const uid of await this.volumes.podUIDsOnDisk().catch(() => [])) if (!this.pods.has(uid)) this.podWorkers.update(uid);

    const gcEvery = o.gcPeriodMs ?? 60_000;
    this.timers.push(
      setInterval(() => void this.gc.garbageCollect().catch((err: unknown) => this.log(`garbage collection failed: ${(err as Error).message}`)), gcEvery),
    );
    this.timers.push(
      setInterval(() => {
        this.runtime.containerBackoff.gc();
        this.images.backoff.gc();
      }, 60_000),
    );

    if (o.enableServer ?? true) {
      this.server = await startKubeletServer({
        address: o.serverAddress ?? o.nodeIP,
        port: o.port,
        tlsCertFile: o.tlsCertFile,
        tlsKeyFile: o.tlsPrivateKeyFile,
        clientCAFile: o.clientCAFile,
        auth: o.serverAuth
          ? buildAuth({ ...o.serverAuth, nodeName: o.nodeName, clientCA: !!o.clientCAFile, client: o.client, log: (m) => this.log(m) })
          : undefined,
        certDir: join(o.rootDir, 'pki'),
        hostnames: [o.nodeName, o.nodeIP],
        cri: this.cri,
        locator: this.locator,
        pods: () => [...this.pods.values()].filter((st) => !st.removed).map((st) => st.pod),
        metrics: this.metrics,
        stats: this.stats,
        log: (m) => this.log(m),
      });
    }
    this.log(`kubelet running on node ${o.nodeName}`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.pleg.stop();
    this.podWorkers.stop();
    this.probes.stop();
    this.nodeStatus.stop();
    this.lease.stop();
    await this.server?.close();
    await this.statusManager.flush().catch(() => undefined);
    this.statusManager.stop();
    await Promise.all([this.podFactory.shutdown(), this.serviceFactory.shutdown(), this.secretManager.stop(), this.configMapManager.stop()]);
    this.cri.close();
  }

  private async waitForRuntime(): Promise<void> {
    let logged = false;
    for (;;) {
      try {
        const v = await this.cri.runtime.version({ version: 'v1' }, { timeoutMs: 5000 });
        this.runtimeVersion = `${v.runtimeName}://${v.runtimeVersion}`;
        this.log(`container runtime ${this.runtimeVersion} (CRI ${v.runtimeApiVersion}) at ${this.o.runtimeEndpoint}`);
        return;
      } catch (err) {
        if (this.stopped) throw err;
        if (!logged) this.log(`waiting for the container runtime at ${this.o.runtimeEndpoint}: ${(err as Error).message}`);
        logged = true;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async runtimeState(): Promise<RuntimeState> {
    try {
      const v = await this.cri.runtime.version({ version: 'v1' }, { timeoutMs: 5000 });
      this.runtimeVersion = `${v.runtimeName}://${v.runtimeVersion}`;
      const st = await this.cri.runtime.status({}, { timeoutMs: 5000 });
      const problems: string[] = [];
      for (const type of ['RuntimeReady', 'NetworkReady']) {
        const c = st.status?.conditions.find((x) => x.type === type);
        if (!c || !c.status) {
          const what = type === 'NetworkReady' ? 'container runtime network not ready' : 'container runtime not ready';
          problems.push(`${what}: ${type}=false reason:${c?.reason ?? ''} message:${c?.message ?? ''}`);
        }
      }
      if (!this.pleg.healthy() && this.sourcesReady) problems.push('PLEG is not healthy: pleg was last seen active more than 3m0s ago');
      return { containerRuntimeVersion: this.runtimeVersion, runtimeError: problems.join(', ') };
    } catch (err) {
      return { containerRuntimeVersion: this.runtimeVersion, runtimeError: `container runtime is down: ${(err as Error).message}` };
    }
  }

  // ---- pod sources ----

  private onPodUpdate(pod: Pod): void {
    if (isMirrorPod(pod)) {
      const old = this.mirrorPods.get(podKey(pod));
      this.mirrorPods.set(podKey(pod), pod);
      // Our own status writes come back as updates; only a new or deleted mirror needs the static pod's worker.
      if (old && old.metadata.uid === pod.metadata.uid && !pod.metadata.deletionTimestamp) return;
      const st = this.staticPodByName(pod.metadata.namespace ?? '', pod.metadata.name ?? '');
      if (st) this.podWorkers.update(st.pod.metadata.uid ?? '');
      return;
    }
    const uid = pod.metadata.uid ?? '';
    const st = this.pods.get(uid);
    if (st) {
      const changed = podDesiredStateChanged(st.pod, pod);
      // Labels/annotations feed downward API volumes.
      if (
        JSON.stringify(st.pod.metadata.labels) !== JSON.stringify(pod.metadata.labels) ||
        JSON.stringify(st.pod.metadata.annotations) !== JSON.stringify(pod.metadata.annotations)
      )
        st.refreshVolumes = true;
      st.pod = pod;
      // A status-only update (most often our own write coming back) is upstream's RECONCILE: no sync.
      if (!changed) return;
      this.registerPod(pod);
    } else {
      this.pods.set(uid, { pod, source: 'api', removed: false, volumesReady: false, refreshVolumes: false, firstSeen: Date.now() });
      this.registerPod(pod);
    }
    this.podWorkers.update(uid);
  }

  private onPodDelete(pod: Pod): void {
    if (isMirrorPod(pod)) {
      this.mirrorPods.delete(podKey(pod));
      const st = this.staticPodByName(pod.metadata.namespace ?? '', pod.metadata.name ?? '');
      if (st) this.podWorkers.update(st.pod.metadata.uid ?? '');
      return;
    }
    const st = this.pods.get(pod.metadata.uid ?? '');
    if (!st) return;
    st.removed = true;
    // Gone from the apiserver, the pod no longer entitles this node to its objects.
    this.unregisterPod(st.pod);
    this.podWorkers.update(pod.metadata.uid ?? '');
  }

  /** Starts watching, or adjusts, the Secrets and ConfigMaps the pod refers to (upstream's podManager.AddPod/UpdatePod). */
  private registerPod(pod: Pod): void {
    this.secretManager.registerPod(pod);
    this.configMapManager.registerPod(pod);
  }

  private unregisterPod(pod: Pod): void {
    this.secretManager.unregisterPod(pod);
    this.configMapManager.unregisterPod(pod);
  }

  /** A watched ConfigMap or Secret changed: the pods that use it rewrite their volumes. */
  private onReferencedObjectChange(kind: 'configMap' | 'secret', namespace: string, name: string): void {
    const manager = kind === 'configMap' ? this.configMapManager : this.secretManager;
    for (const uid of manager.podsReferencing(namespace, name)) {
      const st = this.pods.get(uid);
      if (!st || st.removed) continue;
      st.refreshVolumes = true;
      this.podWorkers.update(uid);
    }
  }

  /** Reads --pod-manifest-path: new static pods start, removed or edited ones go. */
  private readStaticPods(): void {
    const dir = this.o.podManifestPath;
    if (!dir) return;
    const { pods, errors } = readManifestDir(dir, this.o.nodeName);
    for (const e of errors) this.log(`static pod manifest: ${e}`);
    const seen = new Set<string>();
    for (const pod of pods) {
      const uid = pod.metadata.uid ?? '';
      seen.add(uid);
      if (this.pods.has(uid)) continue;
      this.pods.set(uid, { pod, source: 'file', removed: false, volumesReady: false, refreshVolumes: false });
      this.registerPod(pod);
      this.log(`static pod ${podKey(pod)} from ${dir}`);
      this.podWorkers.update(uid);
    }
    // A manifest that failed to parse keeps its pods running (as upstream: only a clean read removes).
    if (errors.length) return;
    for (const [uid, st] of this.pods) {
      if (st.source !== 'file' || seen.has(uid) || st.removed) continue;
      st.removed = true;
      this.unregisterPod(st.pod);
      this.podWorkers.update(uid);
    }
  }

  private staticPodByName(namespace: string, name: string): PodState | undefined {
    for (const st of this.pods.values()) if (st.source === 'file' && st.pod.metadata.namespace === namespace && st.pod.metadata.name === name) return st;
    return undefined;
  }

  /** The pod the kubelet runs under that name (static pods by their mirror's name). */
  podByName(namespace: string, name: string): Pod | undefined {
    let found: Pod | undefined;
    for (const st of this.pods.values()) {
      if (st.pod.metadata.namespace === namespace && st.pod.metadata.name === name && !st.removed) found = st.pod;
    }
    return found;
  }

  // ---- the per-pod sync ----

  private async syncPod(uid: string): Promise<SyncOutcome> {
    if (this.stopped) return { done: true };
    const st = this.pods.get(uid);
    if (!st) return this.syncOrphan(uid);
    if (st.removed || st.pod.metadata.deletionTimestamp) return this.syncTerminatingPod(st);
    return this.syncRunningPod(st);
  }

  /** The apiserver's object for the pod: itself, or a static pod's mirror pod. */
  private apiPodFor(st: PodState): Pod | undefined {
    if (st.source === 'api') return this.podInformer.lister.get(st.pod.metadata.namespace ?? '', st.pod.metadata.name ?? '') ?? st.pod;
    return this.mirrorPods.get(podKey(st.pod));
  }

  private async syncRunningPod(st: PodState): Promise<SyncOutcome> {
    const pod = st.pod;
    const uid = pod.metadata.uid ?? '';
    // A pod this kubelet never synced and the runtime did not have at the last relist has nothing
    // in the runtime yet: skip reading it (two CRI lists per new pod add up in a burst).
    const snapshot = this.pleg.lastSnapshot();
    const fresh = !st.lastRuntime && snapshot.timestamp > 0 && !snapshot.podUIDs.has(uid);
    let runtime = fresh
      ? emptyPodRuntimeStatus(uid, pod.metadata.name ?? '', pod.metadata.namespace ?? '')
      : await this.runtime.getPodStatus(uid, pod.metadata.name ?? '', pod.metadata.namespace ?? '');
    st.lastRuntime = runtime;

    const known = this.statusManager.getPodStatus(uid) ?? this.apiPodFor(st)?.status;
    if (isPodTerminal({ status: known })) {
      // Finished pods never run again; make sure nothing is left running.
      this.probes.remove(uid);
      this.metrics.forgetProbes(uid);
      if (runtime.containerStatuses.some((c) => c.state === 'running') || runtime.sandboxStatuses.some((s) => s.state === 'ready')) {
        await this.runtime.killPod(pod, runtime);
        runtime = await this.runtime.getPodStatus(uid, pod.metadata.name ?? '', pod.metadata.namespace ?? '');
      }
      this.setStatus(st, runtime, true);
      return {};
    }

    // The periodic resync (upstream's syncFrequency) is each pod's own requeue; a back-off ending comes sooner.
    const syncEvery = this.o.syncFrequencyMs ?? 60_000;
    if (!st.volumesReady) {
      try {
        await this.volumes.setUp(pod);
        st.volumesReady = true;
        st.refreshVolumes = false;
        st.volumesWrittenAt = Date.now();
      } catch (err) {
        this.log(`pod ${podKey(pod)}: ${(err as Error).message}`);
        this.setStatus(st, runtime, false);
        return { requeueAfterMs: 2000 };
      }
    } else if (st.refreshVolumes || Date.now() - (st.volumesWrittenAt ?? 0) >= syncEvery / 2) {
      // As upstream's volume manager remounts ConfigMap, Secret, downward API and projected volumes
      // at every periodic sync: a service account token is fetched again at 80% of its lifetime.
      st.refreshVolumes = false;
      st.volumesWrittenAt = Date.now();
      await this.volumes.refresh(pod).catch((err: unknown) => this.log(`pod ${podKey(pod)}: refreshing volumes: ${(err as Error).message}`));
    }

    if (st.source === 'file') await this.syncMirrorPod(st);

    // Report what is known before acting (ContainerCreating while images are pulled), as upstream's SyncPod does.
    this.setStatus(st, runtime, false);
    const result = await this.runtime.syncPod(pod, runtime);
    if (result.changed) {
      runtime = await this.runtime.getPodStatus(uid, pod.metadata.name ?? '', pod.metadata.namespace ?? '');
      st.lastRuntime = runtime;
    }
    for (const k of [...this.probeFailures.keys()]) {
      if (!k.startsWith(`${uid}/`)) continue;
      const f = this.probeFailures.get(k);
      if (f && !runtime.containerStatuses.some((c) => c.id === f.containerId && c.state === 'running')) this.probeFailures.delete(k);
    }
    const status = this.setStatus(st, runtime, false);
    // add() also refreshes the pod it holds (e.g. a new deletionTimestamp).
    this.probes.add(pod);
    this.probes.updateStatus(uid, status);

    const delay = result.retryAt ? Math.max(0, result.retryAt - Date.now()) + 50 : syncEvery;
    return { requeueAfterMs: Math.min(delay, syncEvery) };
  }

  /** Creates, or replaces, the static pod's mirror pod in the apiserver. */
  private async syncMirrorPod(st: PodState): Promise<void> {
    const mirror = this.mirrorPods.get(podKey(st.pod));
    if (mirror && isMirrorOf(mirror, st.pod)) return;
    if (mirror && !mirror.metadata.deletionTimestamp)
      await this.mirrors.delete(mirror.metadata.namespace ?? '', mirror.metadata.name ?? '', mirror.metadata.uid);
    if (mirror?.metadata.deletionTimestamp) return; // wait for it to go
    const existing = this.podInformer.lister.get(st.pod.metadata.namespace ?? '', st.pod.metadata.name ?? '');
    if (existing && !isMirrorPod(existing)) {
      this.log(`static pod ${podKey(st.pod)}: a pod that is not its mirror has the name; not creating a mirror pod`);
      return;
    }
    const created = await this.mirrors.create(st.pod, this.nodeStatus.node()).catch((err: unknown) => {
      this.log(`creating mirror pod for ${podKey(st.pod)} failed: ${(err as Error).message}`);
      return undefined;
    });
    if (created) this.mirrorPods.set(podKey(created), created);
  }

  private setStatus(st: PodState, runtime: PodRuntimeStatus, podIsTerminal: boolean): PodStatus {
    const pod = st.pod;
    const uid = pod.metadata.uid ?? '';
    const apiPod = this.apiPodFor(st);
    const cached = this.statusManager.getPodStatus(uid);
    const apiStatus = apiPod?.status ?? pod.status;
    // Our conditions as we last computed them; others' (PodScheduled, readiness gates) as the apiserver has them.
    const old: PodStatus | undefined = cached
      ? {
          ...cached,
          conditions: [
            ...(cached.conditions ?? []).filter((c) => KUBELET_CONDITIONS.includes(c.type)),
            ...(apiStatus?.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.includes(c.type)),
          ],
        }
      : apiStatus;
    const status = generateAPIPodStatus({
      pod: { ...pod, status: old },
      runtime,
      startFailure: (name) => this.reasons.get(uid, name),
      readiness: (name) => (this.probes.readiness(uid, name) ? 'success' : 'failure'),
      startup: (name) => (this.probes.started(uid, name) ? 'success' : undefined),
      nodeIPs: [this.o.nodeIP],
      podIsTerminal,
      now: rfc3339(),
      runtimeName: RUNTIME_NAME,
    });
    if (apiPod) this.statusManager.setPodStatus(pod, status, apiPod);
    this.observePodStart(st, status);
    return status;
  }

  /**
   * The pod's start, once: when it is Running with every container started. From when this
   * kubelet first saw it (kubelet_pod_start_duration_seconds) and from its creation
   * (kubelet_pod_start_sli_duration_seconds; image pulls are not subtracted here).
   */
  private observePodStart(st: PodState, status: PodStatus): void {
    if (st.startObserved || status.phase !== 'Running') return;
    const containers = status.containerStatuses ?? [];
    if (containers.length === 0 || !containers.every((c) => c.state?.running)) return;
    st.startObserved = true;
    const now = Date.now();
    if (st.firstSeen !== undefined) this.metrics.podStartDuration.observe((now - st.firstSeen) / 1000);
    const created = Date.parse(st.pod.metadata.creationTimestamp ?? '');
    if (Number.isFinite(created)) this.metrics.podStartSLIDuration.observe(Math.max(0, now - created) / 1000);
  }

  /** Stops the pod (preStop, grace period), reports its last status, removes all trace of it and deletes it from the apiserver. */
  private async syncTerminatingPod(st: PodState): Promise<SyncOutcome> {
    const pod = st.pod;
    const uid = pod.metadata.uid ?? '';
    this.probes.remove(uid);
    this.metrics.forgetProbes(uid);
    let runtime = await this.runtime.getPodStatus(uid, pod.metadata.name ?? '', pod.metadata.namespace ?? '');
    const running =
      runtime.containerStatuses.some((c) => c.state === 'running' || c.state === 'unknown' || c.state === 'created') ||
      runtime.sandboxStatuses.some((s) => s.state === 'ready');
    if (running) {
      this.log.v(2)('terminating pod', { pod: podKey(pod), grace: pod.metadata.deletionGracePeriodSeconds });
      await this.runtime.killPod(pod, runtime);
      runtime = await this.runtime.getPodStatus(uid, pod.metadata.name ?? '', pod.metadata.namespace ?? '');
    }
    // Resources first, status last: the apiserver finishes a deletion as soon as the
    // status turns terminal, and by then nothing of the pod may be left on the node.
    await this.cleanUpPod(uid, runtime);
    if (st.source === 'api') {
      if (!st.removed) {
        this.setStatus(st, runtime, true);
        await this.statusManager.deletePod(this.apiPodFor(st) ?? pod);
      }
    } else {
      // Only this version's mirror: an edited manifest's new static pod may already have its own under the name.
      const mirror = this.mirrorPods.get(podKey(pod));
      if (mirror && isMirrorOf(mirror, pod)) await this.mirrors.delete(mirror.metadata.namespace ?? '', mirror.metadata.name ?? '', mirror.metadata.uid);
    }
    this.pods.delete(uid);
    this.unregisterPod(pod);
    this.statusManager.removePod(uid);
    this.log.v(2)('pod terminated and removed', { pod: podKey(pod) });
    return { done: true };
  }

  /** A pod in the runtime (or on disk) that no source knows: kill and remove it. */
  private async syncOrphan(uid: string): Promise<SyncOutcome> {
    if (!this.sourcesReady) return { done: true };
    const runtime = await this.runtime.getPodStatus(uid, '', '');
    if (runtime.containerStatuses.length || runtime.sandboxStatuses.length) {
      this.log(`removing pod ${uid}: no pod source knows it`);
      await this.runtime.killPod(undefined, runtime);
    }
    await this.cleanUpPod(uid, await this.runtime.getPodStatus(uid, '', '').catch(() => runtime));
    return { done: true };
  }

  private async cleanUpPod(uid: string, runtime: PodRuntimeStatus): Promise<void> {
    await this.volumes.tearDown(uid);
    await this.runtime.removePodResources(runtime);
    this.reasons.clearPod(uid);
    for (const k of [...this.probeFailures.keys()]) if (k.startsWith(`${uid}/`)) this.probeFailures.delete(k);
    removePodCgroups(this.o.cgroupRoot ?? '/', uid);
    const podDir = this.paths.podDir(uid);
    // Never rm into a mount: anything still mounted there is unmounted first, and the removal skipped if that fails.
    for (const m of await mountsUnder(podDir)) await unmount(m).catch(() => undefined);
    if ((await mountsUnder(podDir)).length === 0) rmSync(podDir, { recursive: true, force: true });
    // Logs go with the pod; found by UID since an orphan's name is not known.
    for (const d of readdirSafe(this.paths.logsDir())) if (d.endsWith(`_${uid}`)) rmSync(join(this.paths.logsDir(), d), { recursive: true, force: true });
  }

  // ---- helpers for the runtime manager ----

  private async runContainerOptions(
    pod: Pod,
    container: Container,
    podIPs: string[],
    allocatable: ResourceList,
  ): Promise<{ envs: KeyValue[]; mounts: Mount__Input[] }> {
    const services = this.serviceInformer.lister.list();
    const svcEnv = serviceEnv(services, pod.metadata.namespace ?? 'default', pod.spec.enableServiceLinks ?? true);
    const envs = await resolveEnv(pod, container, this.lookup, svcEnv, {
      podIPs,
      hostIPs: [this.o.nodeIP],
      nodeAllocatable: allocatable,
      recordEvent: (type, reason, message) => this.event(pod, type, reason, message),
    });
    const mounts: Mount__Input[] = this.volumes.mountsFor(pod, container, envs);
    // The kubelet-managed /etc/hosts, unless the container mounts its own.
    const ownHosts = (container.volumeMounts ?? []).some((m) => m.mountPath === '/etc/hosts');
    if (!ownHosts && (podIPs.length > 0 || pod.spec.hostNetwork)) {
      const path = this.paths.podEtcHostsPath(pod.metadata.uid ?? '');
      mkdirSync(this.paths.podDir(pod.metadata.uid ?? ''), { recursive: true, mode: 0o750 });
      writeFileSync(path, hostsFileContent(pod, podIPs, pod.spec.hostAliases, { clusterDomain: this.o.clusterDomain }), { mode: 0o644 });
      mounts.push({ containerPath: '/etc/hosts', hostPath: path, readonly: false });
    }
    return { envs, mounts };
  }

  private dnsConfig(pod: Pod): DNSConfig__Input {
    return podDNSConfig(pod, {
      clusterDNS: this.o.clusterDNS,
      clusterDomain: this.o.clusterDomain,
      hostResolvConf: this.o.resolvConf ?? '/etc/resolv.conf',
      nodeIPs: [this.o.nodeIP],
      recordEvent: (type, reason, message) => this.event(pod, type, reason, message),
    });
  }

  /** An Event about pod, or about one of its containers (the reference then carries its fieldPath). */
  private event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, container?: string): void {
    // Events about a static pod are filed against its mirror pod, which is what users can see.
    const target = isStaticPod(pod) ? (this.mirrorPods.get(podKey(pod)) ?? pod) : pod;
    if (container === undefined) void this.recorder.event(target, type, reason, message, { apiVersion: 'v1', kind: 'Pod' });
    else void this.recorder.record(containerRef(target, container), type, reason, message);
  }

  private async getOrUndefined<T extends KubeObject>(resource: string, name: string, namespace?: string): Promise<T | undefined> {
    try {
      return await this.o.client.resource<T>('v1', resource).namespace(namespace).get(name);
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  // ---- probes ----

  private onProbeResult(
    uid: string,
    name: string,
    kind: 'liveness' | 'readiness' | 'startup',
    result: 'success' | 'failure' | 'unknown',
    containerId: string,
  ): void {
    const st = this.pods.get(uid);
    if (!st) return;
    if (kind !== 'readiness') {
      const key = `${uid}/${name}/${kind}`;
      if (result === 'failure') this.probeFailures.set(key, { containerId: containerId.replace(/^[a-z]+:\/\//, ''), result: 'failure' });
      else this.probeFailures.delete(key);
    }
    this.podWorkers.update(uid);
  }

  private probeFailureFor(containerId: string, kind: 'liveness' | 'startup'): ActionProbeResult | undefined {
    for (const [k, f] of this.probeFailures) if (f.containerId === containerId && k.endsWith(`/${kind}`)) return f.result;
    return undefined;
  }

  // ---- tests and tools ----

  /** UIDs of the pods the kubelet currently runs or terminates. */
  podUIDs(): string[] {
    return [...this.pods.keys()];
  }

  /** The runtime view of a pod, for tests. */
  async podRuntimeStatus(uid: string): Promise<PodRuntimeStatus> {
    const st = this.pods.get(uid);
    if (!st) return emptyPodRuntimeStatus(uid, '', '');
    return this.runtime.getPodStatus(uid, st.pod.metadata.name ?? '', st.pod.metadata.namespace ?? '');
  }
}
