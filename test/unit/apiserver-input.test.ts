// The apiserver's readers of hostile input, each as kube-apiserver (Go) reads it.
import { describe, expect, it } from '@jest/globals';
import { jsonNestsDeeperThan, yamlMayNestDeeperThan, MAX_NESTING_DEPTH } from '../../pkg/apiserver/depth.js';
import { jsonSyntaxError } from '../../pkg/apiserver/jsonsyntax.js';
import { decodeBody, decodePatch } from '../../pkg/apiserver/negotiation.js';
import { warningHeader } from '../../pkg/apiserver/responses.js';
import { hasMalformedEscape, unescapeSegment } from '../../pkg/apiserver/resourcerequest.js';
import { isLongRunning } from '../../pkg/apiserver/maxinflight.js';
import { queryBool } from '../../pkg/util/queryparams.js';
import { isBase64 } from '../../api/schema/validate.js';

describe('depth limit (encoding/json maxNestingDepth)', () => {
  const nested = (n: number): Buffer => Buffer.from(`${'['.repeat(n)}${']'.repeat(n)}`);
  it('10,000 levels pass, 10,001 do not; brackets inside strings do not count', () => {
    expect(MAX_NESTING_DEPTH).toBe(10_000);
    expect(jsonNestsDeeperThan(nested(10_000))).toBe(false);
    expect(jsonNestsDeeperThan(nested(10_001))).toBe(true);
    expect(jsonNestsDeeperThan(Buffer.from(`{"a":"${'['.repeat(20_000)}\\"["}`))).toBe(false);
    expect(jsonNestsDeeperThan(Buffer.from(`[${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}]`))).toBe(true);
  });
  it('YAML: flow brackets and indentation bound the nesting', () => {
    expect(yamlMayNestDeeperThan(`${'{a: '.repeat(10_001)}1`)).toBe(true);
    expect(yamlMayNestDeeperThan(`${' '.repeat(10_001)}a: 1`)).toBe(true);
    expect(yamlMayNestDeeperThan(`a: '${'['.repeat(20_000)}'\n# ${'{'.repeat(20_000)}\n`)).toBe(false);
  });
});

describe("JSON syntax errors in Go's words", () => {
  it.each([
    ['{"apiVersion": "apps/v1", "kind":', 'unexpected end of JSON input'],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ['[1 2]', "invalid character '2' after array element"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', "invalid character '\"' after object key:value pair"],
    ['nul', 'unexpected end of JSON input'],
    ['nux', "invalid character 'x' in literal null (expecting 'l')"],
    ['{} {}', "invalid character '{' after top-level value"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ['01', "invalid character '1' after top-level value"],
  ])('%s', (text, message) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(jsonSyntaxError(text)).toBe(message);
  });
});

describe('headers and paths', () => {
  it("Warning values are ASCII: quotes and backslashes escaped, the rest as Go's %q", () => {
    expect(warningHeader('unknown field "spec.x"')).toBe('299 - "unknown field \\"spec.x\\""');
    expect(warningHeader('日\n😀\\')).toBe('299 - "\\u65e5\\u000a\\U0001f600\\\\"');
    expect(/^[\x20-\x7e]*$/.test(warningHeader('\u0000\u00ff\u2028'))).toBe(true);
  });
  it('percent-escapes: malformed ones are found, the others unescape to bytes', () => {
    expect(['/a/%zz', '/a/%', '/a/%2', '/%g0'].map(hasMalformedEscape)).toEqual([true, true, true, true]);
    expect(['/a/%2F', '/a/b', '/a/%c0%ae'].map(hasMalformedEscape)).toEqual([false, false, false]);
    expect(unescapeSegment('a%20b%C3%A9')).toBe('a bé');
    expect(unescapeSegment('%c0%ae')).toBe('\ufffd\ufffd');
  });
  it('long-running requests', () => {
    expect(isLongRunning('/api/v1/watch/pods', '')).toBe(true);
    expect(isLongRunning('/api/v1/pods', 'watch=True')).toBe(true);
    expect(isLongRunning('/api/v1/pods', 'watch=false')).toBe(false);
    expect(isLongRunning('/api/v1/namespaces/a/pods/p/log', 'follow=true')).toBe(true);
    expect(isLongRunning('/api/v1/nodes/n/proxy/stats', '')).toBe(true);
    expect(isLongRunning('/api/v1/namespaces/a/pods/p', '')).toBe(false);
  });
});

describe('values', () => {
  it("booleans as Go's parameter codec reads them", () => {
    expect([undefined, null, '0', 'false', 'False', 'FALSE'].map(queryBool)).toEqual([false, false, false, false, false, false]);
    expect(['1', 'true', 'True', 't', 'yes', ''].map(queryBool)).toEqual([true, true, true, true, true, true]);
  });
  it('base64 as StdEncoding decodes it', () => {
    expect(['', 'YQ==', 'YWI=', 'YWJj', 'YW\nJj'].map(isBase64)).toEqual([true, true, true, true, true]);
    expect(['YQ', 'YWJ', 'not base64!', 'YQ=', '====', 'YWJj-_'].map(isBase64)).toEqual([false, false, false, false, false, false]);
  });
});

describe('YAML aliases', () => {
  it('an alias inside the node it names is refused as go-yaml refuses it; other aliases expand', () => {
    for (const text of ['a: &a [*a]', 'a: &a {b: *a}', 'x: &a\n  - y: *a']) {
      expect(() => decodePatch('apply', Buffer.from(text))).toThrow("error converting YAML to JSON: yaml: anchor 'a' value contains itself");
      expect(() => decodeBody('application/yaml', Buffer.from(text))).toThrow('contains itself');
    }
    expect(decodePatch('apply', Buffer.from('a: &x {b: 1}\nc: *x'))).toEqual({ a: { b: 1 }, c: { b: 1 } });
  });
});
