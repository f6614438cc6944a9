// Restricted: inline volumes only of the kinds that carry no host or cluster-wide
// access: configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim,
// projected, secret. Replaces the baseline hostPath check.
import type { Volume } from '../../../api/core/v1/types.js';
import { HOST_PATH_VOLUMES } from './hostPathVolumes.js';
import { ALLOWED, forbidden, joinQuote, pluralize, sortedSet, type Check } from './check.js';

const ALLOWED_SOURCES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'] as const;

/** The refused sources in upstream's order: the first one a volume sets names its type. */
const RESTRICTED_SOURCES = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
] as const;

function isSet(v: Volume, source: string): boolean {
  return (v as unknown as Record<string, unknown>)[source] != null;
}

export const restrictedVolumes: Check = {
  id: 'restrictedVolumes',
  level: 'restricted',
  versions: [
    {
      minimumVersion: 0,
      overrides: [HOST_PATH_VOLUMES],
      checkPod: (_m, spec) => {
        const bad: string[] = [];
        const types: string[] = [];
        for (const v of spec.volumes ?? []) {
          if (ALLOWED_SOURCES.some((s) => isSet(v, s))) continue;
          bad.push(v.name);
          types.push(RESTRICTED_SOURCES.find((s) => isSet(v, s)) ?? 'unknown');
        }
        if (!bad.length) return ALLOWED;
        const list = sortedSet(types);
        return forbidden(
          'restricted volume types',
          `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('restricted volume type', 'restricted volume types', list.length)} ${joinQuote(list)}`,
        );
      },
    },
  ],
};
