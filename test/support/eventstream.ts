// A reader of the web view's server-sent events, for tests and the benchmark: it
// keeps node columns and pod cards as the page does, and waits on what they show.
import type { NodeColumn, PodCard } from '../../pkg/dashboard/viewmodel.js';
import type { Change } from '../../pkg/dashboard/clusterstate.js';

export interface SSEEvent {
  event: string;
  data: string;
}

/** Splits an event stream into events (fields event and data; comments and retry skipped). */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SSEEvent> {
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length) yield { event, data: data.join('\n') };
    }
  }
}

export class ClusterFeed {
  readonly nodes = new Map<string, NodeColumn>();
  readonly pods = new Map<string, PodCard>();
  /** Every change with the time it arrived (ms, performance.now()). */
  readonly log: { at: number; change: Change }[] = [];
  private readonly ac = new AbortController();
  private waiters: (() => void)[] = [];
  private done?: Promise<void>;

  static async open(url: string): Promise<ClusterFeed> {
    const feed = new ClusterFeed();
    const res = await fetch(url, { signal: feed.ac.signal });
    if (res.status !== 200 || !res.body) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
    const body = res.body;
    let first!: () => void;
    const snapshot = new Promise<void>((r) => (first = r));
    feed.done = (async () => {
      for await (const ev of readEvents(body)) {
        if (ev.event === 'snapshot') {
          const snap = JSON.parse(ev.data) as { nodes: NodeColumn[]; pods: PodCard[] };
          for (const n of snap.nodes) feed.nodes.set(n.name, n);
          for (const p of snap.pods) feed.pods.set(p.key, p);
          first();
        } else if (ev.event === 'changes') {
          const at = performance.now();
          for (const ch of JSON.parse(ev.data) as Change[]) {
            feed.log.push({ at, change: ch });
            if (ch.type === 'pod') feed.pods.set(ch.card.key, ch.card);
            else if (ch.type === 'pod-delete') feed.pods.delete(ch.key);
            else if (ch.type === 'node') feed.nodes.set(ch.column.name, ch.column);
            else feed.nodes.delete(ch.name);
          }
        }
        for (const w of feed.waiters.splice(0)) w();
      }
    })().catch(() => undefined);
    await snapshot;
    return feed;
  }

  /** Resolves with check's value once it is neither undefined nor false, re-checked on each event. */
  async until<T>(what: string, check: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined && v !== false) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  close(): void {
    this.ac.abort();
  }
}
