// Container lifecycle hooks (upstream lifecycle/handlers.go): postStart right after
// StartContainer, preStop before StopContainer. exec runs in the container through
// CRI ExecSync; httpGet is sent from the node to the pod IP (or the given host);
// sleep waits. A hook error message is what the FailedPostStartHook /
// FailedPreStopHook events carry.
import http from 'node:http';
import https from 'node:https';
import type { CRIClient } from '../../cri/client.js';
import type { Container, HTTPGetAction, LifecycleHandler, Pod } from '../../../api/core/v1/types.js';

/** A named port ('http') resolved against the container's ports; numbers pass through. */
export function resolvePort(port: number | string, container: Pick<Container, 'ports'> | undefined): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const p = container?.ports?.find((x) => x.name === port);
  if (!p) throw new Error(`couldn't find port: ${port} in ${JSON.stringify(container?.ports ?? [])}`);
  return p.containerPort;
}

export class HookError extends Error {
  constructor(
    message: string,
    readonly eventMessage: string,
  ) {
    super(message);
  }
}

function httpGet(action: HTTPGetAction, host: string, port: number, timeoutMs: number): Promise<void> {
  const scheme = (action.scheme ?? 'HTTP').toUpperCase();
  const path = action.path ? (action.path.startsWith('/') ? action.path : `/${action.path}`) : '/';
  // Header names are the pod's ("__proto__" too): no prototype to collide with.
  const headers = Object.assign(Object.create(null) as Record<string, string>, { 'user-agent': 'kube-lifecycle/1.32' });
  for (const h of action.httpHeaders ?? []) headers[h.name] = h.value;
  const mod = scheme === 'HTTPS' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request({ host, port, path, method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 400) resolve();
        else reject(new Error(`HTTP lifecycle hook (${path}) for Container failed with status ${code}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`HTTP lifecycle hook (${path}) timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export interface HandlerRunnerOptions {
  cri: CRIClient;
}

export class HandlerRunner {
  constructor(private readonly opts: HandlerRunnerOptions) {}

  /** Runs a hook; rejects with a HookError whose eventMessage is what upstream's event says. timeoutS bounds exec and HTTP. */
  async run(containerId: string, pod: Pod, container: Container, handler: LifecycleHandler, podIP: string, timeoutS: number): Promise<void> {
    const podName = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
    if (handler.exec) {
      const cmd = handler.exec.command ?? [];
      let res;
      try {
        res = await this.opts.cri.runtime.execSync(
          { containerId, cmd, timeout: Math.max(0, Math.floor(timeoutS)) },
          { timeoutMs: timeoutS > 0 ? timeoutS * 1000 + 5000 : 0 },
        );
      } catch (err) {
        const msg = (err as Error).message;
        throw new HookError(
          msg,
          `Exec lifecycle hook (${JSON.stringify(cmd)}) for Container "${container.name}" in Pod "${podName}" failed - error: ${msg}, message: ""`,
        );
      }
      if (res.exitCode !== 0) {
        const output = Buffer.concat([res.stdout ?? Buffer.alloc(0), res.stderr ?? Buffer.alloc(0)]).toString();
        const msg = `command '${cmd.join(' ')}' exited with ${res.exitCode}: ${output}`;
        throw new HookError(
          msg,
          `Exec lifecycle hook (${JSON.stringify(cmd)}) for Container "${container.name}" in Pod "${podName}" failed - error: ${msg}, message: ${JSON.stringify(output)}`,
        );
      }
      return;
    }
    if (handler.httpGet) {
      const host = handler.httpGet.host || podIP;
      try {
        const port = resolvePort(handler.httpGet.port, container);
        await httpGet(handler.httpGet, host, port, Math.max(1, timeoutS || 30) * 1000);
      } catch (err) {
        const msg = (err as Error).message;
        throw new HookError(
          msg,
          `HTTP lifecycle hook (${handler.httpGet.path ?? ''}) for Container "${container.name}" in Pod "${podName}" failed - error: ${msg}`,
        );
      }
      return;
    }
    if (handler.sleep) {
      await new Promise((r) => setTimeout(r, Math.min(handler.sleep!.seconds, timeoutS > 0 ? timeoutS : Infinity) * 1000));
      return;
    }
    if (handler.tcpSocket) return; // deprecated for hooks; upstream accepts and ignores it
    throw new HookError('invalid handler', `Cannot run handler: invalid handler in Container "${container.name}"`);
  }
}
