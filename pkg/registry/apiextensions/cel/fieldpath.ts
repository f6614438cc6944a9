// A validation rule's fieldPath (`.spec.x`, `.labels['app.kubernetes.io/name']`)
// checked against the schema it is written on, and turned into the field path its
// errors are reported at (upstream's ValidFieldPath).
import type { JSONSchemaProps } from '../../../../api/apiextensions/v1/types.js';

function unescapeSingleQuote(s: string): string | Error {
  let err: Error | undefined;
  const out = s.replace(/\\./g, (m) => {
    const c = m[1];
    const table: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', "'": "'", '\\': '\\' };
    if (Object.hasOwn(table, c)) return table[c];
    err = new Error(`invalid escape char ${m}`);
    return '';
  });
  return err ?? out;
}

/** Splits a JSON path into '.', '[' and ']' tokens and the text between them (single-quoted strings whole). */
function tokens(path: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < path.length) {
    const c = path[i];
    if (c === '.' || c === '[' || c === ']') {
      out.push(c);
      i++;
      continue;
    }
    let j = i;
    if (c === "'") {
      j = i + 1;
      while (j < path.length && !(path[j] === "'" && path[j - 1] !== '\\')) j++;
      j = Math.min(j + 1, path.length);
    } else {
      while (j < path.length && path[j] !== '.' && path[j] !== '[' && path[j] !== ']') j++;
    }
    out.push(path.slice(i, j));
    i = j;
  }
  return out;
}

/** The field path a fieldPath names (`spec.x`, `labels[app]`), or an Error saying why it names none. */
export function validFieldPath(jsonPath: string, schema: JSONSchemaProps): string | Error {
  let path = '';
  let cur: JSONSchemaProps | undefined = schema;
  const append = (name: string): Error | undefined => {
    if (!cur) return new Error('does not refer to a valid field');
    if (cur.properties) {
      if (!Object.hasOwn(cur.properties, name)) return new Error('does not refer to a valid field');
      path = path ? `${path}.${name}` : name;
      cur = cur.properties[name];
      return undefined;
    }
    if (cur.additionalProperties !== undefined && cur.additionalProperties !== false) {
      path = `${path}[${name}]`;
      cur = typeof cur.additionalProperties === 'object' ? (cur.additionalProperties as JSONSchemaProps) : undefined;
      return undefined;
    }
    return new Error('does not refer to a valid field');
  };
  const toks = tokens(jsonPath);
  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i];
    if (tok === '[') {
      const quoted = toks[++i];
      if (quoted === undefined) return new Error('unexpected end of JSON path');
      if (quoted.length < 2 || quoted[0] !== "'" || quoted[quoted.length - 1] !== "'") return new Error(`expected single quoted string but got ${quoted}`);
      const name = unescapeSingleQuote(quoted.slice(1, -1));
      if (name instanceof Error) return new Error(`invalid string literal: ${name.message}`);
      const err = append(name);
      if (err) return err;
      const close = toks[++i];
      if (close === undefined) return new Error('unexpected end of JSON path');
      if (close !== ']') return new Error(`expected ] but got ${close}`);
    } else if (tok === '.') {
      const name = toks[++i];
      if (name === undefined) return new Error('unexpected end of JSON path');
      const err = append(name);
      if (err) return err;
    } else return new Error(`expected [ or . but got: ${tok}`);
  }
  return path;
}
