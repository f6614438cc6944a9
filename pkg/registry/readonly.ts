// A resource answered by the apiserver instead of stored (componentstatuses,
// metrics.k8s.io): get and list only; every other verb is 405, as upstream's
// REST storage that implements only rest.Getter and rest.Lister.
import { StatusError } from '../../api/meta/v1/status.js';
import type { KubeObject } from '../../api/meta/v1/types.js';
import type { ResourceInfo } from '../../api/resourceinfo.js';
import type { ResourceStorage } from '../storage/store.js';
import { Store } from './store.js';

function methodNotAllowed(): never {
  throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export abstract class ReadOnlyREST extends Store {
  constructor(info: ResourceInfo, storage: ResourceStorage) {
    super(info, storage, {}, undefined);
  }

  override watch(): ReturnType<Store['watch']> {
    methodNotAllowed();
  }
  override create(): Promise<KubeObject> {
    methodNotAllowed();
  }
  override update(): Promise<KubeObject> {
    methodNotAllowed();
  }
  override updateWith(): Promise<KubeObject> {
    methodNotAllowed();
  }
  override patch(): ReturnType<Store['patch']> {
    methodNotAllowed();
  }
  override delete(): ReturnType<Store['delete']> {
    methodNotAllowed();
  }
  override deleteCollection(): Promise<KubeObject[]> {
    methodNotAllowed();
  }
}
