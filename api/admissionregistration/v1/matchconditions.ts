// matchConditions of a webhook or a ValidatingAdmissionPolicy: at most 64, each
// with a unique qualified name and an expression (compiled by the registry).
import { type ErrorList, type Obj, duplicate, invalid, required, str, tooMany } from '../../validation/field.js';
import { isQualifiedName } from '../../util/validation.js';

const MAX_MATCH_CONDITIONS = 64;

export function validateMatchConditionFields(conditions: Obj[], field: string): ErrorList {
  const errs: ErrorList = [];
  if (conditions.length > MAX_MATCH_CONDITIONS) errs.push(tooMany(field, conditions.length, MAX_MATCH_CONDITIONS));
  const names = new Set<string>();
  conditions.forEach((c, i) => {
    const name = str(c, 'name') ?? '';
    if (name === '') errs.push(required(`${field}[${i}].name`, ''));
    else {
      for (const m of isQualifiedName(name)) errs.push(invalid(`${field}[${i}].name`, name, m));
      if (names.has(name)) errs.push(duplicate(`${field}[${i}].name`, name));
    }
    names.add(name);
    if (!str(c, 'expression')) errs.push(required(`${field}[${i}].expression`, ''));
  });
  return errs;
}
