// Pod objects and namespaces for the benches: the smallest valid pod (one
// container `c`, image busybox), optionally stamped with annotations.
import type { HTTPSClient } from './https-client.js';

export function podBody(name: string, annotations?: Record<string, string>): string {
  const metadata: Record<string, unknown> = { name };
  if (annotations) metadata.annotations = annotations;
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
}

export function podsPath(namespace: string): string {
  return `/api/v1/namespaces/${namespace}/pods`;
}

/** Creates the namespace unless it exists. */
export async function ensureNamespace(client: HTTPSClient, name: string): Promise<void> {
  const res = await client.send('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  if (res.status !== 201 && res.status !== 409) throw new Error(`creating namespace ${name}: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
}

/** Creates count pods named prefix-00000..., `parallel` at a time. */
export async function createPods(client: HTTPSClient, namespace: string, prefix: string, count: number, parallel: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      await client.expect(201, 'POST', podsPath(namespace), podBody(`${prefix}-${String(i).padStart(5, '0')}`));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}
