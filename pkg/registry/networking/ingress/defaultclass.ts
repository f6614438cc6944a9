// The DefaultIngressClass admission plugin (upstream's
// plugin/pkg/admission/network/defaultingressclass): an Ingress created without
// a class, neither spec.ingressClassName nor the kubernetes.io/ingress.class
// annotation, gets the IngressClass marked
// ingressclass.kubernetes.io/is-default-class: "true" (the newest, when several are).
import type { Ingress, IngressClass } from '../../../../api/networking/v1/types.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import { ANNOTATION_INGRESS_CLASS, isDefaultIngressClass } from '../../../../api/networking/v1/validation.js';
import { hasOwn } from '../../../../api/util/ownkeys.js';
import type { AdmissionPlugin, Store } from '../../store.js';

/** getDefaultClass: the newest default class (by creation time, then name); undefined when none is marked. */
export function defaultIngressClass(classes: IngressClass[]): IngressClass | undefined {
  const defaults = classes.filter(isDefaultIngressClass);
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    if (ta === tb) return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
    return tb - ta;
  });
  return defaults[0];
}

export class DefaultIngressClass implements AdmissionPlugin {
  readonly name = 'DefaultIngressClass';
  constructor(private readonly ingressClasses: Store) {}

  async admitCreate(obj: KubeObject): Promise<void> {
    const ingress = obj as Ingress;
    if (ingress.spec?.ingressClassName !== undefined && ingress.spec?.ingressClassName !== null) return;
    if (hasOwn(ingress.metadata.annotations ?? {}, ANNOTATION_INGRESS_CLASS)) return;
    const { items } = await this.ingressClasses.list({ resourceVersion: '0' }); // the watch cache, as upstream's lister
    const chosen = defaultIngressClass(items as IngressClass[]);
    if (chosen?.metadata.name) ingress.spec.ingressClassName = chosen.metadata.name;
  }
}
