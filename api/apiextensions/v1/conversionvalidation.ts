// Validation of a CRD's spec.conversion, after apiextensions-apiserver's
// validateCustomResourceConversion. Upstream validates the internal type, so its
// field paths name `webhookClientConfig` and `conversionReviewVersions` directly
// under spec.conversion, whatever the v1 client sent; the messages keep those paths.
import type { KubeObject } from '../../meta/v1/types.js';
import { type ErrorList, forbidden, invalid, notSupported, objAt, required } from '../../validation/field.js';
import { isDNS1035Label } from '../../validation/names.js';
import { validateClientConfig } from '../../admissionregistration/v1/validation.js';

const STRATEGIES = ['None', 'Webhook'];
const REVIEW_VERSIONS = ['v1', 'v1beta1'];

function reviewVersionsOf(conversion: Record<string, unknown> | undefined): unknown[] {
  const v = objAt(conversion, 'webhook')?.conversionReviewVersions;
  return Array.isArray(v) ? v : [];
}

/** requireRecognizedVersion: on create, and on updates of a CRD whose versions were recognized (or absent). */
export function validateCustomResourceConversion(crd: KubeObject, requireRecognizedVersion = true): ErrorList {
  const errs: ErrorList = [];
  const spec = objAt(crd, 'spec');
  const conversion = objAt(spec, 'conversion');
  if (!conversion) return errs;
  const path = 'spec.conversion';
  const strategy = conversion.strategy;
  if (strategy === undefined || strategy === null || strategy === '') errs.push(required(`${path}.strategy`, ''));
  else if (!STRATEGIES.includes(String(strategy))) errs.push(notSupported(`${path}.strategy`, strategy, STRATEGIES));
  const webhook = objAt(conversion, 'webhook');
  const clientConfig = objAt(webhook, 'clientConfig');
  const versions = reviewVersionsOf(conversion);
  if (strategy === 'Webhook') {
    if (!clientConfig) errs.push(required(`${path}.webhookClientConfig`, 'required when strategy is set to Webhook'));
    else errs.push(...validateClientConfig(clientConfig, `${path}.webhookClientConfig`));
    errs.push(...validateConversionReviewVersions(versions, requireRecognizedVersion, `${path}.conversionReviewVersions`));
    if (spec?.preserveUnknownFields === true) errs.push(invalid(`${path}.strategy`, strategy, 'must be None if spec.preserveUnknownFields is true'));
  } else {
    if (clientConfig) errs.push(forbidden(`${path}.webhookClientConfig`, 'should not be set when strategy is not set to Webhook'));
    if (versions.length) errs.push(forbidden(`${path}.conversionReviewVersions`, 'should not be set when strategy is not set to Webhook'));
  }
  return errs;
}

function validateConversionReviewVersions(versions: unknown[], requireRecognizedVersion: boolean, path: string): ErrorList {
  if (versions.length === 0) return [required(path, '')];
  const errs: ErrorList = [];
  const seen = new Set<string>();
  let recognized = false;
  versions.forEach((raw, i) => {
    const v = String(raw);
    if (seen.has(v)) {
      errs.push(invalid(`${path}[${i}]`, v, 'duplicate version'));
      return;
    }
    seen.add(v);
    for (const m of isDNS1035Label(v)) errs.push(invalid(`${path}[${i}]`, v, m));
    if (REVIEW_VERSIONS.includes(v)) recognized = true;
  });
  if (requireRecognizedVersion && !recognized) errs.push(invalid(path, versions.map(String), `must include at least one of ${REVIEW_VERSIONS.join(', ')}`));
  return errs;
}

/** An update keeps accepting review versions the CRD already had if none was recognized before (upstream's ratcheting). */
export function validateCustomResourceConversionUpdate(crd: KubeObject, old: KubeObject): ErrorList {
  const oldVersions = reviewVersionsOf(objAt(objAt(old, 'spec'), 'conversion'));
  const oldRecognized = oldVersions.length === 0 || oldVersions.some((v) => REVIEW_VERSIONS.includes(String(v)));
  return validateCustomResourceConversion(crd, oldRecognized);
}
