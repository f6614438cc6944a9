// A reader of the Prometheus text exposition format (version 0.0.4): every sample with
// its labels and optional timestamp, and the TYPE of every family. The apiserver reads
// kubelets' /metrics/resource with it; tests read every endpoint's output with it.
export interface Sample {
  name: string;
  /** By label name (a Map: names come from the text). */
  labels: Map<string, string>;
  value: number;
  /** The sample's timestamp, milliseconds since the epoch, when the line has one. */
  timestampMs?: number;
}

export interface Exposition {
  samples: Sample[];
  /** Family name to its TYPE line's type. */
  types: Map<string, string>;
  /** The samples of one name whose labels include all of want. */
  find(name: string, want?: Record<string, string>): Sample[];
  /** The one sample's value; throws when there is none or several. */
  value(name: string, want?: Record<string, string>): number;
}

function parseLabels(text: string, line: string): Map<string, string> {
  const labels = new Map<string, string>();
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new Error(`malformed labels in ${JSON.stringify(line)}`);
    labels.set(
      m[1],
      m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)),
    );
    at = re.lastIndex;
  }
  return labels;
}

function parseValue(v: string, line: string): number {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  if (v === 'NaN') return NaN;
  const n = Number(v);
  if (v === '' || Number.isNaN(n)) throw new Error(`malformed value in ${JSON.stringify(line)}`);
  return n;
}

/** Parses the whole text; a line that is not a comment, a blank or a sample throws. */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const t = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (t) types.set(t[1], t[2]);
      else if (!line.startsWith('# HELP ') && line.startsWith('# TYPE')) throw new Error(`malformed TYPE line ${JSON.stringify(line)}`);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?$/.exec(line);
    if (!m) throw new Error(`malformed sample line ${JSON.stringify(line)}`);
    const sample: Sample = { name: m[1], labels: parseLabels(m[2] ?? '', line), value: parseValue(m[3], line) };
    if (m[4] !== undefined) sample.timestampMs = Number(m[4]);
    samples.push(sample);
  }
  const find = (name: string, want: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(want).every(([k, v]) => s.labels.get(k) === v));
  return {
    samples,
    types,
    find,
    value(name, want = {}) {
      const found = find(name, want);
      if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(want)}`);
      return found[0].value;
    },
  };
}
