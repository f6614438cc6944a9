// Service-account issuer discovery, as upstream's pkg/serviceaccount/openidmetadata.go:
// GET /.well-known/openid-configuration (the OIDC provider configuration) and
// GET /openid/v1/jwks (the public keys tokens are verified with), so that other
// parties can check this apiserver's service-account tokens. Served only when
// the issuer is an https URL; authorised as non-resource URLs (the
// system:service-account-issuer-discovery cluster role).
import type { Express, Response } from 'express';
import { publicJWK, type PublicKey } from '../util/serviceaccount/keys.js';

export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';
const CACHE_CONTROL = 'public, max-age=3600';

export interface OpenIDMetadata {
  configuration: string;
  jwks: string;
}

/** The two documents, or undefined when the issuer is not an https URL (upstream serves nothing then). */
export function openIDMetadata(issuer: string, keys: PublicKey[], jwksURI?: string): OpenIDMetadata | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:') return undefined;
  const algs = [...new Set(keys.map((k) => k.alg))].sort();
  const configuration = {
    issuer,
    jwks_uri: jwksURI || `${issuer.replace(/\/+$/, '')}${JWKS_PATH}`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: algs,
  };
  return { configuration: JSON.stringify(configuration), jwks: JSON.stringify({ keys: keys.map(publicJWK) }) };
}

function send(res: Response, contentType: string, body: string): void {
  // setHeader, not res.set: express would add a charset the upstream types do not carry.
  res.setHeader('content-type', contentType);
  res.setHeader('cache-control', CACHE_CONTROL);
  res.end(body);
}

export function serveOpenIDMetadata(app: Express, metadata: OpenIDMetadata): void {
  app.get(OPENID_CONFIGURATION_PATH, (_req, res) => send(res, 'application/json', metadata.configuration));
  app.get(JWKS_PATH, (_req, res) => send(res, 'application/jwk-set+json', metadata.jwks));
}
