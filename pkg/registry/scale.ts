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

/**
 * Where a custom resource keeps its replicas (a CRD version's subresources.scale): simple
 * JSON paths such as `.spec.replicas`; the label selector, when given, is already a string.
 */
export interface ScalePaths {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

function pathSegments(path: string): string[] {
  return path
    .replace(/^\./, '')
    .split('.')
    .filter((s) => s !== '');
}

function valueAt(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const seg of pathSegments(path)) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, seg)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** Sets a value at path, making the objects on the way (with own properties only). */
function setAt(obj: Record<string, unknown>, path: string, value: unknown): void {
  const segs = pathSegments(path);
  let cur = obj;
  for (const seg of segs.slice(0, -1)) {
    const next = Object.hasOwn(cur, seg) ? cur[seg] : undefined;
    const child = next !== null && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
    Object.defineProperty(cur, seg, { value: child, enumerable: true, writable: true, configurable: true });
    cur = child;
  }
  Object.defineProperty(cur, segs[segs.length - 1], { value, enumerable: true, writable: true, configurable: true });
}

/** The Scale view of a workload (paths: of a custom resource). */
export function toScale(obj: KubeObject, paths?: ScalePaths): Scale {
  const m = obj.metadata;
  const metadata = { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp };
  if (paths) {
    const specReplicas = valueAt(obj, paths.specReplicasPath);
    const statusReplicas = valueAt(obj, paths.statusReplicasPath);
    const selector = paths.labelSelectorPath ? valueAt(obj, paths.labelSelectorPath) : undefined;
    const status: Scale['status'] = { replicas: typeof statusReplicas === 'number' ? statusReplicas : 0 };
    if (typeof selector === 'string' && selector) status.selector = selector;
    return { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata, spec: { replicas: typeof specReplicas === 'number' ? specReplicas : 0 }, status };
  }
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: LabelSelector };
  const status = (obj.status ?? {}) as { replicas?: number };
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: labelSelectorAsString(spec.selector) },
  };
}

export class ScaleREST {
  constructor(
    private readonly store: Store,
    private readonly paths?: ScalePaths,
  ) {}

  async get(ctx: RequestContext, name: string): Promise<Scale> {
    return toScale(await this.store.get(ctx, name), this.paths);
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
      const scale = scaled(toScale(current, this.paths));
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
      if (this.paths) setAt(current as Record<string, unknown>, this.paths.specReplicasPath, replicas);
      else current.spec = { ...(current.spec as object), replicas };
      return current;
    });
    return toScale(updated, this.paths);
  }
}
