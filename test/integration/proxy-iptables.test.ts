// The proxy's traffic tests (proxy-traffic.ts) with --proxy-mode iptables.
import { describeProxyTraffic } from './proxy-traffic.js';

describeProxyTraffic('iptables');
