// Writes api/<group>/<version>/types.ts: one TypeScript type per served kind
// and per type they reach, from the schema trees the apiserver serves as
// OpenAPI (api/schema/build.ts, built from @kubernetes/client-node's models).
// Field names, required lists and descriptions are upstream's; wire shapes are
// used for apimachinery types (Time is an RFC 3339 string, IntOrString is
// number | string). meta/v1 types are hand-written in api/meta/v1/types.ts and
// imported from there.
//
//   node dist/hack/gen-api-types.js           regenerate
//   node dist/hack/gen-api-types.js --check   fail if a checked-in file is not what the schemas give
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { BUILTIN_RESOURCES } from '../api/resources.js';
import { isCreateOnly } from '../api/resourceinfo.js';
import { schemaForKind } from '../api/schema/build.js';
import type { SchemaNode } from '../api/schema/types.js';

// dist/hack/ -> the source tree
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const META_PACKAGE = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const META_FILE = 'api/meta/v1/types.ts';

/** The file a definition lives in: io.k8s.api.apps.v1.DeploymentSpec → api/apps/v1/types.ts. */
function fileOf(ref: string): string {
  if (ref.startsWith(META_PACKAGE)) return META_FILE;
  const parts = ref.split('.');
  const version = parts[parts.length - 2];
  const group = ref.startsWith('io.k8s.api.') ? parts[3] : parts[parts.length - 3];
  return `api/${group}/${version}/types.ts`;
}

function shortName(ref: string): string {
  return ref.slice(ref.lastIndexOf('.') + 1);
}

interface Unit {
  /** definitions declared here, by short name */
  defs: Map<string, SchemaNode>;
  /** served kinds declared here, by short name */
  kinds: Set<string>;
  /** the served kinds that have a list kind (all but the create-only ones) */
  lists: Set<string>;
  /** imported short names, by file */
  imports: Map<string, Set<string>>;
}

const units = new Map<string, Unit>();
function unit(file: string): Unit {
  let u = units.get(file);
  if (!u) units.set(file, (u = { defs: new Map(), kinds: new Set(), lists: new Set(), imports: new Map() }));
  return u;
}

function collect(node: SchemaNode, seen: Set<string>): void {
  if (node.ref && node.type === 'object') {
    if (seen.has(node.ref)) return;
    seen.add(node.ref);
    if (fileOf(node.ref) !== META_FILE) unit(fileOf(node.ref)).defs.set(shortName(node.ref), node);
  }
  for (const child of Object.values(node.properties ?? {})) collect(child, seen);
  if (node.items) collect(node.items, seen);
  if (node.additionalProperties) collect(node.additionalProperties, seen);
}

/** The TypeScript type of a field's schema, noting imports `from` needs. */
function typeOf(node: SchemaNode, from: string): string {
  switch (node.type) {
    case 'array':
      return `${wrap(typeOf(node.items as SchemaNode, from))}[]`;
    case 'map':
      return `{ [key: string]: ${typeOf(node.additionalProperties as SchemaNode, from)} }`;
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'int-or-string':
      return 'number | string';
    case 'quantity':
      return 'Quantity';
    case 'date-time':
      // metav1.Time: RFC 3339, or null for the zero time (Go writes fields without omitempty that way).
      return 'string | null';
    case 'any':
      return 'unknown';
    case 'object': {
      if (!node.ref) return 'Record<string, unknown>';
      const name = shortName(node.ref);
      const file = fileOf(node.ref);
      if (file !== from) {
        const u = unit(from);
        if (!u.imports.has(file)) u.imports.set(file, new Set());
        u.imports.get(file)?.add(name);
      }
      return name;
    }
  }
}

