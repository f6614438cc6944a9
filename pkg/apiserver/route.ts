// A request resolved to a served resource: what the handlers act on.
import type { ResourceInfo } from '../../api/resourceinfo.js';
import type { Store } from '../registry/store.js';

export interface ResourceRoute {
  info: ResourceInfo;
  store: Store;
  namespace?: string;
  name?: string;
  subresource?: string;
  watchPath: boolean;
}
