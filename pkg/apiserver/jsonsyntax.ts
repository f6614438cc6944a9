// Why JSON text does not parse, in the words of Go's encoding/json scanner (which
// kube-apiserver's decoder reports), instead of the JavaScript engine's: "invalid
// character '}' looking for beginning of object key string", "unexpected end of
// JSON input". Only called once JSON.parse has failed; iterative, so any nesting.

type Ctx = 'object-key' | 'object-value' | 'array';

function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const q = JSON.stringify(c);
  return `'${q.slice(1, -1)}'`;
}

const WS = new Set([' ', '\t', '\n', '\r']);

// One function on purpose: its small readers share the position and the nesting stack,
// as Go's scanner is one state machine.
export function jsonSyntaxError(text: string): string {
  const stack: Ctx[] = [];
  let i = 0;
  const invalid = (context: string): string => `invalid character ${quoteChar(String.fromCodePoint(text.codePointAt(i)!))} ${context}`;
  const skipWS = (): void => {
    while (i < text.length && WS.has(text[i])) i++;
  };
  // Reads one value, or its opening bracket; returns an error text, '' when fine.
  const value = (): string => {
    skipWS();
    if (i >= text.length) return 'unexpected end of JSON input';
    const c = text[i];
    if (c === '{') {
      i++;
      skipWS();
      if (text[i] === '}') {
        i++;
        return '';
      }
      if (i >= text.length) return 'unexpected end of JSON input';
      if (text[i] !== '"') return invalid('looking for beginning of object key string');
      stack.push('object-key');
      return string();
    }
    if (c === '[') {
      i++;
      skipWS();
      if (text[i] === ']') {
        i++;
        return '';
      }
      stack.push('array');
      return value();
    }
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    for (const lit of ['true', 'false', 'null']) {
      if (c !== lit[0]) continue;
      for (let k = 1; k < lit.length; k++) {
        i++;
        if (i >= text.length) return 'unexpected end of JSON input';
        if (text[i] !== lit[k]) return invalid(`in literal ${lit} (expecting ${quoteChar(lit[k])})`);
      }
      i++;
      return '';
    }
    return invalid('looking for beginning of value');
  };
  const string = (): string => {
    i++; // the opening quote
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i++;
        return '';
      }
      if (c < ' ') return invalid('in string literal');
      if (c === '\\') {
        i++;
        if (i >= text.length) break;
        if (text[i] === 'u') {
          for (let k = 0; k < 4; k++) {
            i++;
            if (i >= text.length) return 'unexpected end of JSON input';
            if (!/[0-9a-fA-F]/.test(text[i])) return invalid('in \\u hexadecimal character escape');
          }
        } else if (!'"\\/bfnrt'.includes(text[i])) return invalid('in string escape code');
      }
      i++;
    }
    return 'unexpected end of JSON input';
  };
  const number = (): string => {
    if (text[i] === '-') {
      i++;
      if (i >= text.length) return 'unexpected end of JSON input';
      if (!(text[i] >= '0' && text[i] <= '9')) return invalid('in numeric literal');
    }
    if (text[i] === '0') i++;
    else while (text[i] >= '0' && text[i] <= '9') i++;
    if (text[i] === '.') {
      i++;
      if (i >= text.length) return 'unexpected end of JSON input';
      if (!(text[i] >= '0' && text[i] <= '9')) return invalid('after decimal point in numeric literal');
      while (text[i] >= '0' && text[i] <= '9') i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (i >= text.length) return 'unexpected end of JSON input';
      if (!(text[i] >= '0' && text[i] <= '9')) return invalid('in exponent of numeric literal');
      while (text[i] >= '0' && text[i] <= '9') i++;
    }
    return '';
  };

  let err = value();
  while (!err) {
    skipWS();
    const top = stack[stack.length - 1];
    if (!top) {
      if (i < text.length) return invalid('after top-level value');
      return 'unexpected end of JSON input'; // JSON.parse failed for a reason not found here
    }
    if (i >= text.length) return 'unexpected end of JSON input';
    const c = text[i];
    if (top === 'object-key') {
      if (c !== ':') return invalid('after object key');
      i++;
      stack[stack.length - 1] = 'object-value';
      err = value();
    } else if (top === 'object-value') {
      if (c === '}') {
        i++;
        stack.pop();
      } else if (c === ',') {
        i++;
        skipWS();
        if (i >= text.length) return 'unexpected end of JSON input';
        if (text[i] !== '"') return invalid('looking for beginning of object key string');
        stack[stack.length - 1] = 'object-key';
        err = string();
      } else return invalid('after object key:value pair');
    } else {
      if (c === ']') {
        i++;
        stack.pop();
      } else if (c === ',') {
        i++;
        err = value();
      } else return invalid('after array element');
    }
  }
  return err;
}
