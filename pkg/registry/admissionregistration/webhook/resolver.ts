// Where the apiserver connects for a webhook's Service (upstream's ResolveEndpoint,
// used with --enable-aggregator-routing): a ready endpoint of the Service's
// EndpointSlices, on the port that backs the Service port the webhook names.
import type { Service } from '../../../../api/core/v1/types.js';
import type { EndpointSlice } from '../../../../api/discovery/v1/types.js';
import { SERVICE_NAME_LABEL } from '../../../../api/discovery/v1/wellknownlabels.js';
import type { Store } from '../../store.js';
import type { ServiceResolver } from './client.js';

export function endpointResolver(services: Store, slices: Store): ServiceResolver {
  return async (namespace, name, port) => {
    const svc = (await services.getCached(namespace, name)) as Service | undefined;
    if (!svc) return { error: `service "${name}" not found` };
    const type = svc.spec.type ?? 'ClusterIP';
    if (!['ClusterIP', 'LoadBalancer', 'NodePort'].includes(type)) return { error: `unsupported service type "${type}"` };
    const svcPort = (svc.spec.ports ?? []).find((p) => p.port === port);
    if (!svcPort) return { error: `no service port ${port} found for service "${name}"` };
    const { items } = await slices.list({ namespace, resourceVersion: '0' });
    const candidates: { host: string; port: number }[] = [];
    for (const slice of items as EndpointSlice[]) {
      if (slice.metadata.labels?.[SERVICE_NAME_LABEL] !== name) continue;
      const p = (slice.ports ?? []).find((sp) => (sp.name ?? '') === (svcPort.name ?? ''));
      if (typeof p?.port !== 'number') continue;
      for (const ep of slice.endpoints ?? []) {
        if (ep.conditions?.ready === false || !ep.addresses?.length) continue;
        candidates.push({ host: ep.addresses[0], port: p.port });
      }
    }
    if (candidates.length === 0) return { error: `no endpoints available for service "${name}"` };
    return candidates[Math.floor(Math.random() * candidates.length)];
  };
}
