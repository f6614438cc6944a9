// Restricted: containers run as a non-root user: runAsNonRoot=true on the pod (and not
// false on a container), or on every container.
import { ALLOWED, forbidden, joinQuote, pluralize, setters, visitContainers, type Check } from './check.js';

export const runAsNonRoot: Check = {
  id: 'runAsNonRoot',
  level: 'restricted',
  versions: [
    {
      minimumVersion: 0,
      checkPod: (_m, spec) => {
        const pod = spec.securityContext?.runAsNonRoot;
        const explicitlyBad: string[] = [];
        const implicitlyBad: string[] = [];
        visitContainers(spec, (c) => {
          const own = c.securityContext?.runAsNonRoot;
          if (own != null) {
            if (!own) explicitlyBad.push(c.name);
          } else if (pod !== true) implicitlyBad.push(c.name);
        });
        const who = setters(pod === false, explicitlyBad);
        if (who.length) return forbidden('runAsNonRoot != true', `${who.join(' and ')} must not set securityContext.runAsNonRoot=false`);
        if (implicitlyBad.length) {
          return forbidden(
            'runAsNonRoot != true',
            `pod or ${pluralize('container', 'containers', implicitlyBad.length)} ${joinQuote(implicitlyBad)} must set securityContext.runAsNonRoot=true`,
          );
        }
        return ALLOWED;
      },
    },
  ],
};
