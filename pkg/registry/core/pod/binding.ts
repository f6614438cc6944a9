// pods/binding, the scheduler's write, after upstream's BindingREST
// (pkg/registry/core/pod/storage/storage.go): sets spec.nodeName of a pod that has
// none and marks it PodScheduled, in one guaranteedUpdate of the stored pod.
import { newBadRequest, newConflict, newInvalid } from '../../../../api/meta/v1/status.js';
import type { PodCondition } from '../../../../api/core/v1/types.js';
import { nowRFC3339, type RequestContext, type Store } from '../../store.js';

export interface Binding {
  metadata?: { name?: string; uid?: string; resourceVersion?: string; annotations?: Record<string, string> };
  target?: { kind?: string; name?: string };
}

/** ValidatePodBinding: a target Node by name. */
function validateBinding(name: string, binding: Binding): string {
  const target = binding?.target;
  if (!target?.name || typeof target.name !== 'string')
    throw newInvalid('Binding', '', name, [{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
  if (target.kind && target.kind !== 'Node')
    throw newInvalid('Binding', '', name, [
      { reason: 'FieldValueNotSupported', field: 'target.kind', message: `Unsupported value: "${target.kind}": supported values: "Node"` },
    ]);
  return target.name;
}

function annotationsOf(binding: Binding): Array<[string, string]> {
  const given = binding?.metadata?.annotations;
  if (given === undefined || given === null) return [];
  if (typeof given !== 'object' || Array.isArray(given)) throw newBadRequest('metadata.annotations must be an object');
  const entries = Object.entries(given);
  if (entries.some(([, v]) => typeof v !== 'string')) throw newBadRequest('metadata.annotations values must be strings');
  return entries;
}

export class BindingREST {
  constructor(private readonly pods: Store) {}

  /** Binds pod `name` to the binding's target node; a pod already bound or being deleted is a Conflict. */
  async create(ctx: RequestContext, name: string, binding: Binding): Promise<void> {
    if (binding?.metadata?.name && binding.metadata.name !== name) throw newBadRequest('name in URL does not match name in Binding object');
    const node = validateBinding(name, binding);
    const annotations = annotationsOf(binding);
    const uid = binding.metadata?.uid;
    const resourceVersion = binding.metadata?.resourceVersion;
    // Refusals are Conflicts on pods/binding, as upstream's assignPod words them.
    const refuse = (why: string) => newConflict({ group: '', resource: 'pods/binding', name }, why);
    // Starts from the watch cache's copy: nodeName and deletionTimestamp are never unset, and
    // a refusal seen on a stale copy is checked again on etcd's (see guaranteedUpdate).
    await this.pods.storage.guaranteedUpdate(ctx.namespace, name, (pod) => {
      if (uid && uid !== pod.metadata.uid)
        throw newConflict(this.ref(name), `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid}`);
      if (resourceVersion && resourceVersion !== pod.metadata.resourceVersion) {
        throw newConflict(
          this.ref(name),
          `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${pod.metadata.resourceVersion}`,
        );
      }
      if (pod.metadata.deletionTimestamp) throw refuse(`pod ${name} is being deleted, cannot be assigned to a host`);
      const spec = (pod.spec ?? {}) as { nodeName?: string };
      if (spec.nodeName) throw refuse(`pod ${name} is already assigned to node "${spec.nodeName}"`);
      spec.nodeName = node;
      pod.spec = spec;
      // fromEntries makes own properties of whatever keys the client chose.
      if (annotations.length) pod.metadata.annotations = Object.fromEntries([...Object.entries(pod.metadata.annotations ?? {}), ...annotations]);
      const status = (pod.status ?? {}) as { conditions?: PodCondition[] };
      const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowRFC3339() });
      status.conditions = conditions;
      pod.status = status;
      return ctx.dryRun ? undefined : pod;
    });
  }

  private ref(name: string) {
    return { group: '', resource: 'pods', name };
  }
}
