// Add-ons `timonel up --addons NAME` deploys: every manifest under
// manifests/<NAME>/, applied server-side in file order (as `kubectl apply
// --server-side -f manifests/<NAME>/` would), so a second `up` updates what
// changed and leaves the rest.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { BUILTIN_RESOURCES } from '../../api/resources.js';

export const ADDONS = ['dashboard', 'prometheus'];

/** Add-ons every `timonel up` deploys: the web view (manifests/dashboard). */
export const DEFAULT_ADDONS = ['dashboard'];

/** The add-ons an `up` applies: the default ones, then those asked for, each once. */
export function addonsToApply(asked: string[]): string[] {
  return [...new Set([...DEFAULT_ADDONS, ...asked])];
}

/** Sends one request to the apiserver as the admin; resolves with the status and body. */
export type AdminCall = (method: string, path: string, body: string, contentType: string) => Promise<{ status: number; body: string }>;

interface Manifest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

/** The REST path of one object from its apiVersion, kind, namespace and name. */
export function objectPath(obj: Manifest): string {
  const [group, version] = obj.apiVersion?.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const info = BUILTIN_RESOURCES.find((r) => r.group === group && r.version === version && r.kind === obj.kind);
  const name = obj.metadata?.name;
  if (!info || !name) throw new Error(`add-on manifest: no built-in resource for ${obj.apiVersion} ${obj.kind} ${name ?? '(no name)'}`);
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const ns = info.namespaced ? `/namespaces/${encodeURIComponent(obj.metadata?.namespace ?? 'default')}` : '';
  return `${base}${ns}/${info.plural}/${encodeURIComponent(name)}`;
}

/** The objects of an add-on, in the order of its files and of the documents in each. */
export function addonObjects(dir: string): Manifest[] {
  const objects: Manifest[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
      const obj = doc.toJS() as Manifest | null;
      if (obj) objects.push(obj);
    }
  }
  return objects;
}

/** Applies every object of the add-on in `dir` with server-side apply, field manager `timonel`. */
export async function applyAddon(dir: string, call: AdminCall): Promise<number> {
  const objects = addonObjects(dir);
  for (const obj of objects) {
    const path = `${objectPath(obj)}?fieldManager=timonel&force=true`;
    const res = await call('PATCH', path, JSON.stringify(obj), 'application/apply-patch+yaml');
    if (res.status !== 200 && res.status !== 201) throw new Error(`applying ${obj.kind} ${obj.metadata?.name}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  }
  return objects.length;
}
