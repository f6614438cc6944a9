// runProbe: one exec/httpGet/tcpSocket/grpc probe run, with upstream's rules
// (pkg/probe/*, pkg/kubelet/prober/prober.go): exit code 0, HTTP 200–399 (a
// redirect to another host is a success with a warning), a TCP connect, or a
// grpc.health.v1 SERVING answer. Unreachable targets are failures; problems of
// the prober itself (unknown port name, exec plumbing) come back as `error`.
import { VERSION_INFO } from '../../util/version.js';
import type { Container, Probe } from '../../../api/core/v1/types.js';
import { execProbe } from './exec.js';
import { grpcProbe } from './grpc.js';
import { httpProbe } from './http.js';
import { tcpProbe } from './tcp.js';
import type { ExecSync, ProbeOutcome } from './types.js';

/** kube-probe/<major>.<minor>: the User-Agent of HTTP and gRPC probes. */
export const PROBE_USER_AGENT = `kube-probe/${VERSION_INFO.major}.${VERSION_INFO.minor}`;

export interface ProbeContext {
  /** The pod IP: the default host of httpGet/tcpSocket and the target of grpc. */
  podIP: string;
  /** CRI ExecSync in the probed container (exec probes). */
  execSync?: ExecSync;
  /** The probed container: named ports and $(VAR) in exec commands. */
  container?: Container;
}

/** probe.ResolveContainerPort: a number, a named container port, or a number written as a string. */
export function resolveContainerPort(port: number | string, container: Container | undefined): number {
  let n: number;
  if (typeof port === 'number') {
    n = port;
  } else {
    const named = (container?.ports ?? []).find((p) => p.name === port);
    if (named) n = named.containerPort;
    else if (/^[+-]?\d+$/.test(port)) n = Number(port);
    else throw new Error(`port ${port} not found`);
  }
  if (Number.isInteger(n) && n > 0 && n < 65536) return n;
  throw new Error(`invalid port number: ${n}`);
}

export async function runProbe(probe: Probe, ctx: ProbeContext): Promise<ProbeOutcome> {
  const timeoutS = probe.timeoutSeconds && probe.timeoutSeconds > 0 ? probe.timeoutSeconds : 1;
  try {
    if (probe.exec) {
      if (!ctx.execSync) return { result: 'failure', output: '', error: 'exec probe without an ExecSync' };
      return await execProbe(probe.exec.command ?? [], ctx.container, ctx.execSync, timeoutS);
    }
    if (probe.httpGet) {
      const g = probe.httpGet;
      const port = resolveContainerPort(g.port, ctx.container);
      return await httpProbe({
        scheme: g.scheme,
        host: g.host || ctx.podIP,
        port,
        path: g.path ?? '',
        headers: g.httpHeaders ?? [],
        timeoutS,
        userAgent: PROBE_USER_AGENT,
      });
    }
    if (probe.tcpSocket) {
      const port = resolveContainerPort(probe.tcpSocket.port, ctx.container);
      return await tcpProbe(probe.tcpSocket.host || ctx.podIP, port, timeoutS);
    }
    if (probe.grpc) {
      const port = resolveContainerPort(probe.grpc.port, ctx.container);
      return await grpcProbe(ctx.podIP, port, probe.grpc.service ?? '', timeoutS, PROBE_USER_AGENT);
    }
  } catch (err) {
    return { result: 'failure', output: '', error: (err as Error).message };
  }
  return { result: 'failure', output: '', error: 'missing probe handler' };
}
