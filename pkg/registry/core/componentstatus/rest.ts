// componentstatuses (core/v1 ComponentStatus, deprecated upstream but still
// answered): read-only REST storage that reports the health of etcd, the
// scheduler and the controller-manager when asked, after upstream's
// pkg/registry/core/componentstatus. Nothing is stored.
//
// etcd-0 is healthy when etcd answers a read. The scheduler and the
// controller-manager may run on any machine, so their health is what the API
// shows of them: the leader-election lease each renews while it runs
// (kube-system/kube-scheduler, kube-system/kube-controller-manager); a lease
// not renewed within its duration means no instance is working.
import type { ComponentCondition, ComponentStatus } from '../../../../api/core/v1/types.js';
import type { Lease } from '../../../../api/coordination/v1/types.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import { StatusError, newNotFound } from '../../../../api/meta/v1/status.js';
import type { ResourceInfo } from '../../../../api/resourceinfo.js';
import type { ListResult, ResourceStorage } from '../../../storage/store.js';
import type { WatchFilter } from '../../../storage/cacher.js';
import type { RequestContext, Store } from '../../store.js';
import { ReadOnlyREST } from '../../readonly.js';

const ETCD_TIMEOUT_MS = 5_000;

/** The outcome of one component's check, as upstream's probe.Result with its message and error. */
export interface Health {
  status: 'True' | 'False' | 'Unknown';
  message: string;
  error: string;
}

export type HealthCheck = () => Promise<Health>;

/** A leader-election lease as a health check: healthy while its holder renews it. */
export function leaseHealth(lease: Lease | undefined, ref: string, now: Date): Health {
  if (!lease) return { status: 'False', message: '', error: `no leader-election lease ${ref}: the component has not started` };
  const spec = lease.spec ?? {};
  const holder = spec.holderIdentity ?? '';
  if (!holder) return { status: 'False', message: '', error: `lease ${ref} has no holder` };
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? '');
  const duration = (spec.leaseDurationSeconds ?? 0) * 1000;
  if (Number.isNaN(renewed)) return { status: 'Unknown', message: '', error: `lease ${ref} has no renew time` };
  if (renewed + duration < now.getTime()) {
    return { status: 'False', message: '', error: `lease ${ref} held by ${holder} was last renewed at ${spec.renewTime ?? spec.acquireTime}` };
  }
  return { status: 'True', message: 'ok', error: '' };
}

export class ComponentStatusREST extends ReadOnlyREST {
  constructor(
    info: ResourceInfo,
    storage: ResourceStorage,
    private readonly checks: () => Map<string, HealthCheck>,
  ) {
    super(info, storage);
  }

  private async status(name: string, check: HealthCheck): Promise<ComponentStatus> {
    let health: Health;
    try {
      health = await check();
    } catch (err) {
      health = { status: 'Unknown', message: '', error: (err as Error).message };
    }
    const condition: ComponentCondition = { type: 'Healthy', status: health.status };
    if (health.message) condition.message = health.message;
    if (health.error) condition.error = health.error;
    return { kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name }, conditions: [condition] };
  }

  override async get(_ctx: RequestContext, name: string): Promise<KubeObject> {
    const check = this.checks().get(name);
    if (!check) throw newNotFound({ group: '', resource: 'componentstatuses', name });
    return this.status(name, check);
  }

  override async getIfExists(ctx: RequestContext, name: string): Promise<KubeObject | undefined> {
    return this.checks().has(name) ? this.get(ctx, name) : undefined;
  }

  override async list(opts: { filter?: WatchFilter }): Promise<ListResult & { itemsJSON?: string[] }> {
    const items = await Promise.all([...this.checks()].map(([name, check]) => this.status(name, check)));
    return { items: opts.filter ? items.filter(opts.filter) : items, resourceVersion: '' };
  }
}

/** The checks upstream's GetServersToValidate lists: the scheduler, the controller-manager and etcd. */
export function componentChecks(storage: ResourceStorage, leases: Store | undefined): Map<string, HealthCheck> {
  const lease =
    (name: string): HealthCheck =>
    async () => {
      const ref = `kube-system/${name}`;
      if (!leases) return { status: 'Unknown', message: '', error: 'leases are not served' };
      const obj = await leases.getIfExists({ namespace: 'kube-system', dryRun: false, fieldValidation: 'Ignore', warnings: [] }, name);
      return leaseHealth(obj as Lease | undefined, ref, new Date());
    };
  return new Map<string, HealthCheck>([
    ['scheduler', lease('kube-scheduler')],
    ['controller-manager', lease('kube-controller-manager')],
    [
      'etcd-0',
      async () => {
        try {
          await storage.checkEtcd(ETCD_TIMEOUT_MS);
          return { status: 'True', message: 'ok', error: '' };
        } catch (err) {
          return { status: 'False', message: '', error: (err as Error).message };
        }
      },
    ],
  ]);
}
