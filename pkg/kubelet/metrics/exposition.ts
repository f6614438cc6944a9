// The Prometheus text format written by hand, for the kubelet's collected endpoints
// (/metrics/resource, /metrics/cadvisor): their series are read fresh at every scrape
// and carry sample timestamps, which a prom-client registry would neither drop nor write.

/** A label value escaped as the text format wants (backslash, quote, newline). */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export class ExpositionWriter {
  private readonly parts: string[] = [];
  private current = '';

  /** Starts a metric family: its HELP and TYPE lines. */
  family(name: string, type: 'counter' | 'gauge', help: string): this {
    this.current = name;
    this.parts.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}\n`);
    return this;
  }

  /** One sample of the current family; timestampMs as the format's optional timestamp. */
  sample(labels: ReadonlyArray<readonly [string, string]>, value: number, timestampMs?: number): this {
    const l = labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
    this.parts.push(`${this.current}${l} ${formatValue(value)}${timestampMs !== undefined ? ` ${Math.round(timestampMs)}` : ''}\n`);
    return this;
  }

  text(): string {
    return this.parts.join('');
  }
}

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
