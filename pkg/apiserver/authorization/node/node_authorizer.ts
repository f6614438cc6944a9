// The Node authorizer (upstream's plugin/pkg/auth/authorizer/node): a kubelet,
// system:node:<name> in system:nodes, reads the secrets, config maps, claims,
// volumes and service accounts only of pods bound to its node, and its own
// Lease only; everything else it may do is the system:node role's rules, which
// this authorizer applies itself (that role's binding names no one).
import type { Attributes, Authorizer, AuthorizerResult } from '../../../auth/authorizer.js';
import { nodeIdentity } from '../../../auth/nodeidentifier.js';
import type { UserInfo } from '../../../auth/user.js';
import type { SubjectRules, SubjectRulesResolver } from '../../../registry/authorization/authorization.js';
import { rulesAllow } from '../../../registry/rbac/validation/rule.js';
import { nodeRules } from '../../../registry/rbac/bootstrappolicy/policy.js';
import type { PolicyRule } from '../../../../api/rbac/v1/types.js';
import type { NodeGraph, VertexType } from './graph.js';
import { goQuote } from '../../../util/goquote.js';

const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const NO_OPINION: AuthorizerResult = { decision: 'NoOpinion', reason: '' };
const ALLOW: AuthorizerResult = { decision: 'Allow', reason: '' };

function noOpinion(reason: string): AuthorizerResult {
  return { decision: 'NoOpinion', reason };
}

export class NodeAuthorizer implements Authorizer, SubjectRulesResolver {
  private synced = false;
  private readonly rules: PolicyRule[] = nodeRules();

  constructor(
    private readonly graph: NodeGraph,
    /** Resolves once the graph holds every pod and volume in storage. */
    private readonly waitForSync: () => Promise<void> = () => Promise.resolve(),
  ) {}

  authorize(attrs: Attributes): AuthorizerResult | Promise<AuthorizerResult> {
    const node = nodeIdentity(attrs.user);
    if (node === undefined) return NO_OPINION; // not a node: for the other authorizers
    if (node === '') return noOpinion(`unknown node for user ${goQuote(attrs.user.name)}`);
    if (this.synced) return this.decide(node, attrs);
    return this.waitForSync().then(() => {
      this.synced = true;
      return this.decide(node, attrs);
    });
  }

  private decide(node: string, attrs: Attributes): AuthorizerResult {
    if (attrs.isResourceRequest && attrs.apiGroup === '') {
      switch (attrs.resource) {
        case 'secrets':
          return this.readNamespacedObject(node, 'secret', attrs);
        case 'configmaps':
          return this.readNamespacedObject(node, 'configmap', attrs);
        case 'persistentvolumeclaims':
          return attrs.subresource === 'status' ? this.statusUpdate(node, attrs) : this.get(node, 'persistentvolumeclaim', attrs);
        case 'persistentvolumes':
          return this.getVolume(node, attrs);
        case 'serviceaccounts':
          return this.serviceAccount(node, attrs);
      }
    }
    if (attrs.isResourceRequest && attrs.apiGroup === 'coordination.k8s.io' && attrs.resource === 'leases') return this.lease(node, attrs);
    return rulesAllow(attrs, this.rules) ? ALLOW : NO_OPINION;
  }

  private related(node: string, type: VertexType, attrs: Attributes): AuthorizerResult {
    if (!attrs.name) return noOpinion('No Object name found');
    if (!this.graph.hasPathFrom(node, type, attrs.namespace, attrs.name)) return noOpinion(`no relationship found between node '${node}' and this object`);
    return ALLOW;
  }

  /** get, list and watch of one named object (a list or watch names it with a metadata.name field selector). */
  private readNamespacedObject(node: string, type: VertexType, attrs: Attributes): AuthorizerResult {
    if (!['get', 'list', 'watch'].includes(attrs.verb)) return noOpinion('can only read resources of this type');
    if (attrs.subresource) return noOpinion('cannot read subresource');
    if (!attrs.namespace) return noOpinion('can only read namespaced object of this type');
    return this.related(node, type, attrs);
  }

  private get(node: string, type: VertexType, attrs: Attributes): AuthorizerResult {
    if (attrs.verb !== 'get') return noOpinion('can only get individual resources of this type');
    if (attrs.subresource) return noOpinion('cannot get subresource');
    return this.related(node, type, attrs);
  }

  private statusUpdate(node: string, attrs: Attributes): AuthorizerResult {
    if (attrs.verb !== 'update' && attrs.verb !== 'patch') return noOpinion('can only get, update or patch individual resources of this type');
    return this.related(node, 'persistentvolumeclaim', attrs);
  }

  private getVolume(node: string, attrs: Attributes): AuthorizerResult {
    if (attrs.verb !== 'get') return noOpinion('can only get individual resources of this type');
    if (attrs.subresource) return noOpinion('cannot get subresource');
    if (!attrs.name) return noOpinion('No Object name found');
    return this.graph.hasVolumePath(node, attrs.name) ? ALLOW : noOpinion(`no relationship found between node '${node}' and this object`);
  }

  /** Tokens for, and reads of, the service accounts of the node's pods. */
  private serviceAccount(node: string, attrs: Attributes): AuthorizerResult {
    if (attrs.subresource === 'token') {
      if (attrs.verb !== 'create' || !attrs.name) return noOpinion('can only create tokens for individual service accounts');
      return this.related(node, 'serviceaccount', attrs);
    }
    if (attrs.subresource) return noOpinion('can only create token subresource of serviceaccount');
    return this.get(node, 'serviceaccount', attrs);
  }

  private lease(node: string, attrs: Attributes): AuthorizerResult {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(attrs.verb)) return noOpinion('can only get, create, update, patch, or delete a node lease');
    if (attrs.namespace !== NODE_LEASE_NAMESPACE) return noOpinion(`can only access leases in the ${goQuote(NODE_LEASE_NAMESPACE)} system namespace`);
    // A create names no object yet: NodeRestriction checks the name then.
    if (attrs.verb !== 'create' && attrs.name !== node) return noOpinion('can only access node lease with the same name as the requesting node');
    return ALLOW;
  }

  rulesFor(user: UserInfo): SubjectRules {
    const rules: SubjectRules = { resourceRules: [], nonResourceRules: [], incomplete: false };
    if (nodeIdentity(user) === undefined) return rules;
    // A node's permissions depend on its pods: they cannot be listed.
    return { ...rules, incomplete: true, evaluationError: 'node authorizer does not support user rule resolution' };
  }
}
