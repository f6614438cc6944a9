// Go durations as the components' flags take them (kube-proxy's --sync-period, kube-apiserver's --request-timeout).

/** Go-style durations as flags take them: "1s", "500ms", "1m30s", "1h". */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * units[m[2]];
    matched = re.lastIndex;
  }
  if (text === '0') return 0;
  if (!text || matched !== text.length) throw new Error(`bad duration ${JSON.stringify(text)}: want e.g. 1s, 500ms, 1m30s`);
  return total;
}
