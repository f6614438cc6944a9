// Kinds served at more than one version share one storage version; reads and
// writes at the other versions go through these conversions.
import { hpaV1ToV2, hpaV2ToV1 } from './autoscaling/conversion.js';
import { eventFromCore, eventToCore } from './events/v1/conversion.js';
import type { KubeObject } from './meta/v1/types.js';

export interface Conversion {
  /** apiVersion objects are stored at. */
  storageVersion: string;
  toStorage(obj: KubeObject): KubeObject;
  fromStorage(obj: KubeObject): KubeObject;
}

const CONVERSIONS: Record<string, Conversion> = {
  'autoscaling/v1/HorizontalPodAutoscaler': { storageVersion: 'autoscaling/v2', toStorage: hpaV1ToV2, fromStorage: hpaV2ToV1 },
  'events.k8s.io/v1/Event': { storageVersion: 'v1', toStorage: eventToCore, fromStorage: eventFromCore },
};

export function conversionFor(group: string, version: string, kind: string): Conversion | undefined {
  return CONVERSIONS[`${group}/${version}/${kind}`];
}
