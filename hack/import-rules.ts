// The import rule of the README's "Architecture": each folder imports only the
// layers below it, no component imports another component, and no files import
// each other in a cycle. Reads the relative imports of every .ts file under
// api/, pkg/ and cmd/ (tests and hack scripts may import anything).
//
//   node dist/hack/import-rules.js     prints each forbidden import; exits 1 if there is one
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SHARED = ['api', 'pkg/util'];
const COMPONENT = [...SHARED, 'pkg/client', 'pkg/metrics'];

/** What each folder may import besides itself. */
export const ALLOWED: ReadonlyMap<string, readonly string[]> = new Map([
  ['api', []],
  ['pkg/util', ['api']],
  ['pkg/metrics', SHARED],
  ['pkg/client', SHARED],
  ['pkg/cri', SHARED],
  ['pkg/auth', SHARED],
  ['pkg/storage', SHARED],
  // The Pod Security Standards' levels and checks (upstream's k8s.io/pod-security-admission).
  ['pkg/podsecurity', SHARED],
  // CEL with the Kubernetes extension library, for admission policies and CRD validation rules.
  ['pkg/cel', SHARED],
  ['pkg/registry', [...SHARED, 'pkg/auth', 'pkg/storage', 'pkg/podsecurity', 'pkg/cel']],
  ['pkg/apiserver', [...SHARED, 'pkg/auth', 'pkg/metrics', 'pkg/storage', 'pkg/registry', 'pkg/cel']],
  ['pkg/controller', COMPONENT],
  ['pkg/scheduler', COMPONENT],
  ['pkg/proxy', COMPONENT],
  ['pkg/dns', COMPONENT],
  ['pkg/kubelet', [...COMPONENT, 'pkg/cri']],
  // The web view's server (manifests/dashboard): a client of the API like the components.
  ['pkg/dashboard', COMPONENT],
  // `timonel up` starts every part on this machine, as cmd/ does.
  ['pkg/cluster', [...SHARED, 'pkg/client', 'pkg/cri', 'pkg/apiserver', 'pkg/kubelet']],
]);

/** The folder a file belongs to for the rule: api, pkg/<name> or cmd/<name>. */
export function folderOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'api' ? 'api' : `${parts[0]}/${parts[1]}`;
}

function allowed(from: string, to: string): boolean {
  if (from === to) return true;
  if (from.startsWith('cmd/')) return to === 'api' || to.startsWith('pkg/');
  return ALLOWED.get(from)?.includes(to) ?? false;
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** The repository-relative .ts files a source imports. */
export function importsOf(file: string, source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    out.push(normalize(join(dirname(file), spec.replace(/\.js$/, '.ts'))));
  }
  return out;
}

/** Every violation in a set of files (path → source): forbidden folder imports, then cycles. */
export function checkImports(files: ReadonlyMap<string, string>): string[] {
  const graph = new Map<string, string[]>();
  const problems: string[] = [];
  for (const [file, source] of files) {
    const targets = importsOf(file, source);
    graph.set(
      file,
      targets.filter((t) => files.has(t)),
    );
    for (const target of targets) {
      const from = folderOf(file);
      const to = folderOf(target);
      if (!allowed(from, to)) problems.push(`${file} imports ${target}: ${from} may not import ${to}`);
    }
  }
  for (const cycle of cycles(graph)) problems.push(`import cycle among: ${cycle.join(', ')}`);
  return problems;
}

/** Strongly connected components of more than one file (Tarjan), each as a sorted list. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) out.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

/** The sources under api/, pkg/ and cmd/ of a checkout (or under the given folders). */
export function readTree(root: string, tops: string[] = ['api', 'pkg', 'cmd']): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.set(path, readFileSync(join(root, path), 'utf8'));
    }
  };
  for (const top of tops) walk(top);
  return files;
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') {
  const problems = checkImports(readTree(fileURLToPath(new URL('../../', import.meta.url))));
  for (const p of problems) console.error(p);
  process.exit(problems.length > 0 ? 1 : 0);
}
