// The built-in prototypes a request could pollute, and what changed on them. The
// apiserver started with --check-prototypes (tests only) compares them after every
// request; tests compare them after hostile input.

const BUILTINS: Array<[string, object]> = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['String.prototype', String.prototype],
  ['Number.prototype', Number.prototype],
  ['Boolean.prototype', Boolean.prototype],
  ['Map.prototype', Map.prototype],
  ['Set.prototype', Set.prototype],
  ['Promise.prototype', Promise.prototype],
  ['RegExp.prototype', RegExp.prototype],
  ['Error.prototype', Error.prototype],
  ['Date.prototype', Date.prototype],
  ['Uint8Array.prototype', Uint8Array.prototype],
  ['Object', Object],
  ['Array', Array],
];

/** Per built-in: its own keys with the identity of each value or accessor, and its prototype. */
export type PrototypeSnapshot = Map<string, { proto: object | null; props: Map<string | symbol, unknown[]> }>;

export function snapshotPrototypes(): PrototypeSnapshot {
  const out: PrototypeSnapshot = new Map();
  for (const [name, o] of BUILTINS) {
    const props = new Map<string | symbol, unknown[]>();
    for (const k of Reflect.ownKeys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, k);
      props.set(k, d ? [d.value, d.get, d.set, d.writable, d.enumerable, d.configurable] : []);
    }
    out.set(name, { proto: Object.getPrototypeOf(o) as object | null, props });
  }
  return out;
}

/** What differs from the snapshot, e.g. ["Object.prototype.labels added"]; [] when nothing does. */
export function prototypeChanges(before: PrototypeSnapshot): string[] {
  const now = snapshotPrototypes();
  const changes: string[] = [];
  for (const [name, b] of before) {
    const n = now.get(name)!;
    if (n.proto !== b.proto) changes.push(`${name}'s prototype replaced`);
    for (const [k, v] of n.props) {
      const old = b.props.get(k);
      if (!old) changes.push(`${name}.${String(k)} added`);
      else if (old.some((x, i) => x !== v[i])) changes.push(`${name}.${String(k)} changed`);
    }
    for (const k of b.props.keys()) if (!n.props.has(k)) changes.push(`${name}.${String(k)} deleted`);
  }
  return changes;
}
