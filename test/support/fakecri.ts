// A CRI runtime double for kubelet integration tests: a real gRPC server on a unix
// socket speaking runtime.v1 from the project's api.proto, keeping sandboxes,
// containers and images in memory. Containers "run" as soon as they start and exit
// when stopped; images listed in `missing` are pulled on first use. No process, mount
// or network is made, so a real kubelet can run against a real apiserver without
// containerd. RPCs the kubelet does not need answer UNIMPLEMENTED.
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { criProtoPath } from '../../pkg/cri/client.js';

type Labels = Record<string, string>;

interface FakeSandbox {
  id: string;
  metadata: { name: string; uid: string; namespace: string; attempt: number };
  state: 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
  createdAt: number;
  labels: Labels;
  annotations: Labels;
  ip: string;
}

interface FakeContainer {
  id: string;
  podSandboxId: string;
  metadata: { name: string; attempt: number };
  image: string;
  state: 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED';
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  labels: Labels;
  annotations: Labels;
  logPath: string;
}

export interface FakeRuntime {
  endpoint: string;
  /** Every RPC called, by name, in order. */
  calls: string[];
  sandboxes: Map<string, FakeSandbox>;
  containers: Map<string, FakeContainer>;
  stop(): Promise<void>;
}

const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true };

function nowNs(): number {
  return Date.now() * 1e6;
}

function id(): string {
  return randomBytes(32).toString('hex');
}

