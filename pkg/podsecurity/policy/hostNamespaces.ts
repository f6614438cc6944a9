// Baseline: no sharing of the host's network, PID or IPC namespace.
import { ALLOWED, forbidden, type Check } from './check.js';

export const hostNamespaces: Check = {
  id: 'hostNamespaces',
  level: 'baseline',
  versions: [
    {
      minimumVersion: 0,
      checkPod: (_m, spec) => {
        const shared: string[] = [];
        if (spec.hostNetwork) shared.push('hostNetwork=true');
        if (spec.hostPID) shared.push('hostPID=true');
        if (spec.hostIPC) shared.push('hostIPC=true');
        return shared.length ? forbidden('host namespaces', shared.join(', ')) : ALLOWED;
      },
    },
  ],
};
