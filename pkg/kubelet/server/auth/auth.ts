// The kubelet API's filter (upstream pkg/kubelet/server/server.go InstallAuthFilter):
// authenticate (401 "Unauthorized"), derive the request's attributes, authorise
// (403 "Forbidden (user=…, verb=…, resource=…, subresource=…)", or 500
// "Authorization error (…)" when the authoriser fails). BuildAuth assembles the
// pieces from the kubelet's flags.
import type { IncomingMessage } from 'node:http';
import type { Client } from '../../../client/rest.js';
import { requestAttributes, type KubeletAttributes } from './attributes.js';
import { DelegatingAuthenticator, WebhookTokenAuthenticator } from '../../../client/delegated/authenticator.js';
import { ALWAYS_ALLOW, WebhookAuthorizer, type KubeletAuthorizer } from './authorizer.js';
import { clientSubjectAccessReviewer, clientTokenReviewer } from '../../../client/delegated/reviews.js';

export type AuthCheck = { allowed: true; attributes?: KubeletAttributes } | { allowed: false; code: 401 | 403 | 500; message: string };

function describe(a: KubeletAttributes): string {
  return `user=${a.user.name}, verb=${a.verb}, resource=${a.resource}, subresource=${a.subresource}`;
}

export class KubeletAuth {
  constructor(
    private readonly authenticator: DelegatingAuthenticator,
    private readonly authorizer: KubeletAuthorizer,
    private readonly nodeName: string,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  /** Whether the request may be served; when not, the code and text to answer. */
  async check(req: IncomingMessage, path: string): Promise<AuthCheck> {
    const authn = await this.authenticator.authenticate(req);
    if ('error' in authn) {
      this.log(`unable to authenticate ${req.method} ${path}: ${authn.error}`);
      return { allowed: false, code: 401, message: 'Unauthorized' };
    }
    const attrs = requestAttributes(authn.user, req.method ?? 'GET', path, this.nodeName);
    let decision: string;
    try {
      decision = (await this.authorizer.authorize(attrs)).decision;
    } catch (err) {
      this.log(`authorization error (${describe(attrs)}): ${(err as Error).message}`);
      return { allowed: false, code: 500, message: `Authorization error (${describe(attrs)})` };
    }
    if (decision !== 'Allow') return { allowed: false, code: 403, message: `Forbidden (${describe(attrs)})` };
    return { allowed: true, attributes: attrs };
  }
}

export interface KubeletAuthOptions {
  nodeName: string;
  /** --client-ca-file was given: client certificates from it authenticate. */
  clientCA: boolean;
  /** --anonymous-auth. */
  anonymous: boolean;
  /** --authentication-token-webhook: bearer tokens through TokenReview. */
  tokenWebhook: boolean;
  tokenWebhookCacheTTLMs?: number;
  /** --authorization-mode. */
  authorizationMode: 'AlwaysAllow' | 'Webhook';
  authorizedTTLMs?: number;
  unauthorizedTTLMs?: number;
  /** The kubelet's client, for the reviews. */
  client?: Client;
  log?: (msg: string) => void;
}

/** BuildAuth: the kubelet API's authenticator and authoriser from its flags. */
export function buildAuth(o: KubeletAuthOptions): KubeletAuth {
  const needsClient = o.tokenWebhook || o.authorizationMode === 'Webhook';
  if (needsClient && !o.client) throw new Error('kubelet API: webhook authentication and authorization need a client for the apiserver (--kubeconfig)');
  const tokens =
    o.tokenWebhook && o.client ? new WebhookTokenAuthenticator(clientTokenReviewer(o.client), { cacheTTLMs: o.tokenWebhookCacheTTLMs }) : undefined;
  const authenticator = new DelegatingAuthenticator({ x509: o.clientCA, tokens, anonymous: o.anonymous });
  const authorizer =
    o.authorizationMode === 'Webhook' && o.client
      ? new WebhookAuthorizer(clientSubjectAccessReviewer(o.client), { authorizedTTLMs: o.authorizedTTLMs, unauthorizedTTLMs: o.unauthorizedTTLMs })
      : ALWAYS_ALLOW;
  return new KubeletAuth(authenticator, authorizer, o.nodeName, o.log);
}
