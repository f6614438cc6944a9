// The `default/kubernetes` Service and its endpoints, kept by the apiserver
// itself (upstream's kubernetesservice controller with the master-count
// endpoint reconciler for one apiserver, pkg/controlplane/reconcilers): the
// Service exists with port https 443 → the secure port, and its Endpoints and
// EndpointSlice name the advertised address. Every interval they are read and
// put back when deleted or changed. Neither endpoint controller touches them:
// the Service has no selector, the Endpoints carry skip-mirror and the
// EndpointSlice has no managed-by label (as upstream's EndpointsAdapter writes it).
import type { Endpoints, Service } from '../../api/core/v1/types.js';
import type { EndpointSlice } from '../../api/discovery/v1/types.js';
import { SERVICE_NAME_LABEL, SKIP_MIRROR_LABEL } from '../../api/discovery/v1/wellknownlabels.js';
import type { KubeObject } from '../../api/meta/v1/types.js';
import { StatusError } from '../../api/meta/v1/status.js';
import type { RequestContext, Store } from '../registry/store.js';

export const KUBERNETES_SERVICE = { namespace: 'default', name: 'kubernetes' };

/** The Service as the bootstrap controller creates it (no selector: its endpoints are the apiserver's own). */
export function kubernetesService(securePort: number): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { ...KUBERNETES_SERVICE, labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: securePort }], sessionAffinity: 'None' },
  };
}

export function kubernetesEndpoints(ip: string, port: number): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { ...KUBERNETES_SERVICE, labels: { [SKIP_MIRROR_LABEL]: 'true' } },
    subsets: [{ addresses: [{ ip }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  };
}

export function kubernetesEndpointSlice(ip: string, port: number): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { ...KUBERNETES_SERVICE, labels: { [SERVICE_NAME_LABEL]: KUBERNETES_SERVICE.name } },
    addressType: ip.includes(':') ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
}

/**
 * The address the apiserver publishes (kube-apiserver's --advertise-address): given, or the bind
 * address when that is one pods could dial. Loopback and "all addresses" are not (upstream would
 * pick the host's default-route address; here that is left to --advertise-address).
 */
export function advertisedAddress(o: { advertiseAddress?: string; bindAddress: string }): string | undefined {
  if (o.advertiseAddress) return o.advertiseAddress;
  if (['0.0.0.0', '::', ''].includes(o.bindAddress) || o.bindAddress.startsWith('127.') || o.bindAddress === '::1') return undefined;
  return o.bindAddress;
}

/** actual has every field desired has, with the same values; arrays the same length (fields the server defaulted may be extra). */
export function covers(actual: unknown, desired: unknown): boolean {
  if (Array.isArray(desired)) return Array.isArray(actual) && actual.length === desired.length && desired.every((d, i) => covers(actual[i], d));
  if (desired !== null && typeof desired === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(desired).every(([k, v]) =>
      covers(Object.prototype.hasOwnProperty.call(actual, k) ? (actual as Record<string, unknown>)[k] : undefined, v),
    );
  }
  return actual === desired;
}

/** Labels are set exactly, as upstream's adapter does. */
function sameLabels(a: KubeObject, b: KubeObject): boolean {
  const entries = (o: KubeObject) => JSON.stringify(Object.entries(o.metadata.labels ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  return entries(a) === entries(b);
}

export interface KubernetesServiceOptions {
  /** The apiserver's stores by group, version and resource. */
  stores: (group: string, version: string, plural: string) => Store | undefined;
  /** Published in the Endpoints and EndpointSlice; none: only the Service is kept. */
  advertiseAddress?: string;
  securePort: number;
  /** Upstream's EndpointInterval: 10 s. */
  intervalMs: number;
  log: (msg: string) => void;
}

const CTX: RequestContext = { dryRun: false, fieldManager: 'kube-apiserver', fieldValidation: 'Strict', warnings: [], namespace: KUBERNETES_SERVICE.namespace };

export class KubernetesServiceController {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(private readonly o: KubernetesServiceOptions) {}

  /** Reconciles now, then every interval until stop(). */
  start(): void {
    const tick = () => {
      this.running = this.reconcile()
        .catch((err: unknown) => this.o.log(`kubernetes service: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.o.intervalMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: the Service, then (with an advertised address) its Endpoints and EndpointSlice. */
  async reconcile(): Promise<void> {
    const { securePort, advertiseAddress } = this.o;
    await this.ensure('', 'v1', 'services', kubernetesService(securePort), (have, want) =>
      covers((have as Service).spec?.ports, (want as Service).spec?.ports)
        ? undefined
        : { ...have, spec: { ...(have as Service).spec, ports: (want as Service).spec?.ports } },
    );
    if (!advertiseAddress) return;
    await this.ensure('', 'v1', 'endpoints', kubernetesEndpoints(advertiseAddress, securePort), (have, want) =>
      covers((have as Endpoints).subsets, (want as Endpoints).subsets) && sameLabels(have, want)
        ? undefined
        : { ...have, metadata: { ...have.metadata, labels: want.metadata.labels }, subsets: (want as Endpoints).subsets },
    );
    await this.ensure('discovery.k8s.io', 'v1', 'endpointslices', kubernetesEndpointSlice(advertiseAddress, securePort), (have, want) => {
      const [h, w] = [have as EndpointSlice, want as EndpointSlice];
      if (h.addressType !== w.addressType) return 'recreate';
      if (covers(h.endpoints, w.endpoints) && covers(h.ports, w.ports) && sameLabels(h, w)) return undefined;
      return { ...h, metadata: { ...h.metadata, labels: w.metadata.labels }, endpoints: w.endpoints, ports: w.ports };
    });
  }

  /**
   * Creates want when missing; otherwise fix(have, want) says what to write instead of have
   * (undefined: have is right; 'recreate': a field that cannot be updated differs).
   */
  private async ensure(
    group: string,
    version: string,
    plural: string,
    want: KubeObject,
    fix: (have: KubeObject, want: KubeObject) => KubeObject | 'recreate' | undefined,
  ): Promise<void> {
    const store = this.o.stores(group, version, plural);
    if (!store) return;
    const name = KUBERNETES_SERVICE.name;
    const have = await store.getIfExists(CTX, name);
    let update = have && fix(have, want);
    if (have && update === 'recreate') {
      await store.delete(CTX, name, { preconditions: { uid: have.metadata.uid } }).catch(ignore('NotFound'));
      update = undefined;
    } else if (have) {
      if (!update) return;
      this.o.log(`kubernetes service: resetting ${plural} ${KUBERNETES_SERVICE.namespace}/${name}`);
      await store.update(CTX, name, update as KubeObject);
      return;
    }
    this.o.log(`kubernetes service: creating ${plural} ${KUBERNETES_SERVICE.namespace}/${name}`);
    await store.create(CTX, want).catch(ignore('AlreadyExists'));
  }
}

function ignore(reason: string): (err: unknown) => undefined {
  return (err) => {
    if (err instanceof StatusError && err.reason === reason) return undefined;
    throw err;
  };
}
