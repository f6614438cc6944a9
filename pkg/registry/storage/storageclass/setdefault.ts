// The DefaultStorageClass admission plugin (upstream's
// plugin/pkg/admission/storage/storageclass/setdefault): a claim created without
// a class, neither spec.storageClassName (an empty string is a class: "none")
// nor the beta annotation, gets the default StorageClass, when there is one.
import type { PersistentVolumeClaim } from '../../../../api/core/v1/types.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { StorageClass } from '../../../../api/storage/v1/types.js';
import { BetaStorageClassAnnotation, defaultStorageClass } from '../../../../api/storage/v1/storageclass.js';
import { hasOwn } from '../../../../api/util/ownkeys.js';
import type { AdmissionPlugin, Store } from '../../store.js';

export class DefaultStorageClass implements AdmissionPlugin {
  readonly name = 'DefaultStorageClass';
  constructor(private readonly storageClasses: Store) {}

  async admitCreate(obj: KubeObject): Promise<void> {
    const claim = obj as PersistentVolumeClaim;
    if (claim.spec.storageClassName !== undefined && claim.spec.storageClassName !== null) return;
    if (hasOwn(claim.metadata.annotations ?? {}, BetaStorageClassAnnotation)) return;
    // From the watch cache, as upstream reads its informer's lister.
    const { items } = await this.storageClasses.list({ resourceVersion: '0' });
    const chosen = defaultStorageClass(items as StorageClass[]);
    if (chosen?.metadata.name) claim.spec.storageClassName = chosen.metadata.name;
  }
}
