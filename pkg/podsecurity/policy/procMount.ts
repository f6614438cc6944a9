// Baseline: the default /proc masks stay (procMount unset or "Default").
import { ALLOWED, forbidden, joinQuote, pluralize, sortedSet, visitContainers, type Check } from './check.js';

export const procMount: Check = {
  id: 'procMount',
  level: 'baseline',
  versions: [
    {
      minimumVersion: 0,
      checkPod: (_m, spec) => {
        const bad: string[] = [];
        const types: string[] = [];
        visitContainers(spec, (c) => {
          const mount = c.securityContext?.procMount;
          if (mount == null || mount === 'Default') return;
          bad.push(c.name);
          types.push(mount);
        });
        if (!bad.length) return ALLOWED;
        return forbidden(
          'procMount',
          `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`,
        );
      },
    },
  ],
};
