// Roles and bindings as the RBAC authorizer reads them: kept in memory from the
// registry's watch caches (no etcd read per request), with the bindings indexed
// by the subjects they name, so a request looks only at the bindings that can
// apply to its user (its name, each of its groups, its service account).
import type { KubeObject } from '../../../api/meta/v1/types.js';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding, Subject } from '../../../api/rbac/v1/types.js';
import type { UserInfo } from '../../auth/user.js';
import type { CacheInformerHandlers } from '../cacheinformer.js';
import { splitServiceAccountUsername, type RBACListers } from './validation/rule.js';

type Binding = RoleBinding | ClusterRoleBinding;

function subjectKey(s: Subject, bindingNamespace: string): string | undefined {
  switch (s.kind) {
    case 'User':
    case 'Group':
      return `${s.kind}\u0000${s.name}`;
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return ns ? `ServiceAccount\u0000${ns}\u0000${s.name}` : undefined;
    }
    default:
      return undefined;
  }
}

/** Every subject key a user answers to. */
function userKeys(user: UserInfo): string[] {
  const keys = [`User\u0000${user.name}`, ...user.groups.map((g) => `Group\u0000${g}`)];
  const sa = splitServiceAccountUsername(user.name);
  if (sa) keys.push(`ServiceAccount\u0000${sa.namespace}\u0000${sa.name}`);
  return keys;
}

/** Objects by key, and the keys of bindings by subject (scope: '' for cluster role bindings, else the namespace). */
class BindingIndex<B extends Binding> {
  private readonly byKey = new Map<string, B>();
  private readonly bySubject = new Map<string, Set<string>>();

  private static objectKey(b: KubeObject): string {
    return `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`;
  }

  private subjectKeys(b: B): string[] {
    const ns = b.metadata.namespace ?? '';
    const keys = new Set<string>();
    for (const s of b.subjects ?? []) {
      const k = subjectKey(s, ns);
      if (k !== undefined) keys.add(`${ns}\u0001${k}`);
    }
    return [...keys];
  }

  upsert(b: B): void {
    this.remove(b);
    const key = BindingIndex.objectKey(b);
    this.byKey.set(key, b);
    for (const sk of this.subjectKeys(b)) {
      let set = this.bySubject.get(sk);
      if (!set) this.bySubject.set(sk, (set = new Set()));
      set.add(key);
    }
  }

  remove(b: KubeObject): void {
    const key = BindingIndex.objectKey(b);
    const old = this.byKey.get(key);
    if (!old) return;
    this.byKey.delete(key);
    for (const sk of this.subjectKeys(old)) {
      const set = this.bySubject.get(sk);
      set?.delete(key);
      if (set && set.size === 0) this.bySubject.delete(sk);
    }
  }

  clear(): void {
    this.byKey.clear();
    this.bySubject.clear();
  }

  /** The bindings in scope naming any of the user's keys, in key order (a stable order for reasons). */
  forUser(scope: string, user: UserInfo): B[] {
    const keys = new Set<string>();
    for (const uk of userKeys(user)) for (const k of this.bySubject.get(`${scope}\u0001${uk}`) ?? []) keys.add(k);
    return [...keys].sort().map((k) => this.byKey.get(k) as B);
  }

  get size(): number {
    return this.byKey.size;
  }
}

/** The RBACListers of the RBAC authorizer and the escalation checks, fed by four CacheInformers. */
export class RBACCache implements RBACListers {
  private readonly roles = new Map<string, Role>();
  private readonly clusterRoles = new Map<string, ClusterRole>();
  private readonly roleBindings = new BindingIndex<RoleBinding>();
  private readonly clusterRoleBindings = new BindingIndex<ClusterRoleBinding>();

  getRole(namespace: string, name: string): Role | undefined {
    return this.roles.get(`${namespace}/${name}`);
  }

  getClusterRole(name: string): ClusterRole | undefined {
    return this.clusterRoles.get(name);
  }

  clusterRoleBindingsFor(user: UserInfo): ClusterRoleBinding[] {
    return this.clusterRoleBindings.forUser('', user);
  }

  roleBindingsFor(user: UserInfo, namespace: string): RoleBinding[] {
    return this.roleBindings.forUser(namespace, user);
  }

  /** Every cluster role (the aggregation rule's candidates, the bootstrap reconciliation). */
  listClusterRoles(): ClusterRole[] {
    return [...this.clusterRoles.values()];
  }

  get counts(): { roles: number; clusterRoles: number; roleBindings: number; clusterRoleBindings: number } {
    return {
      roles: this.roles.size,
      clusterRoles: this.clusterRoles.size,
      roleBindings: this.roleBindings.size,
      clusterRoleBindings: this.clusterRoleBindings.size,
    };
  }

  /** The handlers that keep one kind in step with its store. */
  handlersFor(kind: 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding'): CacheInformerHandlers {
    switch (kind) {
      case 'Role':
        return mapHandlers(this.roles, (o) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`);
      case 'ClusterRole':
        return mapHandlers(this.clusterRoles, (o) => o.metadata.name ?? '');
      case 'RoleBinding':
        return indexHandlers(this.roleBindings);
      case 'ClusterRoleBinding':
        return indexHandlers(this.clusterRoleBindings);
    }
  }
}

function mapHandlers<T extends KubeObject>(map: Map<string, T>, key: (o: KubeObject) => string): CacheInformerHandlers {
  return {
    onReplace(objects) {
      map.clear();
      for (const o of objects) map.set(key(o), o as T);
    },
    onEvent(type, obj) {
      if (type === 'DELETED') map.delete(key(obj));
      else map.set(key(obj), obj as T);
    },
  };
}

function indexHandlers<B extends Binding>(index: BindingIndex<B>): CacheInformerHandlers {
  return {
    onReplace(objects) {
      index.clear();
      for (const o of objects) index.upsert(o as B);
    },
    onEvent(type, obj) {
      if (type === 'DELETED') index.remove(obj);
      else index.upsert(obj as B);
    },
  };
}
