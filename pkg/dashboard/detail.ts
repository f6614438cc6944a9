// A pod's detail panel: its owner chain (Pod ← ReplicaSet ← Deployment, read
// once when the panel opens), and its events and logs followed live for as long
// as the panel is open.
import type { ServerResponse } from 'node:http';
import type { Event, Pod } from '../../api/core/v1/types.js';
import type { KubeObject, OwnerReference } from '../../api/meta/v1/types.js';
import { SharedIndexInformer } from '../client/informer.js';
import type { APIClient } from './apiclient.js';
import { openEventStream } from './stream.js';
import type { EventLine, OwnerLink } from './viewmodel.js';

/** The plural of the owner kinds the chain follows; others end it. */
const OWNER_RESOURCES: Record<string, string> = {
  ReplicaSet: 'replicasets',
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Job: 'jobs',
  CronJob: 'cronjobs',
  ReplicationController: 'replicationcontrollers',
};

/** The REST path of a namespaced owner from its reference, or undefined for a kind the chain does not follow. */
export function ownerPath(namespace: string, ref: OwnerReference): string | undefined {
  const plural = Object.hasOwn(OWNER_RESOURCES, ref.kind) ? OWNER_RESOURCES[ref.kind] : undefined;
  if (!plural) return undefined;
  const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(ref.name)}`;
}

function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((o) => o.controller) ?? obj.metadata?.ownerReferences?.[0];
}

/** From the topmost owner down to the pod, e.g. Deployment web → ReplicaSet web-5d8f7 → Pod web-5d8f7-x2x9q. */
export async function ownerChain(api: APIClient, namespace: string, name: string): Promise<OwnerLink[]> {
  const pod = await api.get<Pod>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`);
  const chain: OwnerLink[] = [{ kind: 'Pod', name, found: true }];
  let obj: KubeObject = pod;
  for (let depth = 0; depth < 8; depth++) {
    const ref = controllerOf(obj);
    if (!ref) break;
    const path = ownerPath(namespace, ref);
    const owner = path ? await api.get<KubeObject>(path).catch(() => undefined) : undefined;
    // An owner replaced by a namesake is not this pod's owner.
    const found = owner !== undefined && owner.metadata?.uid === ref.uid;
    chain.unshift({ kind: ref.kind, name: ref.name, found });
    if (!found || !owner) break;
    obj = owner;
  }
  return chain;
}

export function eventLine(ev: Event): EventLine {
  return {
    type: ev.type ?? '',
    reason: ev.reason ?? '',
    message: ev.message ?? '',
    count: ev.count ?? 1,
    time: ev.lastTimestamp ?? ev.eventTime ?? ev.firstTimestamp ?? ev.metadata.creationTimestamp ?? '',
    source: ev.source?.component ?? ev.reportingComponent ?? '',
  };
}

/** The pod's events, listed then watched (a field selector on involvedObject), until the response closes. */
export function serveEvents(api: APIClient, namespace: string, name: string, res: ServerResponse): void {
  const send = openEventStream(res);
  const fieldSelector = `involvedObject.kind=Pod,involvedObject.name=${name}`;
  const informer = new SharedIndexInformer<Event>(api.listerWatcher(`/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, { fieldSelector }));
  const put = (ev: Event) => send('event', { uid: ev.metadata.uid, ...eventLine(ev) });
  informer.addEventHandler({ onAdd: put, onUpdate: (_, ev) => put(ev) });
  informer.run();
  res.on('close', () => void informer.stop());
}

/**
 * The container's log followed (the last 200 lines first), one event per line,
 * until the response closes or the container's log ends.
 */
export async function serveLog(api: APIClient, namespace: string, name: string, container: string, res: ServerResponse): Promise<void> {
  const ac = new AbortController();
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/log`;
  const send = openEventStream(res);
  res.on('close', () => ac.abort());
  let upstream;
  try {
    upstream = await api.open(path, { follow: true, tailLines: 200, container: container || undefined }, ac.signal);
  } catch (err) {
    send('failed', { message: (err as Error).message });
    return;
  }
  if (upstream.statusCode !== 200) {
    const chunks: Buffer[] = [];
    upstream.on('data', (c: Buffer) => chunks.push(c));
    upstream.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      let message = body;
      try {
        message = (JSON.parse(body) as { message?: string }).message ?? body;
      } catch {
        // plain text
      }
      send('failed', { message: `HTTP ${upstream.statusCode}: ${message.slice(0, 500)}` });
    });
    return;
  }
  upstream.setEncoding('utf8');
  let buf = '';
  upstream.on('data', (chunk: string) => {
    buf += chunk;
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    if (lines.length) send('lines', lines);
  });
  upstream.on('end', () => {
    if (buf) send('lines', [buf]);
    send('end', {});
  });
  upstream.on('error', () => undefined);
}