function matches(labels: Labels, selector: Labels | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

/** Starts the double on socketPath. `images` are present from the start; any other image is pulled when asked. */
export async function startFakeRuntime(socketPath: string, opts: { images?: string[] } = {}): Promise<FakeRuntime> {
  const def = protoLoader.loadSync(criProtoPath(), LOADER_OPTIONS);
  const sandboxes = new Map<string, FakeSandbox>();
  const containers = new Map<string, FakeContainer>();
  const images = new Set(opts.images ?? []);
  const calls: string[] = [];
  let ipSeq = 2;

  // Requests as the proto loader decodes them (camelCase fields, enums as strings).
  type Req = Record<string, any>;
  const notFound = (what: string) => Object.assign(new Error(`${what} not found`), { code: grpc.status.NOT_FOUND });
  const sandboxStatus = (s: FakeSandbox) => ({
    id: s.id,
    metadata: s.metadata,
    state: s.state,
    createdAt: s.createdAt,
    network: { ip: s.ip, additionalIps: [] },
    labels: s.labels,
    annotations: s.annotations,
  });
  const containerView = (c: FakeContainer) => ({
    id: c.id,
    podSandboxId: c.podSandboxId,
    metadata: c.metadata,
    image: { image: c.image },
    imageRef: `sha256:${Buffer.from(c.image).toString('hex').padEnd(64, '0').slice(0, 64)}`,
    state: c.state,
    createdAt: c.createdAt,
    labels: c.labels,
    annotations: c.annotations,
  });
  const imageView = (ref: string) => ({
    id: `sha256:${Buffer.from(ref).toString('hex').padEnd(64, '0').slice(0, 64)}`,
    repoTags: [ref],
    repoDigests: [],
    size: 1024,
  });

  const runtime: Record<string, (req: Req) => unknown> = {
    Version: () => ({ version: '0.1.0', runtimeName: 'containerd', runtimeVersion: 'fake', runtimeApiVersion: 'v1' }),
    Status: () => ({
      status: {
        conditions: [
          { type: 'RuntimeReady', status: true, reason: '', message: '' },
          { type: 'NetworkReady', status: true, reason: '', message: '' },
        ],
      },
    }),
    RunPodSandbox: (req) => {
      const cfg = req.config ?? {};
      const s: FakeSandbox = {
        id: id(),
        metadata: cfg.metadata,
        state: 'SANDBOX_READY',
        createdAt: nowNs(),
        labels: cfg.labels ?? {},
        annotations: cfg.annotations ?? {},
        ip: `10.244.0.${ipSeq++}`,
      };
      sandboxes.set(s.id, s);
      return { podSandboxId: s.id };
    },
    StopPodSandbox: (req) => {
      const s = sandboxes.get(req.podSandboxId);
      if (s) s.state = 'SANDBOX_NOTREADY';
      return {};
    },
    RemovePodSandbox: (req) => {
      sandboxes.delete(req.podSandboxId);
      for (const [cid, c] of containers) if (c.podSandboxId === req.podSandboxId) containers.delete(cid);
      return {};
    },
    PodSandboxStatus: (req) => {
      const s = sandboxes.get(req.podSandboxId);
      if (!s) throw notFound(`sandbox ${req.podSandboxId}`);
      return { status: sandboxStatus(s), info: {}, containersStatuses: [], timestamp: nowNs() };
    },
    ListPodSandbox: (req) => {
      const f = req.filter ?? {};
      const items = [...sandboxes.values()].filter(
        (s) => (!f.id || s.id === f.id) && (!f.state || s.state === f.state.state) && matches(s.labels, f.labelSelector),
      );
      return {
        items: items.map((s) => ({ id: s.id, metadata: s.metadata, state: s.state, createdAt: s.createdAt, labels: s.labels, annotations: s.annotations })),
      };
    },
    CreateContainer: (req) => {
      const cfg = req.config ?? {};
      if (!sandboxes.has(req.podSandboxId)) throw notFound(`sandbox ${req.podSandboxId}`);
      const c: FakeContainer = {
        id: id(),
        podSandboxId: req.podSandboxId,
        metadata: cfg.metadata,
        image: cfg.image?.image ?? '',
        state: 'CONTAINER_CREATED',
        createdAt: nowNs(),
        startedAt: 0,
        finishedAt: 0,
        exitCode: 0,
        labels: cfg.labels ?? {},
        annotations: cfg.annotations ?? {},
        logPath: cfg.logPath ?? '',
      };
      containers.set(c.id, c);
      return { containerId: c.id };
    },
    StartContainer: (req) => {
      const c = containers.get(req.containerId);
      if (!c) throw notFound(`container ${req.containerId}`);
      c.state = 'CONTAINER_RUNNING';
      c.startedAt = nowNs();
      return {};
    },
    StopContainer: (req) => {
      const c = containers.get(req.containerId);
      if (c && c.state !== 'CONTAINER_EXITED') {
        c.state = 'CONTAINER_EXITED';
        c.finishedAt = nowNs();
        c.exitCode = 137;
      }
      return {};
    },
    RemoveContainer: (req) => {
      containers.delete(req.containerId);
      return {};
    },
    ListContainers: (req) => {
      const f = req.filter ?? {};
      const items = [...containers.values()].filter(
        (c) =>
          (!f.id || c.id === f.id) &&
          (!f.podSandboxId || c.podSandboxId === f.podSandboxId) &&
          (!f.state || c.state === f.state.state) &&
          matches(c.labels, f.labelSelector),
      );
      return { containers: items.map(containerView) };
    },
    ContainerStatus: (req) => {
      const c = containers.get(req.containerId);
      if (!c) throw notFound(`container ${req.containerId}`);
      const v = containerView(c);
      return {
        status: {
          ...v,
          startedAt: c.startedAt,
          finishedAt: c.finishedAt,
          exitCode: c.exitCode,
          reason: c.state === 'CONTAINER_EXITED' ? 'Error' : '',
          message: '',
          mounts: [],
          logPath: c.logPath,
        },
        info: {},
      };
    },
    ListContainerStats: () => ({ stats: [] }),
    ListPodSandboxStats: () => ({ stats: [] }),
  };
  const image: Record<string, (req: Req) => unknown> = {
    ListImages: () => ({ images: [...images].map(imageView) }),
    ImageStatus: (req) => {
      const ref = req.image?.image ?? '';
      return images.has(ref) ? { image: imageView(ref), info: {} } : { info: {} };
    },
    PullImage: (req) => {
      const ref = req.image?.image ?? '';
      images.add(ref);
      return { imageRef: imageView(ref).id };
    },
    RemoveImage: (req) => {
      images.delete(req.image?.image ?? '');
      return {};
    },
    ImageFsInfo: () => ({ imageFilesystems: [], containerFilesystems: [] }),
  };

  const server = new grpc.Server();
  for (const [service, impl] of [
    ['RuntimeService', runtime],
    ['ImageService', image],
  ] as const) {
    const svc = def[`runtime.v1.${service}`] as protoLoader.ServiceDefinition;
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const rpc of Object.keys(svc)) {
      handlers[rpc] = (call: grpc.ServerUnaryCall<Req, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        calls.push(rpc);
        const fn = impl[rpc];
        if (!fn) return callback({ code: grpc.status.UNIMPLEMENTED, details: `${rpc} is not implemented by the fake runtime` });
        try {
          callback(null, fn(call.request));
        } catch (err) {
          const e = err as Error & { code?: number };
          callback({ code: e.code ?? grpc.status.UNKNOWN, details: e.message });
        }
      };
    }
    server.addService(svc as unknown as grpc.ServiceDefinition, handlers);
  }
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
  );
  return {
    endpoint: socketPath,
    calls,
    sandboxes,
    containers,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
