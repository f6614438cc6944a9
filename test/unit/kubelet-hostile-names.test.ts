// Names a pod chose ("__proto__", "constructor") in probe headers and env are data:
// probing does not throw on them, and they reach the request or expansion as given.
import { describe, expect, it } from '@jest/globals';
import { probeHeaders } from '../../pkg/kubelet/prober/http.js';
import { expandProbeCommand } from '../../pkg/kubelet/prober/exec.js';
import type { Container } from '../../api/core/v1/types.js';

describe('names a pod chose', () => {
  it('probe headers named "__proto__" and "constructor" are headers', () => {
    const h = probeHeaders(
      [
        { name: '__proto__', value: 'a' },
        { name: 'constructor', value: 'b' },
        { name: 'Constructor', value: 'c' },
      ],
      'kube-probe/1.32',
    );
    expect(Object.getOwnPropertyDescriptor(h, '__proto__')?.value).toBe('a');
    expect(h.constructor).toEqual(['b', 'c']);
    expect(({} as Record<string, unknown>).push).toBeUndefined();
  });

  it('$(constructor) in a probe command expands from env only', () => {
    const c = { name: 'c', env: [{ name: '__proto__', value: 'p' }] } as Container;
    expect(expandProbeCommand(['$(constructor)', '$(__proto__)', '$(toString)'], c)).toEqual(['$(constructor)', 'p', '$(toString)']);
  });
});
