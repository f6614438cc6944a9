// client-go's record.EventRecorder for core/v1 Events. A repeat of the same
// (object, type, reason, message) within 10 minutes does not create a new Event:
// the existing one is PATCHed with count+1 and a new lastTimestamp, as the
// EventCorrelator does, so a crash-looping object makes one Event, not thousands.
import type { Event, EventSource, ObjectReference } from '../../api/core/v1/types.js';
import type { KubeObject } from '../../api/meta/v1/types.js';
import { isStatus, type Client, type ResourceClient } from './rest.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** source.component and reportingComponent, e.g. 'replicaset-controller'. */
  component: string;
  host?: string;
  /** How long a repeat still counts as the same Event (client-go: 10 minutes). */
  aggregationWindowMs?: number;
  log?: (msg: string) => void;
  now?: () => Date;
}

/** An ObjectReference for obj; kind/apiVersion may be given when obj lacks them (objects from typed lists). */
export function objectReference(obj: KubeObject, gvk: { apiVersion?: string; kind?: string } = {}): ObjectReference {
  return JSON.parse(
    JSON.stringify({
      kind: obj.kind ?? gvk.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      uid: obj.metadata.uid,
      apiVersion: obj.apiVersion ?? gvk.apiVersion,
      resourceVersion: obj.metadata.resourceVersion,
    }),
  ) as ObjectReference;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  lastSeen: number;
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class EventRecorder {
  private readonly events: ResourceClient<Event>;
  private readonly seen = new Map<string, Seen>();
  /** Writes for one aggregation key are serialised, so a burst of repeats cannot create two Events. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly window: number;
  private readonly now: () => Date;

  constructor(
    client: Client,
    private readonly opts: EventRecorderOptions,
  ) {
    this.events = client.resource<Event>('v1', 'events');
    this.window = opts.aggregationWindowMs ?? 10 * 60_000;
    this.now = opts.now ?? (() => new Date());
  }

  /** Records an Event about obj. Never rejects: a lost Event must not fail a sync (errors are logged). */
  event(obj: KubeObject, type: EventType, reason: string, message: string, gvk: { apiVersion?: string; kind?: string } = {}): Promise<void> {
    return this.record(objectReference(obj, gvk), type, reason, message);
  }

  /**
   * Records an Event about what ref names: a part of an object (a container: ref.fieldPath
   * `spec.containers{name}`), or an object known by reference only (the kubelet's Node, whose
   * uid is the node's name). Never rejects.
   */
  record(ref: ObjectReference, type: EventType, reason: string, message: string): Promise<void> {
    const key = [
      this.opts.component,
      this.opts.host ?? '',
      ref.kind,
      ref.namespace,
      ref.name,
      ref.uid,
      ref.apiVersion,
      ref.fieldPath,
      type,
      reason,
      message,
    ].join('\u0000');
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev
      .then(() => this.write(key, ref, type, reason, message))
      .catch((err: unknown) => {
        this.opts.log?.(`event ${reason} on ${ref.namespace ?? ''}/${ref.name ?? ''} not recorded: ${(err as Error)?.message ?? String(err)}`);
      });
    this.chains.set(key, next);
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
    return next;
  }

  /** Like event() with a printf-free message builder, for symmetry with client-go's Eventf. */
  eventf(obj: KubeObject, type: EventType, reason: string, format: string, ...args: unknown[]): Promise<void> {
    let i = 0;
    const message = format.replace(/%[sdv]/g, () => String(args[i++]));
    return this.event(obj, type, reason, message);
  }

  private async write(key: string, ref: ObjectReference, type: EventType, reason: string, message: string): Promise<void> {
    const now = this.now();
    const ts = rfc3339(now);
    const seen = this.seen.get(key);
    if (seen && now.getTime() - seen.lastSeen < this.window) {
      try {
        await this.events.namespace(seen.namespace).patch(seen.name, 'strategic', { count: seen.count + 1, lastTimestamp: ts, message });
        seen.count++;
        seen.lastSeen = now.getTime();
        return;
      } catch (err) {
        // The Event was deleted (TTL or by hand): start a new one.
        if (!isStatus(err, 404)) throw err;
      }
    }
    const namespace = ref.namespace || 'default';
    const created = await this.events.create({
      apiVersion: 'v1',
      kind: 'Event',
      // client-go names Events <object>.<unix nanoseconds in hex>.
      metadata: { name: `${ref.name ?? 'unknown'}.${(BigInt(now.getTime()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6))).toString(16)}`, namespace },
      involvedObject: ref,
      reason,
      message,
      type,
      source: JSON.parse(JSON.stringify({ component: this.opts.component, host: this.opts.host })) as EventSource,
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.host ?? '',
    });
    this.seen.set(key, { name: created.metadata.name ?? '', namespace, count: created.count ?? 1, lastSeen: now.getTime() });
    this.prune(now.getTime());
  }

  /** Drops aggregation entries past the window so the map stays small. */
  private prune(now: number): void {
    if (this.seen.size < 4096) return;
    for (const [k, s] of this.seen) if (now - s.lastSeen >= this.window) this.seen.delete(k);
  }
}
