// Restricted: neither the pod nor a container sets runAsUser=0.
import { ALLOWED, forbidden, setters, visitContainers, type Check } from './check.js';

export const runAsUser: Check = {
  id: 'runAsUser',
  level: 'restricted',
  versions: [
    {
      minimumVersion: 23,
      checkPod: (_m, spec) => {
        const bad: string[] = [];
        visitContainers(spec, (c) => {
          if (c.securityContext?.runAsUser === 0) bad.push(c.name);
        });
        const who = setters(spec.securityContext?.runAsUser === 0, bad);
        return who.length ? forbidden('runAsUser=0', `${who.join(' and ')} must not set runAsUser=0`) : ALLOWED;
      },
    },
  ],
};
