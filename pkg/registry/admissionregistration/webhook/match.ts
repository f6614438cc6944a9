// Which webhooks a request is sent to (upstream's webhook/predicates): the
// rules (operation, group, version, resource/subresource, scope), then the
// object selector (the new or the old object's labels), then the namespace
// selector (the labels of the request's namespace; cluster-scoped requests,
// other than those on namespaces, always match it).
import type { RuleWithOperations } from '../../../../api/admissionregistration/v1/types.js';
import type { Selector } from '../../../../api/labels/selector.js';
import type { AdmissionAttributes } from './attributes.js';

function oneOf(values: string[] | undefined, value: string): boolean {
  return (values ?? []).some((v) => v === '*' || v === value);
}

function resourceMatches(resources: string[] | undefined, resource: string, subresource: string): boolean {
  for (const r of resources ?? []) {
    const slash = r.indexOf('/');
    const res = slash < 0 ? r : r.slice(0, slash);
    const sub = slash < 0 ? '' : r.slice(slash + 1);
    if ((res === '*' || res === resource) && (sub === '*' || sub === subresource)) return true;
  }
  return false;
}

function scopeMatches(scope: string | undefined, attr: AdmissionAttributes): boolean {
  const isNamespaceObject = attr.group === '' && attr.resource === 'namespaces';
  switch (scope ?? '*') {
    case 'Namespaced':
      return !isNamespaceObject && attr.namespace !== '';
    case 'Cluster':
      return isNamespaceObject || attr.namespace === '';
    default:
      return true;
  }
}

export function ruleMatches(rule: RuleWithOperations, attr: AdmissionAttributes): boolean {
  return (
    oneOf(rule.operations, attr.operation) &&
    oneOf(rule.apiGroups, attr.group) &&
    oneOf(rule.apiVersions, attr.version) &&
    resourceMatches(rule.resources, attr.resource, attr.subresource) &&
    scopeMatches(rule.scope, attr)
  );
}

export function rulesMatch(rules: RuleWithOperations[] | undefined, attr: AdmissionAttributes): boolean {
  return (rules ?? []).some((r) => ruleMatches(r, attr));
}

/** The object selector matches the new object's labels or the old object's. */
export function objectSelectorMatches(selector: Selector, attr: AdmissionAttributes): boolean {
  if (selector.isEmpty()) return true;
  if (attr.object && selector.matches(attr.object.metadata?.labels)) return true;
  return !!attr.oldObject && selector.matches(attr.oldObject.metadata?.labels);
}

/**
 * The namespace whose labels the namespace selector reads: none (always matches) for
 * cluster-scoped requests other than on namespaces; for a Namespace's own create or
 * update, the object itself; for its deletion, the old object.
 */
export function namespaceForSelector(attr: AdmissionAttributes): { name: string; labels?: Record<string, string> } | undefined {
  const isNamespaceObject = attr.group === '' && attr.resource === 'namespaces';
  if (!isNamespaceObject) return attr.namespace === '' ? undefined : { name: attr.namespace };
  if (attr.subresource === '' && (attr.operation === 'CREATE' || attr.operation === 'UPDATE'))
    return { name: attr.name, labels: attr.object?.metadata?.labels ?? {} };
  if (attr.operation === 'DELETE') return { name: attr.name, labels: attr.oldObject?.metadata?.labels ?? {} };
  return { name: attr.name };
}
