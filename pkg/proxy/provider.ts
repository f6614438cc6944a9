// What the proxy server drives, whichever mode programs the kernel (upstream's
// proxy.Provider): informer events in, syncs out.
import type { Service } from '../../api/core/v1/types.js';
import type { EndpointSlice } from '../../api/discovery/v1/types.js';

export type ProxyMode = 'iptables' | 'nftables';
export const PROXY_MODES: readonly ProxyMode[] = ['iptables', 'nftables'];

export interface ProxyProvider {
  onServiceAdd(svc: Service): void;
  onServiceUpdate(old: Service | undefined, svc: Service): void;
  onServiceDelete(svc: Service): void;
  onServicesSynced(): Promise<unknown>;
  onEndpointSliceAdd(slice: EndpointSlice): void;
  onEndpointSliceUpdate(old: EndpointSlice | undefined, slice: EndpointSlice): void;
  onEndpointSliceDelete(slice: EndpointSlice): void;
  onEndpointSlicesSynced(): Promise<unknown>;
  /** Starts periodic syncs; the first comes once both informers have synced. */
  syncLoop(): Promise<void>;
  stop(): Promise<void>;
}
