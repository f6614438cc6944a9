// `timonel dashboard`: the web view (manifests/dashboard) reached from this
// machine, through `kubectl port-forward` to its Service as the admin, and the
// URL to open. The forward lasts until the command is stopped.
import { spawn, type ChildProcess } from 'node:child_process';

export const DASHBOARD_NAMESPACE = 'kube-system';
export const DASHBOARD_SERVICE = 'timonel-dashboard';

export interface OpenDashboardOptions {
  kubeconfig: string;
  /** Local address and port of the forward (port 0: any free one, as kubectl picks it). */
  address: string;
  port: number;
  kubectl?: string;
}

/** Starts the port-forward; resolves with the page's URL once kubectl forwards, rejects if it exits first. */
export function openDashboard(o: OpenDashboardOptions): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    o.kubectl ?? 'kubectl',
    [
      '--kubeconfig',
      o.kubeconfig,
      '-n',
      DASHBOARD_NAMESPACE,
      'port-forward',
      `svc/${DASHBOARD_SERVICE}`,
      `${o.port === 0 ? '' : o.port}:80`,
      '--address',
      o.address,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // "Forwarding from 127.0.0.1:8080 -> 8080"
      const m = /Forwarding from (\S+):(\d+) ->/.exec(out);
      if (m) {
        const host = m[1].includes(':') ? `[${m[1]}]` : m[1];
        resolve({ url: `http://${host}:${m[2]}/`, child });
      }
    });
    child.on('error', (e) => reject(new Error(`kubectl: ${e.message}; the dashboard is reached with kubectl port-forward`)));
    child.on('exit', (code) =>
      reject(
        new Error(
          `kubectl port-forward exited (${code}): ${err.trim() || out.trim()}\n` +
            `is the web view running? kubectl -n ${DASHBOARD_NAMESPACE} rollout status deployment/${DASHBOARD_SERVICE}`,
        ),
      ),
    );
  });
}
