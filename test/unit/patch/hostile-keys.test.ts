// Keys a client chose ("__proto__", "constructor", "prototype") are data in every
// patch type: they never reach Object.prototype, and they round-trip as map keys.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { applyMergePatch } from '../../../pkg/registry/patch/mergepatch.js';
import { applyStrategicMergePatch } from '../../../pkg/registry/patch/strategic.js';
import { applyPatch } from '../../../pkg/registry/patch/apply.js';
import { prototypeChanges, snapshotPrototypes, type PrototypeSnapshot } from '../../../pkg/util/prototypes.js';
import { objectMeta, podSpec } from './fixtures.js';
import type { SchemaNode } from '../../../api/schema/types.js';

const pod: SchemaNode = { type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: objectMeta, spec: podSpec } };
const configMap: SchemaNode = { type: 'object', properties: { metadata: objectMeta, data: { type: 'map', additionalProperties: { type: 'string' } } } };

const HOSTILE = [
  '{"__proto__":{"labels":{"pwn":"yes"}}}',
  '{"metadata":{"__proto__":{"pwn":"yes"}}}',
  '{"metadata":{"labels":{"__proto__":{"pwn":"yes"}}}}',
  '{"constructor":{"prototype":{"pwn":"yes"}}}',
  '{"data":{"constructor":{"prototype":{"pwn":"yes"}}}}',
  '{"spec":{"containers":[{"name":"c","__proto__":{"pwn":"yes"}}]}}',
  '{"__proto__":{"__proto__":{"pwn":"yes"}}}',
  '{"$retainKeys":["__proto__"],"__proto__":{"pwn":"yes"}}',
  '{"$setElementOrder/__proto__":[],"__proto__":[{"pwn":"yes"}]}',
];

function live(): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
}

const PATCHERS: Array<[string, (patch: object) => object]> = [
  ['JSON merge patch', (p) => applyMergePatch(live(), p)],
  ['strategic merge patch', (p) => applyStrategicMergePatch(live(), p, pod)],
  [
    'server-side apply',
    (p) => applyPatch(live(), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, ...p }, 'm', true, pod, '2024-01-01T00:00:00Z').object,
  ],
];

describe('hostile keys in patches', () => {
  let before: PrototypeSnapshot;
  beforeEach(() => {
    before = snapshotPrototypes();
  });
  afterEach(() => {
    expect(prototypeChanges(before)).toEqual([]);
    expect(({} as Record<string, unknown>).pwn).toBeUndefined();
  });

  for (const [name, patch] of PATCHERS) {
    for (const body of HOSTILE) {
      it(`${name} ${body} leaves the built-in prototypes alone`, () => {
        try {
          const out = patch(JSON.parse(body) as object);
          expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
        } catch (err) {
          // A refusal is fine; pollution is not (checked after each test).
          expect(err).toHaveProperty('code');
        }
      });
    }

    it(`${name}: "__proto__" and "constructor" as label keys are stored as data`, () => {
      const out = patch(JSON.parse('{"metadata":{"labels":{"__proto__":"x","constructor":"y","prototype":"z"}}}') as object) as {
        metadata: { labels: Record<string, unknown> };
      };
      const labels = out.metadata.labels;
      expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
      expect(Object.keys(labels).sort()).toEqual(['__proto__', 'app', 'constructor', 'prototype']);
      expect(Object.getOwnPropertyDescriptor(labels, '__proto__')?.value).toBe('x');
      expect(JSON.parse(JSON.stringify(out)).metadata.labels).toEqual(JSON.parse('{"app":"a","__proto__":"x","constructor":"y","prototype":"z"}'));
    });
  }

  it('a "__proto__" data key is merged as data and deleted by null', () => {
    const cm = { metadata: { name: 'c' }, data: JSON.parse('{"__proto__":"old","a":"1"}') as Record<string, string> };
    const merged = applyMergePatch(cm, JSON.parse('{"data":{"__proto__":"new"}}') as object) as typeof cm;
    expect(Object.getOwnPropertyDescriptor(merged.data, '__proto__')?.value).toBe('new');
    const strategic = applyStrategicMergePatch(cm, JSON.parse('{"data":{"__proto__":null}}') as object, configMap) as typeof cm;
    expect(Object.keys(strategic.data)).toEqual(['a']);
  });
});

describe('the prototype check itself', () => {
  it('sees a key added to, a member replaced on, and a prototype swapped of the built-ins', () => {
    const before = snapshotPrototypes();
    const proto = Object.prototype as Record<string, unknown>;
    const toFixed = Number.prototype.toFixed;
    try {
      proto.pwn = 'yes';
      Number.prototype.toFixed = () => 'x';
      Object.setPrototypeOf(Map.prototype, Array.prototype);
      expect(prototypeChanges(before).sort()).toEqual(["Map.prototype's prototype replaced", 'Number.prototype.toFixed changed', 'Object.prototype.pwn added']);
    } finally {
      delete proto.pwn;
      Number.prototype.toFixed = toFixed;
      Object.setPrototypeOf(Map.prototype, Object.prototype);
    }
    expect(prototypeChanges(before)).toEqual([]);
  });
});
