// Names the proxy reads Services and EndpointSlices by (the objects themselves
// are api/core/v1 Service and api/discovery/v1 EndpointSlice), and the protocols
// it programs rules for.
import type { KubeObject } from '../../api/meta/v1/types.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** A port's protocol, TCP when unset; undefined for a value the API does not allow (validation refuses it). */
export function portProtocol(protocol: string | undefined): Protocol | undefined {
  const p = protocol ?? 'TCP';
  return p === 'TCP' || p === 'UDP' || p === 'SCTP' ? p : undefined;
}

/** Set by the EndpointSlice controller: when the change that produced this slice happened (RFC 3339). */
export const LAST_CHANGE_TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';
/** Services (and their slices) carrying this label are for another proxy. */
export const SERVICE_PROXY_NAME_LABEL = 'service.kubernetes.io/service-proxy-name';
/** The EndpointSlice controller marks headless services' slices so proxies can skip them. */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

export function namespacedName(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}
