// The view model kept current from informers: each pod or node change recomputes
// that card or column (and the columns whose requested totals it moves) and tells
// subscribers only what changed. Metrics arrive separately (the metrics API has
// no watch) and touch only the cards whose usage moved.
import type { Node, Pod } from '../../api/core/v1/types.js';
import type { SharedIndexInformer } from '../client/informer.js';
import { NodeNameIndex } from '../client/store.js';
import { nodeColumn, podCard, podKey, type Change, type NodeColumn, type PodCard, type Usage } from './viewmodel.js';

export type { Change };

export type Subscriber = (changes: Change[]) => void;

export class ClusterState {
  private readonly cards = new Map<string, { card: PodCard; json: string }>();
  private readonly columns = new Map<string, { column: NodeColumn; json: string }>();
  private usage = new Map<string, Usage>();
  private readonly subscribers = new Set<Subscriber>();
  private readonly dirtyNodes = new Set<string>();
  private pending: Change[] = [];
  private flushScheduled = false;

  constructor(
    private readonly nodes: SharedIndexInformer<Node>,
    private readonly pods: SharedIndexInformer<Pod>,
  ) {
    pods.addEventHandler({
      onAdd: (p) => this.podChanged(undefined, p),
      onUpdate: (old, p) => this.podChanged(old, p),
      onDelete: (p) => this.podDeleted(p),
    });
    nodes.addEventHandler({
      onAdd: (n) => this.markNode(n.metadata.name ?? ''),
      onUpdate: (_, n) => this.markNode(n.metadata.name ?? ''),
      onDelete: (n) => this.nodeDeleted(n.metadata.name ?? ''),
    });
  }

  /** Every card and column as they are now. */
  snapshot(): { nodes: NodeColumn[]; pods: PodCard[] } {
    this.flush();
    return {
      nodes: [...this.columns.values()].map((c) => c.column).sort((a, b) => a.name.localeCompare(b.name)),
      pods: [...this.cards.values()].map((c) => c.card).sort((a, b) => a.key.localeCompare(b.key)),
    };
  }

  subscribe(s: Subscriber): () => void {
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }

  /** Pod usage from the metrics API, by namespace/name; cards whose usage changed are sent again. */
  setUsage(usage: Map<string, Usage>): void {
    const before = this.usage;
    this.usage = usage;
    for (const key of new Set([...before.keys(), ...usage.keys()])) {
      const [a, b] = [before.get(key), usage.get(key)];
      if (a?.cpu === b?.cpu && a?.memory === b?.memory) continue;
      const [ns, name] = splitKey(key);
      const pod = this.pods.lister.get(ns, name);
      if (pod) this.putCard(pod);
    }
    this.scheduleFlush();
  }

  private podChanged(old: Pod | undefined, pod: Pod): void {
    this.putCard(pod);
    if (old?.spec?.nodeName && old.spec.nodeName !== pod.spec?.nodeName) this.markNode(old.spec.nodeName);
    if (pod.spec?.nodeName) this.markNode(pod.spec.nodeName);
    this.scheduleFlush();
  }

  private podDeleted(pod: Pod): void {
    const key = podKey(pod);
    if (this.cards.delete(key)) this.pending.push({ type: 'pod-delete', key, namespace: pod.metadata.namespace ?? '' });
    if (pod.spec?.nodeName) this.markNode(pod.spec.nodeName);
    this.scheduleFlush();
  }

  private nodeDeleted(name: string): void {
    this.dirtyNodes.delete(name);
    if (this.columns.delete(name)) this.pending.push({ type: 'node-delete', name });
    this.scheduleFlush();
  }

  private putCard(pod: Pod): void {
    const key = podKey(pod);
    const card = podCard(pod, this.usage.get(key) ?? null);
    const json = JSON.stringify(card);
    if (this.cards.get(key)?.json === json) return;
    this.cards.set(key, { card, json });
    this.pending.push({ type: 'pod', card });
  }

  private markNode(name: string): void {
    if (name) this.dirtyNodes.add(name);
    this.scheduleFlush();
  }

  // A burst of pod events (a list, a scale-up) recomputes each node's totals once.
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const name of this.dirtyNodes) {
      const node = this.nodes.lister.get(name);
      if (!node) continue; // a pod names a node the informer has not seen (yet)
      const column = nodeColumn(node, this.pods.lister.byIndex(NodeNameIndex, name));
      const json = JSON.stringify(column);
      if (this.columns.get(name)?.json === json) continue;
      this.columns.set(name, { column, json });
      this.pending.push({ type: 'node', column });
    }
    this.dirtyNodes.clear();
    if (!this.pending.length) return;
    const changes = this.pending;
    this.pending = [];
    for (const s of this.subscribers) s(changes);
  }
}

export function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}
