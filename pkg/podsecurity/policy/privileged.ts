// Baseline: no privileged containers.
import { ALLOWED, forbidden, joinQuote, pluralize, visitContainers, type Check } from './check.js';

export const privileged: Check = {
  id: 'privileged',
  level: 'baseline',
  versions: [
    {
      minimumVersion: 0,
      checkPod: (_m, spec) => {
        const bad: string[] = [];
        visitContainers(spec, (c) => {
          if (c.securityContext?.privileged === true) bad.push(c.name);
        });
        if (!bad.length) return ALLOWED;
        return forbidden('privileged', `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not set securityContext.privileged=true`);
      },
    },
  ],
};
