// The jest environment of every tier: jest's node environment, whose structuredClone
// returns values of the test's own realm. jest runs each test file in a vm context with
// its own Object and Array; Node's structuredClone (which the controllers, the registry
// and validation use to copy objects) builds them with the main realm's, so
// assert.deepStrictEqual would find a copy unequal to the same object literal written
// in a test ("same structure but not reference-equal").
import vm from 'node:vm';
import { TestEnvironment } from 'jest-environment-node';

export default class Environment extends TestEnvironment {
  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    const context = this.getVmContext();
    if (!context) throw new Error('jest environment without a vm context');
    const clone = globalThis.structuredClone;
    // Compiled inside the context, so the objects and arrays it makes are the test's.
    const adopt = vm.runInContext(`(${adoptInRealm.toString()})`, context) as (v: unknown) => unknown;
    // Node's own clone keeps its semantics (what it refuses, what it copies); only the realm changes.
    (this.global as { structuredClone: unknown }).structuredClone = (value: unknown, options?: Parameters<typeof clone>[1]) => adopt(clone(value, options));
  }
}

/** A copy of v in the realm this function was compiled in. Self-contained: it is compiled again from its source. */
function adoptInRealm(v: unknown): unknown {
  const seen = new Map<object, unknown>();
  const g = globalThis as unknown as Record<string, unknown>;
  function copy(x: unknown): unknown {
    if (typeof x !== 'object' || x === null) return x;
    const known = seen.get(x);
    if (known !== undefined) return known;
    const tag = Object.prototype.toString.call(x).slice(8, -1);
    if (Array.isArray(x)) {
      const out: unknown[] = [];
      seen.set(x, out);
      out.length = x.length;
      for (const k of Object.keys(x)) (out as unknown as Record<string, unknown>)[k] = copy((x as unknown as Record<string, unknown>)[k]);
      return out;
    }
    if (tag === 'Object') {
      const out: Record<string, unknown> = Object.getPrototypeOf(x) === null ? Object.create(null) : {};
      seen.set(x, out);
      // defineProperty: a "__proto__" key is data, as in the original.
      for (const k of Object.keys(x))
        Object.defineProperty(out, k, { value: copy((x as Record<string, unknown>)[k]), writable: true, enumerable: true, configurable: true });
      return out;
    }
    if (tag === 'Date') return new Date((x as Date).getTime());
    if (tag === 'RegExp') return new RegExp((x as RegExp).source, (x as RegExp).flags);
    if (tag === 'Map') {
      const out = new Map();
      seen.set(x, out);
      for (const [k, val] of x as Map<unknown, unknown>) out.set(copy(k), copy(val));
      return out;
    }
    if (tag === 'Set') {
      const out = new Set();
      seen.set(x, out);
      for (const val of x as Set<unknown>) out.add(copy(val));
      return out;
    }
    if (ArrayBuffer.isView(x) && typeof g[tag] === 'function') {
      // Typed arrays: the same kind, over a copy of the bytes.
      const T = g[tag] as new (a: ArrayLike<number>) => unknown;
      return new T(x as unknown as ArrayLike<number>);
    }
    return x; // errors, ArrayBuffers and the rest: as Node made them
  }
  return copy(v);
}
