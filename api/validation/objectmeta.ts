// ObjectMeta and annotations after apimachinery's ValidateObjectMeta; labels and
// label selectors come from api/labels (metav1 validation), adapted here to
// the untyped objects the registry validators walk.
import type { ObjectMeta } from '../meta/v1/types.js';
import { type LabelSelector, selectorFromLabelSelector } from '../labels/selector.js';
import { validateLabels as validateLabelMap } from '../labels/validation.js';
import { isDNS1123Label, isQualifiedName } from '../util/validation.js';
import { type ErrorList, type Obj, forbidden, goStringMap, invalid, isObj, notSupported, required, tooLong, validateImmutableField } from './field.js';
import type { NameValidator } from './names.js';

export type { LabelSelector, LabelSelectorRequirement } from '../labels/selector.js';
export { validateLabelSelector } from '../labels/validation.js';

export const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024;

/** ValidateLabels for a value read from an untyped object (schema validation has already checked it is a string map). */
export function validateLabels(labels: unknown, field: string): ErrorList {
  return isObj(labels) ? validateLabelMap(labels as Record<string, string>, field) : [];
}

export function validateAnnotations(annotations: unknown, field: string): ErrorList {
  const errs: ErrorList = [];
  if (!isObj(annotations)) return errs;
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(field, k, m));
    total += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : String(v));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT_B) errs.push(tooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT_B));
  return errs;
}

export interface ObjectMetaOptions {
  /** Validates metadata.name (and generateName as a prefix). */
  nameFn: NameValidator;
  /** Skip the name checks (pod templates carry no name). */
  skipName?: boolean;
}

