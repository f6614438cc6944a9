// events.k8s.io/v1 Event <-> core/v1 Event (the storage version): the same
// objects under two shapes, field for field as Kubernetes maps them.
import type { KubeObject } from '../../meta/v1/types.js';

type Obj = Record<string, unknown>;

// [events.k8s.io/v1 name, core/v1 name]
const RENAMED: Array<[string, string]> = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];
const SAME = ['eventTime', 'series', 'reportingInstance', 'action', 'reason', 'related', 'type'];

function move(from: Obj, pairs: Array<[string, string]>, apiVersion: string, metadata: KubeObject['metadata']): KubeObject {
  const out: Obj = { apiVersion, kind: 'Event', metadata };
  for (const [a, b] of pairs) if (from[a] !== undefined) out[b] = from[a];
  for (const k of SAME) if (from[k] !== undefined) out[k] = from[k];
  return out as KubeObject;
}

export function eventToCore(obj: KubeObject): KubeObject {
  return move(obj, RENAMED, 'v1', obj.metadata);
}

export function eventFromCore(obj: KubeObject): KubeObject {
  return move(
    obj,
    RENAMED.map(([a, b]) => [b, a]),
    'events.k8s.io/v1',
    obj.metadata,
  );
}
