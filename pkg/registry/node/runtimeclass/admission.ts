// The RuntimeClass admission plugin (upstream's plugin/pkg/admission/runtimeclass)
// on pod creates: a pod naming a runtimeClassName gets the class's overhead and
// its scheduling (nodeSelector and tolerations merged into the pod's); a class
// that does not exist, or an overhead the class does not define, is refused.
import { isDeepStrictEqual } from 'node:util';
import type { Pod, Toleration } from '../../../../api/core/v1/types.js';
import type { RuntimeClass } from '../../../../api/node/v1/types.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import { newForbidden } from '../../../../api/meta/v1/status.js';
import { parseQuantity } from '../../../../api/resource/quantity.js';
import { getOwn, hasOwn, setOwn } from '../../../../api/util/ownkeys.js';
import { mergeTolerations } from '../../../util/tolerations.js';
import type { AdmissionPlugin, RequestContext, Store } from '../../store.js';

type ResourceList = Record<string, string | number>;

/** apiequality.Semantic.DeepEqual of two resource lists: the same names with equal quantities. */
function sameResources(a: ResourceList | undefined, b: ResourceList | undefined): boolean {
  const keysA = Object.keys(a ?? {}).sort();
  const keysB = Object.keys(b ?? {}).sort();
  if (!isDeepStrictEqual(keysA, keysB)) return false;
  return keysA.every((k) => parseQuantity(getOwn(a ?? {}, k)) === parseQuantity(getOwn(b ?? {}, k)));
}

export class RuntimeClassAdmission implements AdmissionPlugin {
  readonly name = 'RuntimeClass';
  constructor(private readonly runtimeClasses: Store) {}

  private refuse(pod: Pod, why: string): never {
    throw newForbidden({ group: '', resource: 'pods', name: pod.metadata.name }, why);
  }

  /** The pod's RuntimeClass; undefined when it names none. */
  private async runtimeClassOf(pod: Pod, ctx: RequestContext): Promise<RuntimeClass | undefined> {
    const name = pod.spec?.runtimeClassName;
    if (name === undefined || name === null) return undefined;
    // The watch cache first, as upstream's lister; etcd for a class the cache has not seen yet.
    const rc = (await this.runtimeClasses.getCached(undefined, name)) ?? (await this.runtimeClasses.getIfExists({ ...ctx, namespace: undefined }, name));
    if (!rc) this.refuse(pod, `pod rejected: RuntimeClass ${JSON.stringify(name)} not found`);
    return rc as RuntimeClass;
  }

  /** Admit: setOverhead, then setScheduling. */
  async admitCreate(obj: KubeObject, ctx: RequestContext): Promise<void> {
    const pod = obj as Pod;
    const rc = await this.runtimeClassOf(pod, ctx);
    if (!rc) return;
    const spec = pod.spec;
    const podFixed = rc.overhead?.podFixed;
    if (rc.overhead && podFixed !== undefined) {
      if (spec.overhead && !sameResources(podFixed, spec.overhead))
        this.refuse(pod, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
      spec.overhead = { ...podFixed };
    }
    const scheduling = rc.scheduling;
    if (!scheduling) return;
    const selector = scheduling.nodeSelector ?? {};
    if (spec.nodeSelector === undefined || spec.nodeSelector === null) {
      if (scheduling.nodeSelector) spec.nodeSelector = { ...selector };
    } else {
      for (const [key, value] of Object.entries(selector)) {
        const podValue = hasOwn(spec.nodeSelector, key) ? getOwn(spec.nodeSelector, key) : undefined;
        if (podValue !== undefined && podValue !== value) {
          this.refuse(pod, `conflict: runtimeClass.scheduling.nodeSelector[${key}] = ${value}; pod.spec.nodeSelector[${key}] = ${podValue}`);
        }
        setOwn(spec.nodeSelector, key, value);
      }
    }
    const merged = mergeTolerations(spec.tolerations ?? [], (scheduling.tolerations ?? []) as Toleration[]);
    if (merged.length) spec.tolerations = merged;
  }

  /** Validate: validateOverhead. */
  async validateCreate(obj: KubeObject, ctx: RequestContext): Promise<void> {
    const pod = obj as Pod;
    const rc = await this.runtimeClassOf(pod, ctx);
    const overhead = pod.spec?.overhead;
    if (rc?.overhead && rc.overhead.podFixed !== undefined) {
      if (!sameResources(rc.overhead.podFixed, overhead)) this.refuse(pod, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
    } else if (overhead !== undefined && overhead !== null) {
      this.refuse(pod, 'pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
    }
  }
}
