// The proxy's traffic tests (proxy-traffic.ts) with --proxy-mode nftables.
import { describeProxyTraffic } from './proxy-traffic.js';

describeProxyTraffic('nftables');