export function validateObjectMeta(meta: ObjectMeta | undefined, opts: ObjectMetaOptions, field = 'metadata'): ErrorList {
  const errs: ErrorList = [];
  const m = meta ?? {};
  if (!opts.skipName) {
    if (m.generateName) for (const msg of opts.nameFn(m.generateName, true)) errs.push(invalid(`${field}.generateName`, m.generateName, msg));
    if (!m.name) {
      if (!m.generateName) errs.push(required(`${field}.name`, 'name or generateName is required'));
    } else {
      for (const msg of opts.nameFn(m.name, false)) errs.push(invalid(`${field}.name`, m.name, msg));
    }
  }
  if (m.namespace) for (const msg of isDNS1123Label(m.namespace)) errs.push(invalid(`${field}.namespace`, m.namespace, msg));
  if (typeof m.generation === 'number' && m.generation < 0) errs.push(invalid(`${field}.generation`, m.generation, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(m.labels, `${field}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${field}.annotations`));
  (m.finalizers ?? []).forEach((f) => {
    for (const msg of isQualifiedName(f)) errs.push(invalid(`${field}.finalizers`, f, msg));
  });
  (m.ownerReferences ?? []).forEach((r, i) => {
    const p = `${field}.ownerReferences[${i}]`;
    if (!r.apiVersion) errs.push(invalid(`${p}.apiVersion`, r.apiVersion ?? '', 'version must not be empty'));
    if (!r.kind) errs.push(invalid(`${p}.kind`, r.kind ?? '', 'kind must not be empty'));
    if (!r.name) errs.push(invalid(`${p}.name`, r.name ?? '', 'name must not be empty'));
    if (!r.uid) errs.push(invalid(`${p}.uid`, r.uid ?? '', 'uid must not be empty'));
  });
  const controllers = (m.ownerReferences ?? []).filter((r) => r.controller);
  if (controllers.length > 1)
    errs.push(
      invalid(
        `${field}.ownerReferences`,
        { raw: `[]v1.OwnerReference{...}` },
        `Only one reference can have Controller set to true. Found "true" in references for ${controllers.map((r) => `${r.kind}/${r.name}`).join(' and ')}`,
      ),
    );
  return errs;
}

/** ValidateObjectMetaUpdate: identity fields cannot change. Fields the store fills from the old object are only compared when both are set. */
export function validateObjectMetaUpdate(meta: ObjectMeta | undefined, old: ObjectMeta | undefined, field = 'metadata'): ErrorList {
  const errs: ErrorList = [];
  const n = meta ?? {};
  const o = old ?? {};
  if (n.name !== undefined && o.name !== undefined) errs.push(...validateImmutableField(n.name, o.name, `${field}.name`));
  if (n.namespace && o.namespace) errs.push(...validateImmutableField(n.namespace, o.namespace, `${field}.namespace`));
  if (n.uid && o.uid) errs.push(...validateImmutableField(n.uid, o.uid, `${field}.uid`));
  if (n.creationTimestamp && o.creationTimestamp) errs.push(...validateImmutableField(n.creationTimestamp, o.creationTimestamp, `${field}.creationTimestamp`));
  if (o.deletionTimestamp && n.deletionTimestamp && n.deletionTimestamp !== o.deletionTimestamp)
    errs.push(invalid(`${field}.deletionTimestamp`, n.deletionTimestamp, 'field is immutable; may only be changed via deletion'));
  if (o.deletionTimestamp && n.finalizers) {
    // Once deleting, finalizers may only be removed, never added.
    const had = new Set(o.finalizers ?? []);
    for (const f of n.finalizers)
      if (!had.has(f))
        errs.push(
          forbidden(
            `${field}.finalizers`,
            `no new finalizers can be added if the object is being deleted, found new finalizers []string{${JSON.stringify(f)}}`,
          ),
        );
  }
  return errs;
}

// --- label selectors ---

export function asLabelSelector(v: unknown): LabelSelector | undefined {
  return isObj(v) ? (v as LabelSelector) : undefined;
}

/** The `len(MatchLabels)+len(MatchExpressions) == 0` check workloads reject ("empty selector is invalid"). */
export function selectorIsEmpty(sel: LabelSelector | undefined): boolean {
  return !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
}

/** Go's %#v of a metav1.LabelSelector, as printed in `field is immutable` messages (not metav1.FormatLabelSelector, which is in api/labels). */
export function formatLabelSelector(sel: LabelSelector | undefined): string {
  if (!sel) return '(*v1.LabelSelector)(nil)';
  const ml = sel.matchLabels && Object.keys(sel.matchLabels).length ? goStringMap(sel.matchLabels) : 'map[string]string(nil)';
  const me =
    sel.matchExpressions && sel.matchExpressions.length
      ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions.map((r) => `v1.LabelSelectorRequirement{Key:${JSON.stringify(r.key)}, Operator:${JSON.stringify(r.operator)}, Values:${r.values ? `[]string{${r.values.map((v) => JSON.stringify(v)).join(', ')}}` : '[]string(nil)'}}`).join(', ')}}`
      : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:${me}}`;
}

/** metav1.LabelSelectorAsSelector(sel).Matches(labels); a selector that does not convert (bad operator, key or value) matches nothing. */
function selectorMatchesLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  try {
    return selectorFromLabelSelector(sel).matches(labels);
  } catch {
    return false;
  }
}

/** The selector-vs-template check shared by every workload. */
export function validateSelectorMatchesTemplate(sel: LabelSelector | undefined, templateLabels: Record<string, string> | undefined, field: string): ErrorList {
  if (!sel || selectorIsEmpty(sel)) return [];
  if (selectorMatchesLabels(sel, templateLabels)) return [];
  return [invalid(field, { raw: goStringMap(templateLabels) }, '`selector` does not match template `labels`')];
}

export function validateSupported(v: unknown, valid: string[], field: string, requiredIfMissing = true): ErrorList {
  if (v === undefined || v === null || v === '') return requiredIfMissing ? [required(field, '')] : [];
  return valid.includes(String(v)) ? [] : [notSupported(field, v, valid)];
}

export type { Obj };
