// Detached JSON Web Signatures as k8s.io/cluster-bootstrap/token/jws makes them for
// the kube-public/cluster-info ConfigMap: HS256 over the content, keyed by a
// bootstrap token's secret, with the token's id as "kid" in the protected header,
// serialized compact with the payload left out (`<header>..<signature>`). A joining
// node that knows a token checks with it that cluster-info came from the cluster.
// Two lines of node:crypto HMAC; the unit tests check the result with `jose`.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The protected header go-jose writes for these signatures: its keys sorted, no spaces. */
function protectedHeader(keyID: string): string {
  return Buffer.from(JSON.stringify({ alg: 'HS256', kid: keyID })).toString('base64url');
}

/** ComputeDetachedSignature: `<header>..<signature>` for content under the token secret. */
export function computeDetachedSignature(content: string, tokenID: string, tokenSecret: string): string {
  const header = protectedHeader(tokenID);
  const signature = createHmac('sha256', tokenSecret)
    .update(`${header}.${Buffer.from(content).toString('base64url')}`)
    .digest('base64url');
  return `${header}..${signature}`;
}

/** DetachedTokenIsValid: whether detached is what computeDetachedSignature gives for these inputs. */
export function detachedTokenIsValid(detached: string, content: string, tokenID: string, tokenSecret: string): boolean {
  const want = Buffer.from(computeDetachedSignature(content, tokenID, tokenSecret));
  const got = Buffer.from(detached);
  return got.length === want.length && timingSafeEqual(got, want);
}
