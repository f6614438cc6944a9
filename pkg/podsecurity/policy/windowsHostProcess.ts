// Baseline: no Windows HostProcess pods or containers (they run with the host's access).
import { ALLOWED, forbidden, setters, visitContainers, type Check } from './check.js';

export const windowsHostProcess: Check = {
  id: 'windowsHostProcess',
  level: 'baseline',
  versions: [
    {
      minimumVersion: 0,
      checkPod: (_m, spec) => {
        const bad: string[] = [];
        visitContainers(spec, (c) => {
          if (c.securityContext?.windowsOptions?.hostProcess === true) bad.push(c.name);
        });
        const who = setters(spec.securityContext?.windowsOptions?.hostProcess === true, bad);
        return who.length ? forbidden('hostProcess', `${who.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`) : ALLOWED;
      },
    },
  ],
};
