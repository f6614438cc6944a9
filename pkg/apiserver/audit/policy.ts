// The audit policy (--audit-policy-file): an audit.k8s.io/v1 Policy in YAML or
// JSON, read and validated at start as k8s.io/apiserver's policy.LoadPolicyFromFile
// does, so that a mistake stops the apiserver with the field at fault named.
import { readFileSync } from 'node:fs';
import { parse as parseYAML } from 'yaml';
import { isDNS1123Subdomain } from '../../../api/validation/names.js';

export const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type Level = (typeof LEVELS)[number];

export const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
export type Stage = (typeof STAGES)[number];

export interface GroupResources {
  /** '' is the core group. */
  group: string;
  // Plural names and the forms pods/log, * (any), */status (a subresource of any), pods/* (any of pods'); empty: every resource of the group.
  resources: string[];
  resourceNames: string[];
}

export interface PolicyRule {
  level: Level;
  users: string[];
  userGroups: string[];
  verbs: string[];
  resources: GroupResources[];
  /** '' matches non-namespaced resources. */
  namespaces: string[];
  nonResourceURLs: string[];
  omitStages: Stage[];
  /** Undefined: the policy's omitManagedFields decides. */
  omitManagedFields?: boolean;
}

export interface Policy {
  rules: PolicyRule[];
  omitStages: Stage[];
  omitManagedFields: boolean;
}

/** Versions upstream still reads; only v1 is written in documentation today. */
const GROUP_VERSIONS = new Set(['audit.k8s.io/v1', 'audit.k8s.io/v1beta1', 'audit.k8s.io/v1alpha1']);

export class PolicyError extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects field errors as upstream's field.ErrorList prints them. */
class Errors {
  readonly list: string[] = [];
  add(path: string, msg: string): void {
    this.list.push(`${path}: ${msg}`);
  }
}

function strings(v: unknown, path: string, errs: Errors): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
    errs.add(path, 'must be a list of strings');
    return [];
  }
  return v as string[];
}

function level(v: unknown, path: string, errs: Errors): Level {
  if (v === undefined || v === null || v === '') {
    errs.add(path, 'Required value');
    return 'None';
  }
  if (typeof v !== 'string' || !(LEVELS as readonly string[]).includes(v)) {
    errs.add(path, `Unsupported value: ${JSON.stringify(v)}: supported values: ${LEVELS.map((l) => `"${l}"`).join(', ')}`);
    return 'None';
  }
  return v as Level;
}

function stages(v: unknown, path: string, errs: Errors): Stage[] {
  const out: Stage[] = [];
  strings(v, path, errs).forEach((s, i) => {
    if ((STAGES as readonly string[]).includes(s)) out.push(s as Stage);
    else errs.add(`${path}[${i}]`, `Invalid value: ${JSON.stringify(s)}: allowed stages are ${STAGES.join(',')}`);
  });
  return out;
}

function omitManagedFields(v: unknown, path: string, errs: Errors): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') {
    errs.add(path, 'must be true or false');
    return undefined;
  }
  return v;
}

function nonResourceURLs(v: unknown, path: string, errs: Errors): string[] {
  const urls = strings(v, path, errs);
  urls.forEach((url, i) => {
    if (url === '*') return;
    if (!url.startsWith('/')) errs.add(`${path}[${i}]`, `Invalid value: ${JSON.stringify(url)}: non-resource URL rules must begin with a '/' character`);
    if (url !== '' && url.slice(0, -1).includes('*'))
      errs.add(`${path}[${i}]`, `Invalid value: ${JSON.stringify(url)}: non-resource URL wildcards '*' must be the final character of the rule`);
  });
  return urls;
}

