// How deeply a request body may nest arrays and objects. Go's JSON decoder, which
// kube-apiserver decodes with, refuses more than 10,000 levels ("exceeded max
// depth"); the limit is checked on the body's text, before anything (a parser, a
// patch, validation) walks the value recursively.
import { newBadRequest, type StatusError } from '../../api/meta/v1/status.js';

/** encoding/json's maxNestingDepth. */
export const MAX_NESTING_DEPTH = 10_000;

export function tooDeep(): StatusError {
  return newBadRequest(`the request body nests arrays and objects more than ${MAX_NESTING_DEPTH} levels deep (exceeded max depth)`);
}

/** A value nesting fewer levels than the limit walks fine; deeper ones still within it can exhaust the stack of a walk. */
export function nestedTooDeeplyToProcess(): StatusError {
  return newBadRequest('the request body nests arrays and objects too deeply to be processed');
}

/** Whether a stack overflow is what err is: thrown by a walk of input nested too deeply (in any realm). */
export function isStackOverflow(err: unknown): boolean {
  const e = err as { name?: unknown; message?: unknown } | null;
  return (
    !!e &&
    typeof e === 'object' &&
    (e.name === 'RangeError' || e.name === 'YAMLParseError') &&
    typeof e.message === 'string' &&
    e.message.startsWith('Maximum call stack size exceeded')
  );
}

/** Whether JSON text opens more than max arrays/objects at once. Brackets inside strings do not count. */
export function jsonNestsDeeperThan(text: Buffer, max = MAX_NESTING_DEPTH): boolean {
  if (text.length <= max) return false; // max+1 opening brackets need more bytes than that
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === 0x22) {
      // Skip the string, escapes included.
      for (i++; i < text.length && text[i] !== 0x22; i++) if (text[i] === 0x5c) i++;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/**
 * A bound on how deeply YAML text can nest: flow collections ({ [) outside quotes and
 * comments, plus block collections, each of which needs at least one more column of
 * indentation or a "- "/"? "/": " indicator on its line.
 */
export function yamlMayNestDeeperThan(text: string, max = MAX_NESTING_DEPTH): boolean {
  if (text.length <= max) return false;
  let flow = 0;
  let column = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      column = 0;
      continue;
    }
    column++;
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"') i++;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#') while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    else if (c === '{' || c === '[') flow++;
    else if (c === '}' || c === ']') flow--;
    if (flow + column > max) return true;
  }
  return false;
}
