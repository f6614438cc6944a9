// How a custom resource is converted between its CRD's versions (upstream's
// apiextensions-apiserver conversion package): `None` changes only apiVersion;
// `Webhook` calls the CRD's conversion webhook (conversionwebhook.ts). A version
// whose objects are all stored at it needs no conversion at all.
import type { CustomResourceDefinition, CustomResourceDefinitionVersion } from '../../../api/apiextensions/v1/types.js';
import { storageVersion } from '../../../api/apiextensions/v1/helpers.js';
import type { Conversion } from '../../../api/conversion.js';
import type { BatchConversion } from '../strategy.js';
import type { WebhookConverter } from './conversionwebhook.js';

/** None conversion: the object is the same at every version but for its apiVersion. */
export function noneConversion(group: string, served: string, storage: string): Conversion {
  const storageVersion = `${group}/${storage}`;
  const servedVersion = `${group}/${served}`;
  return {
    storageVersion,
    toStorage: (obj) => ({ ...obj, apiVersion: storageVersion }),
    fromStorage: (obj) => ({ ...obj, apiVersion: servedVersion }),
  };
}

export function usesWebhookConversion(crd: CustomResourceDefinition): boolean {
  return crd.spec.conversion?.strategy === 'Webhook';
}

/** The conversion of one served version: none needed, None, or the CRD's webhook. */
export function customResourceConversion(
  crd: CustomResourceDefinition,
  version: CustomResourceDefinitionVersion,
  webhook: WebhookConverter | undefined,
): { conversion?: Conversion; batchConversion?: BatchConversion } {
  const storage = storageVersion(crd) ?? version.name;
  // One version only, never stored at another: objects are read as stored (the stored JSON is sent as it is).
  const stored = crd.status?.storedVersions ?? [];
  if (storage === version.name && crd.spec.versions.length === 1 && stored.every((v) => v === version.name)) return {};
  if (webhook && usesWebhookConversion(crd)) {
    const converter = webhook;
    return {
      batchConversion: {
        storageVersion: `${crd.spec.group}/${storage}`,
        convert: (objs, apiVersion, asList) => converter.convert(objs, apiVersion, asList),
      },
    };
  }
  return { conversion: noneConversion(crd.spec.group, version.name, storage) };
}