function groupResources(v: unknown, path: string, errs: Errors): GroupResources[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    errs.add(path, 'must be a list');
    return [];
  }
  return v.map((gr: unknown, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(gr)) {
      errs.add(p, 'must be an object');
      return { group: '', resources: [], resourceNames: [] };
    }
    const group = gr.group ?? '';
    if (typeof group !== 'string') errs.add(`${p}.group`, 'must be a string');
    else if (group !== '') {
      const msgs = isDNS1123Subdomain(group);
      if (msgs.length) errs.add(`${path}.group`, `Invalid value: ${JSON.stringify(group)}: ${msgs.join(',')}`);
    }
    const out: GroupResources = {
      group: typeof group === 'string' ? group : '',
      resources: strings(gr.resources, `${p}.resources`, errs),
      resourceNames: strings(gr.resourceNames, `${p}.resourceNames`, errs),
    };
    if (out.resourceNames.length > 0 && out.resources.length === 0)
      errs.add(`${path}.resourceNames`, `Invalid value: ${JSON.stringify(out.resourceNames)}: using resourceNames requires at least one resource`);
    return out;
  });
}

function rule(v: unknown, path: string, errs: Errors): PolicyRule {
  if (!isObject(v)) {
    errs.add(path, 'must be an object');
    return { level: 'None', users: [], userGroups: [], verbs: [], resources: [], namespaces: [], nonResourceURLs: [], omitStages: [] };
  }
  const r: PolicyRule = {
    level: level(v.level, `${path}.level`, errs),
    users: strings(v.users, `${path}.users`, errs),
    userGroups: strings(v.userGroups, `${path}.userGroups`, errs),
    verbs: strings(v.verbs, `${path}.verbs`, errs),
    resources: groupResources(v.resources, `${path}.resources`, errs),
    namespaces: strings(v.namespaces, `${path}.namespaces`, errs),
    nonResourceURLs: nonResourceURLs(v.nonResourceURLs, `${path}.nonResourceURLs`, errs),
    omitStages: stages(v.omitStages, `${path}.omitStages`, errs),
  };
  const omit = omitManagedFields(v.omitManagedFields, `${path}.omitManagedFields`, errs);
  if (omit !== undefined) r.omitManagedFields = omit;
  if (r.nonResourceURLs.length > 0 && (r.resources.length > 0 || r.namespaces.length > 0))
    errs.add(
      `${path}.nonResourceURLs`,
      `Invalid value: ${JSON.stringify(r.nonResourceURLs)}: rules cannot apply to both regular resources and non-resource URLs`,
    );
  return r;
}

/** A Policy from its YAML or JSON text; throws a PolicyError naming every field at fault. */
export function parsePolicy(text: string): Policy {
  let doc: unknown;
  try {
    doc = parseYAML(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new PolicyError(`failed decoding: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw new PolicyError('failed decoding: the policy is not an object');
  const gv = doc.apiVersion;
  if (doc.kind !== 'Policy' || typeof gv !== 'string' || !GROUP_VERSIONS.has(gv)) {
    throw new PolicyError(
      `unknown group version field ${JSON.stringify(`${String(gv ?? '')}, Kind=${String(doc.kind ?? '')}`)} in policy: want apiVersion audit.k8s.io/v1, kind Policy`,
    );
  }
  const errs = new Errors();
  let rules: PolicyRule[] = [];
  if (doc.rules !== undefined && doc.rules !== null) {
    if (Array.isArray(doc.rules)) rules = doc.rules.map((r: unknown, i) => rule(r, `rules[${i}]`, errs));
    else errs.add('rules', 'must be a list');
  }
  const policy: Policy = {
    rules,
    omitStages: stages(doc.omitStages, 'omitStages', errs),
    omitManagedFields: omitManagedFields(doc.omitManagedFields, 'omitManagedFields', errs) ?? false,
  };
  if (errs.list.length === 1) throw new PolicyError(errs.list[0]);
  if (errs.list.length > 1) throw new PolicyError(`[${errs.list.join(', ')}]`);
  if (rules.length === 0) throw new PolicyError('loaded illegal policy with 0 rules');
  return policy;
}

/** --audit-policy-file: the policy, or a PolicyError that names the file. */
export function loadPolicyFile(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PolicyError(`failed to read audit policy file ${JSON.stringify(path)}: ${(err as Error).message}`);
  }
  try {
    return parsePolicy(text);
  } catch (err) {
    throw new PolicyError(`${(err as Error).message}: from file ${path}`);
  }
}
