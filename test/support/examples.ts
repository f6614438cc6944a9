// The upstream example manifests the tests apply (an unmodified copy of
// ../shared/examples; see test/fixtures/examples/SOURCES.md for their origin and licence).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const EXAMPLES_DIR = process.env.TIMONEL_EXAMPLES ?? new URL('../../../test/fixtures/examples', import.meta.url).pathname;

/** Every YAML file under the examples directory, sorted. */
export function exampleFiles(dir = EXAMPLES_DIR): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...exampleFiles(p));
    else if (/\.ya?ml$/.test(entry)) out.push(p);
  }
  return out;
}
