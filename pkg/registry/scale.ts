// The scale subresource (autoscaling/v1 Scale) of every kind that has one, after
// upstream's ScaleREST (pkg/registry/apps/deployment/storage/storage.go), one per
// workload kind there and parameterised by the kind's store here: spec.replicas
// read and written through the kind's own update path.
import type { KubeObject } from '../../api/meta/v1/types.js';
import { newConflict, newInvalid } from '../../api/meta/v1/status.js';
import { labelSelectorAsString, type LabelSelector } from '../../api/labels/selector.js';
import { applyJSONPatch } from './patch/jsonpatch.js';
import { applyMergePatch } from './patch/mergepatch.js';
import type { PatchType, RequestContext, Store } from './store.js';

export interface Scale extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

/** The Scale view of a workload. */
export function toScale(obj: KubeObject): Scale {
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: LabelSelector };
  const status = (obj.status ?? {}) as { replicas?: number };
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: labelSelectorAsString(spec.selector) },
  };
}

export class ScaleREST {
  constructor(private readonly store: Store) {}

  async get(ctx: RequestContext, name: string): Promise<Scale> {
    return toScale(await this.store.get(ctx, name));
  }

  /** PUT: the Scale's spec.replicas becomes the workload's; a resourceVersion in it must be the stored one. */
  async update(ctx: RequestContext, name: string, scale: Scale): Promise<Scale> {
    return this.scale(ctx, name, () => scale);
  }

  /** PATCH of the Scale view (a strategic merge patch is a merge patch: Scale has no lists). */
  async patch(ctx: RequestContext, name: string, type: PatchType, patch: unknown): Promise<Scale> {
    return this.scale(
      ctx,
      name,
      (current) => (type === 'json' ? applyJSONPatch(current, patch) : applyMergePatch(current, patch as Record<string, unknown>)) as Scale,
    );
  }

  /** scaled computes the new Scale from the current one, on every try of the workload's update. */
  private async scale(ctx: RequestContext, name: string, scaled: (current: Scale) => Scale): Promise<Scale> {
    const updated = await this.store.updateWith(ctx, name, (current) => {
      const scale = scaled(toScale(current));
      const replicas = scale?.spec?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw newInvalid('Scale', 'autoscaling', name, [
          {
            reason: 'FieldValueInvalid',
            field: 'spec.replicas',
            message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
          },
        ]);
      }
      const wantRV = scale.metadata?.resourceVersion;
      if (wantRV && wantRV !== current.metadata.resourceVersion) {
        throw newConflict(
          { group: this.store.info.group, resource: this.store.info.plural, name },
          'the object has been modified; please apply your changes to the latest version and try again',
        );
      }
      current.spec = { ...(current.spec as object), replicas };
      return current;
    });
    return toScale(updated);
  }
}
