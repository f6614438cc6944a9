// The policies and bindings in memory (upstream's policy source): kept from the
// watch caches of both kinds, each policy compiled once per change, and paired
// with its bindings in a fixed order (policy name, then binding name).
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from '../../../../api/admissionregistration/v1/types.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { CacheInformer, CacheInformerHandlers } from '../../cacheinformer.js';
import type { Store } from '../../store.js';
import { compileMatch, compilePolicy, type CompiledMatch, type CompiledPolicy } from './compile.js';

export interface PolicyBinding {
  policy: CompiledPolicy;
  binding: ValidatingAdmissionPolicyBinding;
  name: string;
  /** The binding's matchResources, when it narrows the policy's matchConstraints. */
  match?: CompiledMatch;
}

class ByName<T> implements CacheInformerHandlers {
  readonly items = new Map<string, T>();
  constructor(
    private readonly convert: (obj: KubeObject) => T,
    private readonly changed: () => void,
  ) {}

  onReplace(objects: KubeObject[]): void {
    this.items.clear();
    for (const o of objects) this.items.set(o.metadata.name ?? '', this.convert(o));
    this.changed();
  }

  onEvent(type: string, obj: KubeObject): void {
    if (type === 'DELETED') this.items.delete(obj.metadata.name ?? '');
    else this.items.set(obj.metadata.name ?? '', this.convert(obj));
    this.changed();
  }
}

export class PolicySource {
  private readonly policies: ByName<CompiledPolicy>;
  private readonly bindings: ByName<ValidatingAdmissionPolicyBinding>;
  private readonly informers: CacheInformer[];
  private pairs: PolicyBinding[] = [];
  private synced?: Promise<void>;
  private ready = false;

  constructor(policies: Store, bindings: Store, informer: (store: Store, handlers: CacheInformerHandlers) => CacheInformer) {
    const rebuild = () => this.rebuild();
    this.policies = new ByName((o) => compilePolicy(o as ValidatingAdmissionPolicy), rebuild);
    this.bindings = new ByName((o) => o as ValidatingAdmissionPolicyBinding, rebuild);
    this.informers = [informer(policies, this.policies), informer(bindings, this.bindings)];
  }

  private rebuild(): void {
    const pairs: PolicyBinding[] = [];
    for (const [name, binding] of this.bindings.items) {
      const policy = this.policies.items.get(binding.spec?.policyName ?? '');
      if (!policy) continue;
      const m = binding.spec?.matchResources;
      pairs.push({ policy, binding, name, match: m ? compileMatch(m) : undefined });
    }
    pairs.sort((a, b) => (a.policy.name === b.policy.name ? (a.name < b.name ? -1 : 1) : a.policy.name < b.policy.name ? -1 : 1));
    this.pairs = pairs;
  }

  /** Every binding whose policy exists, once both kinds are in memory (started at first use). */
  async bound(): Promise<PolicyBinding[]> {
    if (!this.ready) {
      this.synced ??= Promise.all(this.informers.map((i) => i.start())).then(
        () => {
          this.ready = true;
        },
        (err: unknown) => {
          this.synced = undefined;
          throw err;
        },
      );
      await this.synced;
    }
    return this.pairs;
  }
}
