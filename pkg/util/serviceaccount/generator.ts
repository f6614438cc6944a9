// Signing service-account JWTs with `jose`, as upstream's pkg/serviceaccount/jwt.go
// token generator: one issuer and one signing key; the apiserver's TokenRequest and
// the controller-manager's legacy token Secrets both sign with it.
import { SignJWT, type JWTPayload } from 'jose';
import type { SigningKey } from './keys.js';

export class TokenGenerator {
  constructor(
    readonly issuer: string,
    private readonly key: SigningKey,
  ) {}

  /** A compact JWS of the claims, with iss set and the key's alg and kid in the header. */
  generateToken(claims: JWTPayload): Promise<string> {
    return new SignJWT({ ...claims, iss: this.issuer }).setProtectedHeader({ alg: this.key.alg, kid: this.key.kid }).sign(this.key.privateKey);
  }
}
