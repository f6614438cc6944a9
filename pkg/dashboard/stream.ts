// Server-sent events: the page's live feed. A stream starts with a snapshot of
// every node column and the pod cards the viewer's filters let through, then
// carries only changes. The namespace and label filters are applied here, with
// the API's own selector parser, so a viewer of one namespace is not sent the
// rest of the cluster; a card that stops matching (its labels changed) is
// removed from that viewer's page.
import type { ServerResponse } from 'node:http';
import { everything, tryParseSelector, type Selector } from '../../api/labels/selector.js';
import type { Change, ClusterState } from './clusterstate.js';
import type { PodCard } from './viewmodel.js';

/** Comment lines keep idle streams open through port-forwards and proxies. */
const HEARTBEAT_MS = 15_000;

export interface Filter {
  namespace: string;
  selector: Selector;
}

/** The filter of a stream from its query (namespace, labelSelector), or the selector's parse error. */
export function parseFilter(query: URLSearchParams): Filter | { error: string } {
  const sel = query.get('labelSelector') ?? '';
  const parsed = sel.trim() ? tryParseSelector(sel) : { selector: everything() };
  if ('error' in parsed) return { error: parsed.error };
  return { namespace: query.get('namespace') ?? '', selector: parsed.selector };
}

export function matches(f: Filter, card: PodCard): boolean {
  return (!f.namespace || card.namespace === f.namespace) && f.selector.matches(card.labels);
}

/** Starts an event stream on the response: headers, a retry hint, heartbeats; returns its writer. */
export function openEventStream(res: ServerResponse): (event: string, data: unknown) => void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  const beat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  res.on('close', () => clearInterval(beat));
  return (event, data) => {
    if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
}

/** The cluster feed for one viewer, until the response closes. */
export function serveClusterStream(state: ClusterState, filter: Filter, res: ServerResponse): void {
  const send = openEventStream(res);
  const shown = new Set<string>();
  const snap = state.snapshot();
  const pods = snap.pods.filter((c) => matches(filter, c));
  for (const c of pods) shown.add(c.key);
  send('snapshot', { nodes: snap.nodes, pods });
  const unsubscribe = state.subscribe((changes) => {
    const out = changes.flatMap((ch) => forViewer(ch, filter, shown));
    if (out.length) send('changes', out);
  });
  res.on('close', unsubscribe);
}

/** What a change means to one viewer: the change itself, nothing, or a removal of a card that stopped matching. */
export function forViewer(ch: Change, filter: Filter, shown: Set<string>): Change[] {
  switch (ch.type) {
    case 'pod':
      if (matches(filter, ch.card)) {
        shown.add(ch.card.key);
        return [ch];
      }
      if (shown.delete(ch.card.key)) return [{ type: 'pod-delete', key: ch.card.key, namespace: ch.card.namespace }];
      return [];
    case 'pod-delete':
      return shown.delete(ch.key) ? [ch] : [];
    default:
      return [ch];
  }
}
