// status.typeChecking of a ValidatingAdmissionPolicy (upstream's typechecking
// controller): every expression is checked against the schema of each kind the
// policy's resourceRules name: a field the kind does not have, or one of `params`
// that a built-in paramKind lacks, is reported as a warning (the expressions
// compile with both as dyn, so this is where such a typo shows). Rules with
// wildcards name no kind and are not checked.
import type { ExpressionWarning, ValidatingAdmissionPolicy } from '../../../../api/admissionregistration/v1/types.js';
import { BUILTIN_RESOURCES } from '../../../../api/resources.js';
import { schemaForKind } from '../../../../api/schema/build.js';
import type { SchemaNode } from '../../../../api/schema/types.js';
import type { ASTNode } from '@marcbachmann/cel-js';
import { compilePolicy } from './compile.js';

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
/** Upstream checks at most this many kinds per policy. */
const MAX_KINDS = 10;

interface Kind {
  gvk: string;
  schema: SchemaNode;
}

function kindsOf(policy: ValidatingAdmissionPolicy): Kind[] {
  const out: Kind[] = [];
  for (const rule of policy.spec?.matchConstraints?.resourceRules ?? []) {
    for (const group of rule.apiGroups ?? []) {
      for (const version of rule.apiVersions ?? []) {
        for (const resource of rule.resources ?? []) {
          if (group === '*' || version === '*' || resource.includes('*') || resource.includes('/')) continue;
          const info = BUILTIN_RESOURCES.find((r) => r.group === group && r.version === version && r.plural === resource);
          const schema = info && schemaForKind(group, version, info.kind);
          const gvk = `${group}/${version}, Kind=${info?.kind ?? ''}`;
          if (info && schema && !out.some((k) => k.gvk === gvk) && out.length < MAX_KINDS) out.push({ gvk, schema });
        }
      }
    }
  }
  return out;
}

function position(input: string, offset: number): string {
  const before = input.slice(0, offset);
  return `<input>:${before.split('\n').length}:${offset - (before.lastIndexOf('\n') + 1) + 1}`;
}

/** The schema of a field of a value of schema s; null when s has no such field, undefined when unknown. */
function fieldSchema(s: SchemaNode | undefined, name: string): SchemaNode | undefined | null {
  if (!s) return undefined;
  if (s.type === 'object') return s.properties?.[name] ?? (s.additionalProperties ? s.additionalProperties : null);
  if (s.type === 'map') return s.additionalProperties;
  return undefined;
}

function check(ast: ASTNode, root: SchemaNode, params: SchemaNode | undefined): string[] {
  const errors: string[] = [];
  const walk = (node: ASTNode, scope: ReadonlyMap<string, SchemaNode | undefined>): SchemaNode | undefined => {
    switch (node.op) {
      case 'id':
        if (scope.has(node.args)) return scope.get(node.args);
        if (node.args === 'params') return params;
        return node.args === 'object' || node.args === 'oldObject' ? root : undefined;
      case '.':
      case '.?': {
        const base = walk(node.args[0], scope);
        const f = fieldSchema(base, node.args[1]);
        if (f === null) {
          // cel-go places a selection at its dot.
          errors.push(`ERROR: ${position(node.input, node.input.lastIndexOf('.', node.pos))}: undefined field '${node.args[1]}'`);
          return undefined;
        }
        return f;
      }
      case '[]':
      case '[?]': {
        const base = walk(node.args[0], scope);
        walk(node.args[1], scope);
        if (base?.type === 'array') return base.items;
        if (base?.type === 'map') return base.additionalProperties;
        return undefined;
      }
      case 'rcall': {
        const [name, receiver, args] = node.args;
        const r = walk(receiver, scope);
        if (MACROS.has(name) && args[0]?.op === 'id') {
          const inner = new Map(scope);
          inner.set(args[0].args, r?.type === 'array' ? r.items : undefined);
          for (const a of args.slice(1)) walk(a, inner);
          return undefined;
        }
        for (const a of args) walk(a, scope);
        return undefined;
      }
      case 'call':
        for (const a of node.args[1]) walk(a, scope);
        return undefined;
      case 'value':
        return undefined;
      case 'map':
        for (const [k, v] of node.args) {
          walk(k, scope);
          walk(v, scope);
        }
        return undefined;
      case '!_':
      case '-_':
        walk(node.args, scope);
        return undefined;
      default:
        for (const a of node.args as ASTNode[]) walk(a, scope);
        return undefined;
    }
  };
  walk(ast, new Map());
  return errors;
}

/** The schema of a built-in paramKind (a custom kind's params stay unchecked). */
function paramSchema(policy: ValidatingAdmissionPolicy): SchemaNode | undefined {
  const pk = policy.spec?.paramKind;
  if (!pk?.apiVersion || !pk.kind) return undefined;
  const slash = pk.apiVersion.indexOf('/');
  const [group, version] = slash < 0 ? ['', pk.apiVersion] : [pk.apiVersion.slice(0, slash), pk.apiVersion.slice(slash + 1)];
  if (!BUILTIN_RESOURCES.some((r) => r.group === group && r.version === version && r.kind === pk.kind)) return undefined;
  return schemaForKind(group, version, pk.kind);
}

/** The warnings of status.typeChecking, one per expression that does not fit a matched kind. */
export function typeCheckPolicy(policy: ValidatingAdmissionPolicy): ExpressionWarning[] {
  const kinds = kindsOf(policy);
  if (kinds.length === 0) return [];
  const params = paramSchema(policy);
  const compiled = compilePolicy(policy);
  const expressions: Array<[string, ASTNode | undefined]> = [];
  compiled.validations.forEach((v, i) => {
    expressions.push([`spec.validations[${i}].expression`, v.compiled?.ast]);
    if (v.messageExpression) expressions.push([`spec.validations[${i}].messageExpression`, v.messageExpression.compiled?.ast]);
  });
  compiled.variables.forEach((v, i) => expressions.push([`spec.variables[${i}].expression`, v.compiled?.ast]));
  compiled.auditAnnotations.forEach((a, i) => expressions.push([`spec.auditAnnotations[${i}].valueExpression`, a.compiled?.ast]));
  const warnings: ExpressionWarning[] = [];
  for (const [fieldRef, ast] of expressions) {
    if (!ast) continue;
    const lines: string[] = [];
    for (const k of kinds) for (const e of check(ast, k.schema, params)) lines.push(`${k.gvk}: ${e}`);
    if (lines.length) warnings.push({ fieldRef, warning: lines.join('\n') });
  }
  return warnings;
}
