// gRPC probes (pkg/probe/grpc): grpc.health.v1.Health/Check on the pod IP,
// plaintext, within timeoutSeconds; SERVING is a success. Messages as upstream's.
import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import { joinHostPort } from './tcp.js';
import type { ProbeOutcome } from './types.js';

/** grpc/health/v1/health.proto, the part probes use (field numbers as published). */
const HEALTH_PROTO = {
  nested: {
    grpc: {
      nested: {
        health: {
          nested: {
            v1: {
              nested: {
                HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
                HealthCheckResponse: {
                  fields: { status: { type: 'ServingStatus', id: 1 } },
                  nested: { ServingStatus: { values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } } },
                },
                Health: { methods: { Check: { requestType: 'HealthCheckRequest', responseType: 'HealthCheckResponse' } } },
              },
            },
          },
        },
      },
    },
  },
};

interface HealthCheckResponse {
  status: string;
}

interface HealthClient extends grpc.Client {
  Check(req: { service: string }, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: HealthCheckResponse) => void): grpc.ClientUnaryCall;
}

type HealthClientCtor = new (address: string, creds: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => HealthClient;

let ctor: HealthClientCtor | undefined;

function healthClient(): HealthClientCtor {
  if (!ctor) {
    const def = fromJSON(HEALTH_PROTO as Parameters<typeof fromJSON>[0], { keepCase: false, longs: Number, enums: String, defaults: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { grpc: { health: { v1: { Health: HealthClientCtor } } } };
    ctor = pkg.grpc.health.v1.Health;
  }
  return ctor;
}

export async function grpcProbe(host: string, port: number, service: string, timeoutS: number, userAgent: string): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  const timeout = `${timeoutS}s`;
  const Client = healthClient();
  const client = new Client(addr, grpc.credentials.createInsecure(), { 'grpc.primary_user_agent': userAgent, 'grpc.enable_retries': 0 });
  const deadline = Date.now() + timeoutS * 1000;
  try {
    // grpc.WithBlock: the connection must come up within the timeout.
    const connectErr = await new Promise<Error | undefined>((resolve) => client.waitForReady(deadline, (err) => resolve(err ?? undefined)));
    if (connectErr) {
      return { result: 'failure', output: `timeout: failed to connect service "${addr}" within ${timeout}: context deadline exceeded` };
    }
    const res = await new Promise<{ err: grpc.ServiceError | null; res?: HealthCheckResponse }>((resolve) =>
      client.Check({ service }, { deadline }, (err, r) => resolve({ err, res: r })),
    );
    if (res.err) {
      if (res.err.code === grpc.status.UNIMPLEMENTED) {
        return { result: 'failure', output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${res.err.details}` };
      }
      if (res.err.code === grpc.status.DEADLINE_EXCEEDED) return { result: 'failure', output: `timeout: health rpc did not complete within ${timeout}` };
      return { result: 'failure', output: `error: health rpc probe failed: rpc error: code = ${grpc.status[res.err.code]} desc = ${res.err.details}` };
    }
    const status = res.res?.status ?? 'UNKNOWN';
    if (status !== 'SERVING') return { result: 'failure', output: `service unhealthy (responded with "${status}")` };
    return { result: 'success', output: 'service healthy' };
  } finally {
    client.close();
  }
}
