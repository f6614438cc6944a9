// The Kubernetes authorizer library (k8s.io/apiserver/pkg/cel/library/authz.go):
// `authorizer.group('apps').resource('deployments').namespace('x').check('update').allowed()`,
// `authorizer.path('/healthz').check('get')`, `authorizer.serviceAccount(ns, name)`
// and `authorizer.requestResource`, the resource of the request being admitted.
// Checks are asked of the apiserver's authorizer, so they may be asynchronous.
import type { Environment } from '@marcbachmann/cel-js';

export interface AuthzRequest {
  verb: string;
  isResourceRequest: boolean;
  path: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export interface AuthzDecision {
  allowed: boolean;
  reason: string;
  /** Set when the authorizer failed to decide. */
  error?: string;
}

/** Asks the authorizer about the request's user, or about a service account instead. */
export type AuthorizeFunc = (req: AuthzRequest, serviceAccount?: { namespace: string; name: string }) => AuthzDecision | Promise<AuthzDecision>;

export class Authorizer {
  readonly requestResource: ResourceCheck;
  constructor(
    readonly authorize: AuthorizeFunc,
    request: Omit<AuthzRequest, 'verb' | 'isResourceRequest' | 'path'>,
    readonly serviceAccount?: { namespace: string; name: string },
  ) {
    this.requestResource = new ResourceCheck(this, request.group, request.version, request.resource, request.subresource, request.namespace, request.name);
  }

  ask(req: AuthzRequest): AuthzDecision | Promise<AuthzDecision> {
    return this.authorize(req, this.serviceAccount);
  }
}

export class PathCheck {
  constructor(
    readonly authz: Authorizer,
    readonly path: string,
  ) {}
}

export class GroupCheck {
  constructor(
    readonly authz: Authorizer,
    readonly group: string,
  ) {}
}

export class ResourceCheck {
  constructor(
    readonly authz: Authorizer,
    readonly group: string,
    readonly version: string,
    readonly resource: string,
    readonly subresource: string,
    readonly namespace: string,
    readonly name: string,
  ) {}

  with(change: Partial<Pick<ResourceCheck, 'resource' | 'subresource' | 'namespace' | 'name'>>): ResourceCheck {
    return new ResourceCheck(
      this.authz,
      this.group,
      this.version,
      change.resource ?? this.resource,
      change.subresource ?? this.subresource,
      change.namespace ?? this.namespace,
      change.name ?? this.name,
    );
  }
}

export class Decision {
  constructor(readonly decision: AuthzDecision) {}
}

const P = 'kubernetes.authorization';
export const AUTHORIZER_TYPE = `${P}.Authorizer`;

async function decide(d: AuthzDecision | Promise<AuthzDecision>): Promise<Decision> {
  try {
    return new Decision(await d);
  } catch (err) {
    return new Decision({ allowed: false, reason: '', error: (err as Error).message });
  }
}

export function registerAuthz(env: Environment): void {
  env
    .registerType(`${P}.Decision`, Decision)
    .registerType(`${P}.PathCheck`, PathCheck)
    .registerType(`${P}.GroupCheck`, GroupCheck)
    .registerType(`${P}.ResourceCheck`, ResourceCheck)
    .registerType(AUTHORIZER_TYPE, { ctor: Authorizer, fields: { requestResource: `${P}.ResourceCheck` } })
    .registerFunction(`${AUTHORIZER_TYPE}.path(string): ${P}.PathCheck`, (a: Authorizer, path: string) => new PathCheck(a, path))
    .registerFunction(`${AUTHORIZER_TYPE}.group(string): ${P}.GroupCheck`, (a: Authorizer, group: string) => new GroupCheck(a, group))
    .registerFunction(
      `${AUTHORIZER_TYPE}.serviceAccount(string, string): ${AUTHORIZER_TYPE}`,
      (a: Authorizer, namespace: string, name: string) => new Authorizer(a.authorize, a.requestResource, { namespace, name }),
    )
    .registerFunction(
      `${P}.GroupCheck.resource(string): ${P}.ResourceCheck`,
      (g: GroupCheck, resource: string) => new ResourceCheck(g.authz, g.group, '*', resource, '', '', ''),
    )
    .registerFunction(`${P}.ResourceCheck.subresource(string): ${P}.ResourceCheck`, (r: ResourceCheck, subresource: string) => r.with({ subresource }))
    .registerFunction(`${P}.ResourceCheck.namespace(string): ${P}.ResourceCheck`, (r: ResourceCheck, namespace: string) => r.with({ namespace }))
    .registerFunction(`${P}.ResourceCheck.name(string): ${P}.ResourceCheck`, (r: ResourceCheck, name: string) => r.with({ name }))
    .registerFunction(`${P}.ResourceCheck.check(string): ${P}.Decision`, (r: ResourceCheck, verb: string) =>
      decide(
        r.authz.ask({
          verb,
          isResourceRequest: true,
          path: '',
          group: r.group,
          version: r.version,
          resource: r.resource,
          subresource: r.subresource,
          namespace: r.namespace,
          name: r.name,
        }),
      ),
    )
    .registerFunction(`${P}.PathCheck.check(string): ${P}.Decision`, (p: PathCheck, verb: string) =>
      decide(p.authz.ask({ verb, isResourceRequest: false, path: p.path, group: '', version: '', resource: '', subresource: '', namespace: '', name: '' })),
    )
    .registerFunction(`${P}.Decision.allowed(): bool`, (d: Decision) => d.decision.allowed)
    .registerFunction(`${P}.Decision.reason(): string`, (d: Decision) => d.decision.reason)
    .registerFunction(`${P}.Decision.errored(): bool`, (d: Decision) => d.decision.error !== undefined)
    .registerFunction(`${P}.Decision.error(): string`, (d: Decision) => d.decision.error ?? '');
}
