// What both proxiers keep from the informers (upstream's ServiceChangeTracker
// and EndpointsChangeTracker, folded into one): the Services and EndpointSlices
// as last seen, which services changed since the last sync, and when the changes
// behind them happened (for the network programming latency).
import type { Service } from '../../api/core/v1/types.js';
import type { EndpointSlice } from '../../api/discovery/v1/types.js';
import { SERVICE_NAME_LABEL } from '../../api/discovery/v1/wellknownlabels.js';
import { endpointsForPort, type EndpointInfo } from './endpoints.js';
import type { ProxyMetrics } from './metrics.js';
import { servicePortInfos, type ServicePortInfo } from './serviceport.js';
import { LAST_CHANGE_TRIGGER_TIME_ANNOTATION, namespacedName } from './types.js';

/** One service port and its endpoints, as the informers last gave them. */
export interface PortInputs {
  info: ServicePortInfo;
  endpoints: EndpointInfo[];
}

export interface ChangeTrackerOptions {
  /** This node's name, as endpoints' nodeName gives it (for Local traffic policies). */
  hostname: string;
  metrics?: ProxyMetrics;
  now: () => number;
  /** Called after every recorded change (the proxier asks for a sync). */
  onChange: () => void;
}

export class ServiceChangeTracker {
  private readonly services = new Map<string, Service>();
  private readonly slices = new Map<string, EndpointSlice>();
  /** service "ns/name" -> its slices by "ns/sliceName". */
  private readonly slicesByService = new Map<string, Map<string, EndpointSlice>>();
  private dirty = new Set<string>();
  private triggerTimes = new Map<string, number[]>();

  constructor(private readonly o: ChangeTrackerOptions) {}

  onServiceUpdate(old: Service | undefined, svc: Service): void {
    if (old && old.metadata.resourceVersion === svc.metadata.resourceVersion && old.metadata.resourceVersion) return;
    const key = namespacedName(svc);
    this.services.set(key, svc);
    this.o.metrics?.serviceChangesTotal.inc();
    this.markDirty(key);
  }

  onServiceDelete(svc: Service): void {
    const key = namespacedName(svc);
    this.services.delete(key);
    this.o.metrics?.serviceChangesTotal.inc();
    this.markDirty(key);
  }

  onEndpointSliceUpdate(old: EndpointSlice | undefined, slice: EndpointSlice): void {
    if (old && old.metadata.resourceVersion === slice.metadata.resourceVersion && old.metadata.resourceVersion) return;
    this.setSlice(slice, false);
  }

  onEndpointSliceDelete(slice: EndpointSlice): void {
    this.setSlice(slice, true);
  }

  private setSlice(slice: EndpointSlice, deleted: boolean): void {
    const sliceKey = namespacedName(slice);
    const prev = this.slices.get(sliceKey);
    const prevService = prev ? serviceKeyOf(prev) : undefined;
    const service = serviceKeyOf(slice);
    if (prevService) {
      this.slicesByService.get(prevService)?.delete(sliceKey);
      if (this.slicesByService.get(prevService)?.size === 0) this.slicesByService.delete(prevService);
    }
    if (deleted || !service) {
      this.slices.delete(sliceKey);
    } else {
      this.slices.set(sliceKey, slice);
      let m = this.slicesByService.get(service);
      if (!m) this.slicesByService.set(service, (m = new Map()));
      m.set(sliceKey, slice);
    }
    // The controller stamps when the change behind a slice happened; without the stamp, now is the best we know.
    const stamp = Date.parse(slice.metadata.annotations?.[LAST_CHANGE_TRIGGER_TIME_ANNOTATION] ?? '');
    const trigger = Number.isFinite(stamp) ? stamp : this.o.now();
    this.o.metrics?.endpointChangesTotal.inc();
    if (prevService && prevService !== service) this.markDirty(prevService, trigger);
    if (service) this.markDirty(service, trigger);
  }

  private markDirty(key: string, triggerTime?: number): void {
    this.dirty.add(key);
    if (triggerTime !== undefined) {
      const t = this.triggerTimes.get(key);
      if (t) t.push(triggerTime);
      else this.triggerTimes.set(key, [triggerTime]);
    }
    this.o.onChange();
  }

  /** The services changed since the last call, and the trigger times of their endpoint changes; both start over. */
  take(): { dirty: Set<string>; triggers: Map<string, number[]> } {
    const out = { dirty: this.dirty, triggers: this.triggerTimes };
    this.dirty = new Set();
    this.triggerTimes = new Map();
    return out;
  }

  serviceKeys(): IterableIterator<string> {
    return this.services.keys();
  }

  /** A service's ports and each port's endpoints (none once the Service is gone). */
  serviceInputs(key: string): PortInputs[] {
    const svc = this.services.get(key);
    if (!svc) return [];
    const slices = [...(this.slicesByService.get(key)?.values() ?? [])];
    return servicePortInfos(svc).map((info) => ({ info, endpoints: endpointsForPort(slices, info.portName, info.protocol, this.o.hostname) }));
  }
}

function serviceKeyOf(slice: EndpointSlice): string | undefined {
  const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
  return svc ? `${slice.metadata.namespace ?? ''}/${svc}` : undefined;
}
