// A CRI (runtime.v1) client over gRPC on the runtime's unix socket. The proto
// is loaded at run time from the source tree because tsc does not copy .proto
// files into dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ImageServiceDefinition, RuntimeServiceDefinition } from './generated/index.js';

export type * from './generated/index.js';

export interface CallOptions {
  /** Deadline for this call; 0 means none. */
  timeoutMs?: number;
}

export interface CRIClientOptions {
  /** Default deadline for every call except PullImage (the kubelet's --runtime-request-timeout is 2 min). */
  timeoutMs?: number;
  /** Default deadline for PullImage; 0 (the default) means none, since big images take long. */
  pullTimeoutMs?: number;
  /** Sees every call once it ends (the kubelet's runtime operation metrics): the RPC's name, its duration, whether it failed. */
  observe?: (rpc: string, seconds: number, failed: boolean) => void;
}

/** One promise method per RPC of a generated service definition, named in lowerCamelCase (`RunPodSandbox` → `runPodSandbox`). */
type PromiseService<D> = {
  [K in keyof D as K extends string ? (string extends K ? never : Uncapitalize<K>) : never]: D[K] extends protoLoader.MethodDefinition<
    infer Req,
    infer _Res,
    infer _ReqOut,
    infer ResOut
  >
    ? (req: Req, opts?: CallOptions) => Promise<ResOut>
    : never;
};

export type RuntimeService = PromiseService<RuntimeServiceDefinition>;
export type ImageService = PromiseService<ImageServiceDefinition>;

// The options hack/gen-cri-types.sh gives the type generator: change both together.
const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true };
const DEFAULT_TIMEOUT_MS = 120_000;
// Lists of hundreds of containers with labels and annotations exceed grpc's 4 MiB default.
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** api.proto next to this file (source runs) or in the source tree (dist/pkg/cri/client.js). */
export function criProtoPath(): string {
  const candidates = [new URL('./api.proto', import.meta.url), new URL('../../../pkg/cri/api.proto', import.meta.url)];
  for (const u of candidates) {
    const p = fileURLToPath(u);
    if (existsSync(p)) return p;
  }
  throw new Error(`CRI api.proto not found (looked at ${candidates.map((u) => fileURLToPath(u)).join(', ')})`);
}

let cachedDefinition: protoLoader.PackageDefinition | undefined;
function packageDefinition(): protoLoader.PackageDefinition {
  cachedDefinition ??= protoLoader.loadSync(criProtoPath(), LOADER_OPTIONS);
  return cachedDefinition;
}

function lowerFirst(s: string): string {
  return s[0].toLowerCase() + s.slice(1);
}

/**
 * Builds promise methods (lowerCamelCase) for every RPC of one service from the
 * loaded definition, all on the shared grpc.Client.
 */
function bindService(
  client: grpc.Client,
  serviceName: string,
  defaultTimeout: (rpc: string, req: unknown) => number,
  observe?: (rpc: string, seconds: number, failed: boolean) => void,
): Record<string, (req: unknown, opts?: CallOptions) => Promise<unknown>> {
  const def = packageDefinition()[`runtime.v1.${serviceName}`] as protoLoader.ServiceDefinition | undefined;
  if (!def) throw new Error(`runtime.v1.${serviceName} missing from api.proto`);
  const out: Record<string, (req: unknown, opts?: CallOptions) => Promise<unknown>> = {};
  for (const [rpc, m] of Object.entries(def)) {
    out[lowerFirst(rpc)] = (req, opts) =>
      new Promise((resolve, reject) => {
        const timeoutMs = opts?.timeoutMs ?? defaultTimeout(rpc, req);
        const callOpts: grpc.CallOptions = timeoutMs > 0 ? { deadline: Date.now() + timeoutMs } : {};
        const start = observe ? performance.now() : 0;
        client.makeUnaryRequest(
          m.path,
          m.requestSerialize as (v: unknown) => Buffer,
          m.responseDeserialize as (b: Buffer) => unknown,
          req ?? {},
          new grpc.Metadata(),
          callOpts,
          (err, res) => {
            observe?.(rpc, (performance.now() - start) / 1000, !!err);
            if (err) reject(err);
            else resolve(res);
          },
        );
      });
  }
  return out;
}

export class CRIClient {
  readonly runtime: RuntimeService;
  readonly image: ImageService;
  private readonly client: grpc.Client;

  constructor(
    readonly socketPath: string,
    opts: CRIClientOptions = {},
  ) {
    const target = socketPath.startsWith('unix:') ? socketPath : `unix://${socketPath}`;
    this.client = new grpc.Client(target, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    });
    const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const pullTimeout = opts.pullTimeoutMs ?? 0;
    const pick = (rpc: string, req: unknown) => {
      if (rpc === 'PullImage') return pullTimeout;
      // An ExecSync may legitimately run longer than the default deadline (its own timeout, in seconds).
      const execTimeout = rpc === 'ExecSync' ? Number((req as { timeout?: unknown } | undefined)?.timeout ?? 0) : 0;
      return execTimeout > 0 && timeout > 0 ? Math.max(timeout, execTimeout * 1000 + 5000) : timeout;
    };
    this.runtime = bindService(this.client, 'RuntimeService', pick, opts.observe) as unknown as RuntimeService;
    this.image = bindService(this.client, 'ImageService', pick, opts.observe) as unknown as ImageService;
  }

  close(): void {
    this.client.close();
  }
}

/** The gRPC status code of a failed CRI call (e.g. grpc.status.NOT_FOUND), if it is one. */
export function grpcCode(err: unknown): grpc.status | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'number') {
    return (err as { code: grpc.status }).code;
  }
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  return grpcCode(err) === grpc.status.NOT_FOUND;
}

export { status as GrpcStatus } from '@grpc/grpc-js';