function wrap(t: string): string {
  return /[|{ ]/.test(t) ? `(${t})` : t;
}

function docComment(text: string | undefined, indent: string): string {
  if (!text) return '';
  const lines = text.replace(/\*\//g, '*\\/').split('\n');
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

function declaration(name: string, node: SchemaNode, from: string, kind: boolean): string {
  const required = new Set(node.required ?? []);
  // A kind's metadata is always set by the apiserver, and its spec always
  // present (defaulted to {}), as Go's value-typed ObjectMeta and Spec are.
  if (kind) required.add('metadata');
  if (kind && node.properties?.spec) required.add('spec');
  let out = docComment(node.description, '');
  out += `export interface ${name}${kind ? ' extends KubeObject' : ''} {\n`;
  for (const [field, child] of Object.entries(node.properties ?? {})) {
    out += docComment(child.description, '  ');
    const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `'${field}'`;
    out += `  ${key}${required.has(field) ? '' : '?'}: ${typeOf(child, from)};\n`;
  }
  return `${out}}\n`;
}

async function render(file: string, u: Unit): Promise<string> {
  const body: string[] = [];
  for (const name of [...u.defs.keys()].sort()) {
    const node = u.defs.get(name) as SchemaNode;
    body.push(declaration(name, node, file, u.kinds.has(name)));
    if (u.lists.has(name)) body.push(`export type ${name}List = KubeList<${name}>;\n`);
  }
  const text = body.join('\n');
  const meta = u.imports.get(META_FILE) ?? new Set<string>();
  if (u.kinds.size > 0) meta.add('KubeObject');
  if (u.lists.size > 0) meta.add('KubeList');
  u.imports.set(META_FILE, meta);
  const imports = [...u.imports.entries()]
    .filter(([, names]) => names.size > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([f, names]) => {
      let spec = relative(dirname(file), f).replace(/\.ts$/, '.js');
      if (!spec.startsWith('.')) spec = `./${spec}`;
      return `import type { ${[...names].sort().join(', ')} } from '${spec}';`;
    });
  if (/\bQuantity\b/.test(text)) {
    let spec = relative(dirname(file), 'api/resource/quantity.ts').replace(/\.ts$/, '.js');
    if (!spec.startsWith('.')) spec = `./${spec}`;
    imports.push(`import type { Quantity } from '${spec}';`);
  }
  const header = `// Generated by hack/gen-api-types.ts from the served OpenAPI schemas. Do not edit.\n`;
  const source = `${header}${imports.join('\n')}\n\n${text}`;
  const options = (await prettier.resolveConfig(join(ROOT, file))) ?? {};
  return prettier.format(source, { ...options, filepath: join(ROOT, file) });
}

function metaExports(): Set<string> {
  const text = readFileSync(join(ROOT, META_FILE), 'utf8');
  return new Set([...text.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]));
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const seen = new Set<string>();
  for (const r of BUILTIN_RESOURCES) {
    const root = schemaForKind(r.group, r.version, r.kind);
    if (!root?.ref) throw new Error(`no schema for ${r.group}/${r.version} ${r.kind}`);
    collect(root, seen);
    unit(fileOf(root.ref)).kinds.add(shortName(root.ref));
    if (!isCreateOnly(r)) unit(fileOf(root.ref)).lists.add(shortName(root.ref));
  }
  const rendered = new Map<string, string>();
  for (const [file, u] of [...units.entries()].sort(([a], [b]) => a.localeCompare(b))) rendered.set(file, await render(file, u));
  const exported = metaExports();
  const missing = new Set([...units.values()].flatMap((u) => [...(u.imports.get(META_FILE) ?? [])].filter((n) => !exported.has(n))));
  if (missing.size > 0) throw new Error(`${META_FILE} does not export: ${[...missing].join(', ')}`);
  let stale = 0;
  for (const [file, text] of rendered) {
    const path = join(ROOT, file);
    const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (current === text) continue;
    if (check) {
      console.error(`${file} is not current; run node dist/hack/gen-api-types.js`);
      stale++;
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      console.log(`wrote ${file}`);
    }
  }
  if (stale > 0) process.exit(1);
}

await main();
