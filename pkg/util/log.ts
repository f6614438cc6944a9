// Structured, one line per event, klog-style verbosity: log(msg) always prints,
// log.v(2)(msg) prints only at -v=2 or above.
export interface Logger {
  (msg: string, fields?: Record<string, unknown>): void;
  v(level: number): (msg: string, fields?: Record<string, unknown>) => void;
}

export function logger(component: string, verbosity = 0): Logger {
  const write = (msg: string, fields?: Record<string, unknown>) => {
    const extra = fields
      ? ' ' +
        Object.entries(fields)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(' ')
      : '';
    process.stderr.write(`${new Date().toISOString()} ${component} ${msg}${extra}\n`);
  };
  const noop = () => undefined;
  return Object.assign(write, { v: (level: number) => (level <= verbosity ? write : noop) });
}
