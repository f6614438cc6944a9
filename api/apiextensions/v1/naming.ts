// Which of a CRD's requested names it may have, after apiextensions-apiserver's naming
// condition controller: a name already accepted for another CRD of the group (or
// served by a built-in resource of the group) is refused, each kind of clash with
// upstream's condition reason and message; Established follows NamesAccepted.
import type { CustomResourceDefinition, CustomResourceDefinitionCondition, CustomResourceDefinitionNames } from './types.js';
import { findCondition } from './helpers.js';

export interface ClaimedNames {
  /** plural, singular and short names in use in the group. */
  resources: Set<string>;
  /** kind and listKind names in use in the group. */
  kinds: Set<string>;
}

export interface NamesAndConditions {
  acceptedNames: CustomResourceDefinitionNames;
  namesAccepted: CustomResourceDefinitionCondition;
  established: CustomResourceDefinitionCondition;
}

/** The names others hold in crd's group: other CRDs' accepted names, and built-in resources' names. */
export function claimedNames(
  crd: CustomResourceDefinition,
  others: Iterable<CustomResourceDefinition>,
  builtins: Iterable<{ group: string; plural: string; singular: string; shortNames?: string[]; kind: string; listKind: string }>,
): ClaimedNames {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  const add = (n: Partial<CustomResourceDefinitionNames>) => {
    for (const r of [n.plural, n.singular, ...(n.shortNames ?? [])]) if (r) resources.add(r);
    for (const k of [n.kind, n.listKind]) if (k) kinds.add(k);
  };
  for (const other of others) {
    if (other.spec.group !== crd.spec.group || other.metadata.name === crd.metadata.name) continue;
    if (other.status?.acceptedNames) add(other.status.acceptedNames);
  }
  for (const b of builtins) if (b.group === crd.spec.group) add(b);
  return { resources, kinds };
}

function inUse(requested: string | undefined, accepted: string | undefined, used: Set<string>): string | undefined {
  if (requested === accepted || !requested || !used.has(requested)) return undefined;
  return `"${requested}" is already in use`;
}

/** Upstream's calculateNamesAndConditions. */
export function calculateNamesAndConditions(crd: CustomResourceDefinition, claimed: ClaimedNames): NamesAndConditions {
  const requested = crd.spec.names;
  const accepted: Partial<CustomResourceDefinitionNames> = crd.status?.acceptedNames ?? {};
  const names: CustomResourceDefinitionNames = { plural: accepted.plural ?? '', kind: accepted.kind ?? '' };
  if (accepted.singular !== undefined) names.singular = accepted.singular;
  if (accepted.shortNames !== undefined) names.shortNames = accepted.shortNames;
  if (accepted.listKind !== undefined) names.listKind = accepted.listKind;
  let conflict: { reason: string; message: string } | undefined;
  const refuse = (reason: string, message: string) => (conflict = { reason, message });

  const plural = inUse(requested.plural, accepted.plural, claimed.resources);
  if (plural) refuse('PluralConflict', plural);
  else names.plural = requested.plural;
  const singular = inUse(requested.singular, accepted.singular, claimed.resources);
  if (singular) refuse('SingularConflict', singular);
  else if (requested.singular !== undefined) names.singular = requested.singular;
  if (JSON.stringify(requested.shortNames ?? []) !== JSON.stringify(accepted.shortNames ?? [])) {
    const ours = new Set(accepted.shortNames ?? []);
    const errs = (requested.shortNames ?? []).filter((s) => !ours.has(s)).flatMap((s) => inUse(s, '', claimed.resources) ?? []);
    if (errs.length) refuse('ShortNamesConflict', errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
    else if (requested.shortNames !== undefined) names.shortNames = requested.shortNames;
    else delete names.shortNames;
  }
  const kind = inUse(requested.kind, accepted.kind, claimed.kinds);
  if (kind) refuse('KindConflict', kind);
  else names.kind = requested.kind;
  const listKind = inUse(requested.listKind, accepted.listKind, claimed.kinds);
  if (listKind) refuse('ListKindConflict', listKind);
  else if (requested.listKind !== undefined) names.listKind = requested.listKind;
  // Categories are shared, never a conflict.
  if (requested.categories !== undefined) names.categories = requested.categories;
  else delete names.categories;

  const namesAccepted: CustomResourceDefinitionCondition = conflict
    ? { type: 'NamesAccepted', status: 'False', ...conflict }
    : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
  let established: CustomResourceDefinitionCondition = findCondition(crd, 'Established') ?? {
    type: 'Established',
    status: 'False',
    reason: 'NotAccepted',
    message: 'not all names are accepted',
  };
  // Once accepted, the CRD is established (upstream's establishing controller, run at once here).
  if (established.status !== 'True' && namesAccepted.status === 'True') {
    established = { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' };
  }
  return { acceptedNames: names, namesAccepted, established };
}
