// Baseline: no hostPath volumes (restricted's volume-type check replaces this one).
import { ALLOWED, forbidden, joinQuote, pluralize, type Check } from './check.js';

export const HOST_PATH_VOLUMES = 'hostPathVolumes';

export const hostPathVolumes: Check = {
  id: HOST_PATH_VOLUMES,
  level: 'baseline',
  versions: [
    {
      minimumVersion: 0,
      checkPod: (_m, spec) => {
        const bad = (spec.volumes ?? []).filter((v) => v.hostPath != null).map((v) => v.name);
        return bad.length ? forbidden('hostPath volumes', `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}`) : ALLOWED;
      },
    },
  ],
};
