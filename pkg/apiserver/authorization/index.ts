// The apiserver's authorizer, as kube-apiserver builds it for
// --authorization-mode=Node,RBAC: members of system:masters first, then the Node
// authorizer, then RBAC; the first to allow decides. Building it also hands it to
// the registry, for the access reviews and the escalate and bind checks.
//
// The request filters ask it about every authenticated request (filters/authorization.ts).
import type { Authorizer } from '../../auth/authorizer.js';
import type { SubjectRulesResolver } from '../../registry/authorization/authorization.js';
import type { Registry } from '../../registry/registry.js';
import type { CacheInformer } from '../../registry/cacheinformer.js';
import { NodeGraph } from './node/graph.js';
import { NodeAuthorizer } from './node/node_authorizer.js';
import { PrivilegedGroupAuthorizer } from './privileged.js';
import { RBACAuthorizer } from './rbac/rbac.js';
import { UnionAuthorizer } from './union.js';
import { ALWAYS_ALLOW } from '../filters/authorization.js';

/** kube-apiserver's --authorization-mode values this apiserver has. */
export const AUTHORIZATION_MODES = ['AlwaysAllow', 'Node', 'RBAC'] as const;
export type AuthorizationMode = (typeof AUTHORIZATION_MODES)[number];

export const DEFAULT_AUTHORIZATION_MODES: AuthorizationMode[] = ['Node', 'RBAC'];

/** The modes of a --authorization-mode value (`Node,RBAC`); throws naming an unknown one. */
export function parseAuthorizationModes(flag: string): AuthorizationMode[] {
  const modes = flag.split(',').map((m) => m.trim());
  for (const m of modes) {
    if (!(AUTHORIZATION_MODES as readonly string[]).includes(m))
      throw new Error(`authorization-mode ${JSON.stringify(m)} is not a valid mode; valid: ${AUTHORIZATION_MODES.join(', ')}`);
  }
  if (new Set(modes).size !== modes.length) throw new Error(`authorization-mode ${JSON.stringify(flag)} has a mode more than once`);
  return modes as AuthorizationMode[];
}

/** The authorizer for modes (in order), set as the registry's authorization too. */
export function newAuthorizer(
  registry: Registry,
  modes: readonly AuthorizationMode[] = DEFAULT_AUTHORIZATION_MODES,
  log?: (msg: string) => void,
): UnionAuthorizer {
  const authorizers: Authorizer[] = [new PrivilegedGroupAuthorizer()];
  const resolvers: SubjectRulesResolver[] = [];
  for (const mode of modes) {
    if (mode === 'Node') {
      const node = newNodeAuthorizer(registry, log);
      authorizers.push(node);
      resolvers.push(node);
    } else if (mode === 'RBAC') {
      const rbac = new RBACAuthorizer(registry.ruleResolver, () => registry.rbacSynced());
      authorizers.push(rbac);
      resolvers.push(rbac);
    } else if (mode === 'AlwaysAllow') {
      authorizers.push(ALWAYS_ALLOW);
    }
  }
  const union = new UnionAuthorizer(authorizers, resolvers);
  registry.authorization = { authorizer: union, rules: union };
  return union;
}

function newNodeAuthorizer(registry: Registry, log?: (msg: string) => void): NodeAuthorizer {
  const graph = new NodeGraph();
  const informers: CacheInformer[] = [];
  const pods = registry.store('', 'v1', 'pods');
  const volumes = registry.store('', 'v1', 'persistentvolumes');
  if (pods) informers.push(registry.informer(pods, graph.podHandlers(), log));
  if (volumes) informers.push(registry.informer(volumes, graph.volumeHandlers(), log));
  let synced: Promise<void> | undefined;
  const waitForSync = () => {
    synced ??= Promise.all(informers.map((i) => i.start())).then(
      () => undefined,
      (err: unknown) => {
        synced = undefined;
        throw err;
      },
    );
    return synced;
  };
  return new NodeAuthorizer(graph, waitForSync);
}
