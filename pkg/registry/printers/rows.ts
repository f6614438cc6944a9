// Cell values of each built-in resource's Table row, as kube-apiserver's printers
// compute them. The server always prints "wide" (every column, priority 1 too);
// kubectl hides priority-1 columns unless `-o wide`.
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { formatLabels, formatLabelSelector, selectorFromLabelSelector, type LabelSelector } from '../../../api/labels/selector.js';
import { isDefaultStorageClass } from '../../../api/storage/v1/storageclass.js';
import { arr, intOrString, num, optStr, parseTime, quantity, rec, str, strs, type Obj } from './access.js';
import { humanDuration } from './duration.js';
import { podCells } from './pod.js';

type CellsFn = (obj: KubeObject, now: Date) => unknown[];

function age(obj: KubeObject, now: Date): string {
  return since(obj.metadata?.creationTimestamp, now);
}

function since(ts: unknown, now: Date): string {
  const t = parseTime(ts);
  return t === undefined ? '<unknown>' : humanDuration(now.getTime() - t);
}

const name = (obj: KubeObject): string => str(obj.metadata?.name);

/** layoutContainerCells: names and images, comma-joined. */
function containerCells(podSpec: unknown): [string, string] {
  const cs = arr(rec(podSpec).containers);
  return [cs.map((c) => str(c.name)).join(','), cs.map((c) => str(c.image)).join(',')];
}

function templateSpec(spec: Obj): Obj {
  return rec(rec(spec.template).spec);
}

function labelSelector(v: unknown): LabelSelector | undefined {
  return v === undefined || v === null ? undefined : (rec(v) as LabelSelector);
}

/** Counts of stored objects' `spec.replicas`, which defaulting sets to 1. */
const replicas = (spec: Obj): number => num(spec.replicas, 1);

const hasCondition = (conds: Obj[], type: string): boolean => {
  const c = conds.find((x) => x.type === type);
  return c !== undefined && c.status === 'True';
};

function printBoolPtr(v: unknown): string {
  if (typeof v !== 'boolean') return '<unset>';
  return v ? 'True' : 'False';
}

function listWithMore(list: string[], more: boolean, count: number, max: number): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - max} more...`;
  return ret === '' ? '<unset>' : ret;
}

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function formatEndpoints(ep: KubeObject): string {
  const subsets = arr(ep.subsets);
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addrs = arr(ss.addresses);
    const ports = arr(ss.ports);
    if (ports.length === 0) {
      // headless services may have no ports
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(str(a.ip));
      }
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(str(a.ip), num(p.port)));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

function serviceExternalIP(spec: Obj, status: Obj): string {
  const externalIPs = strs(spec.externalIPs);
  switch (str(spec.type) || 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = new Set<string>();
      for (const i of arr(rec(status.loadBalancer).ingress)) {
        if (str(i.ip) !== '') ingress.add(str(i.ip));
        else if (str(i.hostname) !== '') ingress.add(str(i.hostname));
      }
      const lb = [...ingress].sort();
      if (externalIPs.length > 0) return [...lb, ...externalIPs].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
  }
  return '<unknown>';
}

/** makePortString: `80/TCP`, or `80:30080/TCP` with a node port. */
export function makePortString(ports: unknown): string {
  return arr(ports)
    .map((p) => {
      const proto = str(p.protocol) || 'TCP';
      return num(p.nodePort) > 0 ? `${num(p.port)}:${num(p.nodePort)}/${proto}` : `${num(p.port)}/${proto}`;
    })
    .join(',');
}

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';

function nodeRoles(labels: Record<string, string>): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length);
      if (role.length > 0) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
  }
  return [...roles].sort();
}

function nodeAddress(status: Obj, type: string): string {
  const a = arr(status.addresses).find((x) => x.type === type);
  return a ? str(a.address) : '<none>';
}

function accessModes(v: unknown): string {
  const modes = new Set(strs(v));
  const out: string[] = [];
  if (modes.has('ReadWriteOnce')) out.push('RWO');
  if (modes.has('ReadOnlyMany')) out.push('ROX');
  if (modes.has('ReadWriteMany')) out.push('RWX');
  if (modes.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

function storageClassOf(obj: KubeObject, spec: Obj): string {
  const ann = obj.metadata?.annotations ?? {};
  if (Object.prototype.hasOwnProperty.call(ann, BETA_STORAGE_CLASS)) return ann[BETA_STORAGE_CLASS];
  return str(spec.storageClassName);
}

/** Core Events and events.k8s.io Events in one shape (what the internal type holds). */
function normalizeEvent(obj: KubeObject): {
  io: Obj;
  message: string;
  first: unknown;
  last: unknown;
  count: number;
  source: Obj;
  eventTime: unknown;
  series: Obj | undefined;
  reportingController: string;
  reportingInstance: string;
  type: string;
  reason: string;
} {
  const v1 = obj.apiVersion === 'events.k8s.io/v1' || (obj.regarding !== undefined && obj.involvedObject === undefined);
  const series = obj.series === undefined || obj.series === null ? undefined : rec(obj.series);
  return {
    io: rec(v1 ? obj.regarding : obj.involvedObject),
    message: str(v1 ? obj.note : obj.message),
    first: v1 ? obj.deprecatedFirstTimestamp : obj.firstTimestamp,
    last: v1 ? obj.deprecatedLastTimestamp : obj.lastTimestamp,
    count: num(v1 ? obj.deprecatedCount : obj.count),
    source: rec(v1 ? obj.deprecatedSource : obj.source),
    eventTime: obj.eventTime,
    series,
    reportingController: str(obj.reportingController ?? obj.reportingComponent),
    reportingInstance: str(obj.reportingInstance),
    type: str(obj.type),
    reason: str(obj.reason),
  };
}

function eventCells(obj: KubeObject, now: Date): unknown[] {
  const e = normalizeEvent(obj);
  let first = since(e.first, now);
  if (parseTime(e.first) === undefined) first = since(e.eventTime, now);
  let last = since(e.last, now);
  if (parseTime(e.last) === undefined) last = first;
  let count = e.count;
  if (e.series) {
    last = since(e.series.lastObservedTime, now);
    count = num(e.series.count);
  } else if (count === 0) {
    count = 1; // singleton events carry no count in the new API
  }
  const kind = str(e.io.kind).toLowerCase();
  const target = str(e.io.name) !== '' ? `${kind}/${str(e.io.name)}` : kind;
  const component = str(e.source.component) || e.reportingController;
  const instance = str(e.source.host) || e.reportingInstance;
  const source = instance === '' ? component : `${component}, ${instance}`;
  return [last, e.type, e.reason, target, str(e.io.fieldPath), source, e.message.trim(), first, count, name(obj)];
}

type Metric = { type: string; spec: Obj; status: Obj | undefined };

/** HPA metrics in autoscaling/v2 shape; an autoscaling/v1 object's CPU target becomes one Resource metric. */
function hpaMetrics(obj: KubeObject): { specs: Obj[]; statuses: Obj[] } {
  const spec = rec(obj.spec);
  const status = rec(obj.status);
  if (Array.isArray(spec.metrics) || obj.apiVersion === 'autoscaling/v2') return { specs: arr(spec.metrics), statuses: arr(status.currentMetrics) };
  const target = typeof spec.targetCPUUtilizationPercentage === 'number' ? spec.targetCPUUtilizationPercentage : 80;
  const specs = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } }];
  const statuses =
    typeof status.currentCPUUtilizationPercentage === 'number'
      ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } }]
      : [];
  return { specs, statuses };
}

function formatHPAMetrics(specs: Obj[], statuses: Obj[]): string {
  if (specs.length === 0) return '<none>';
  const list: string[] = [];
  const max = 2;
  specs.forEach((s, i) => {
    const st = statuses.length > i ? statuses[i] : undefined;
    const m: Metric = { type: str(s.type), spec: s, status: st };
    list.push(formatMetric(m));
  });
  const count = list.length;
  if (count > max) return `${list.slice(0, max).join(', ')} + ${count - max} more...`;
  return list.join(', ');
}

function formatMetric({ type, spec, status }: Metric): string {
  const sub = (o: Obj | undefined, key: string): Obj | undefined => (o && o[key] !== undefined && o[key] !== null ? rec(o[key]) : undefined);
  switch (type) {
    case 'External':
    case 'Object': {
      const key = type === 'External' ? 'external' : 'object';
      const target = rec(rec(spec[key]).target);
      const cur = sub(status, key);
      if (target.averageValue !== undefined) {
        const current = cur && rec(cur.current).averageValue !== undefined ? quantity(rec(cur.current).averageValue) : '<unknown>';
        return `${current}/${quantity(target.averageValue)} (avg)`;
      }
      const current = cur ? quantity(rec(cur.current).value) : '<unknown>';
      return `${current}/${quantity(target.value)}`;
    }
    case 'Pods': {
      const cur = sub(status, 'pods');
      const current = cur ? quantity(rec(cur.current).averageValue) : '<unknown>';
      return `${current}/${quantity(rec(rec(spec.pods).target).averageValue)}`;
    }
    case 'Resource':
    case 'ContainerResource': {
      const key = type === 'Resource' ? 'resource' : 'containerResource';
      const r = rec(spec[key]);
      const target = rec(r.target);
      const cur = sub(status, key);
      if (target.averageValue !== undefined) {
        const current = cur ? quantity(rec(cur.current).averageValue) : '<unknown>';
        return `${str(r.name)}: ${current}/${quantity(target.averageValue)}`;
      }
      const cu = cur ? rec(cur.current).averageUtilization : undefined;
      const current = typeof cu === 'number' ? `${cu}%` : '<unknown>';
      const tgt = typeof target.averageUtilization === 'number' ? `${target.averageUtilization}%` : '<auto>';
      return `${str(r.name)}: ${current}/${tgt}`;
    }
  }
  return '<unknown type>';
}

function subjectsStrings(subjects: unknown): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of arr(subjects)) {
    switch (s.kind) {
      case 'ServiceAccount':
        sas.push(`${str(s.namespace)}/${str(s.name)}`);
        break;
      case 'User':
        users.push(str(s.name));
        break;
      case 'Group':
        groups.push(str(s.name));
        break;
    }
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

function bindingCells(obj: KubeObject, now: Date): unknown[] {
  const ref = rec(obj.roleRef);
  return [name(obj), `${str(ref.kind)}/${str(ref.name)}`, age(obj, now), ...subjectsStrings(obj.subjects)];
}

function formatDiscoveryPorts(ports: Obj[]): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const p of ports) {
    if (list.length < max) list.push(typeof p.port === 'number' ? String(p.port) : typeof p.name === 'string' ? p.name : '*');
    else if (list.length === max) more = true;
  }
  return listWithMore(list, more, ports.length, max);
}

function formatDiscoveryEndpoints(endpoints: Obj[]): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const e of endpoints) {
    for (const a of strs(e.addresses)) {
      if (list.length < max) list.push(a);
      else if (list.length === max) more = true;
      count++;
    }
  }
  return listWithMore(list, more, count, max);
}

function resourceQuotaCells(obj: KubeObject, now: Date): unknown[] {
  const status = rec(obj.status);
  const hard = rec(status.hard);
  const used = rec(status.used);
  const requests: string[] = [];
  const limits: string[] = [];
  for (const r of Object.keys(hard).sort()) {
    const pieces = r.split('.');
    const entry = `${r}: ${quantity(used[r])}/${quantity(hard[r])}`;
    (pieces.length > 1 && pieces[0] === 'limits' ? limits : requests).push(entry);
  }
  return [name(obj), requests.join(', '), limits.join(', '), age(obj, now)];
}

function controllerRevisionCells(obj: KubeObject, now: Date): unknown[] {
  const ref = (obj.metadata?.ownerReferences ?? []).find((o) => o.controller === true);
  let controller = '<none>';
  if (ref) {
    const slash = ref.apiVersion.indexOf('/');
    const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
    const gk = group === '' ? ref.kind : `${ref.kind}.${group}`;
    controller = gk === '' ? ref.name : `${gk.toLowerCase()}/${ref.name}`;
  }
  return [name(obj), controller, num(obj.revision), age(obj, now)];
}

/** printComponentStatus: the Healthy condition's status, message and error. */
function componentStatusCells(obj: KubeObject): unknown[] {
  const healthy = arr(obj.conditions).find((c) => c.type === 'Healthy');
  if (!healthy) return [name(obj), 'Unknown', '', ''];
  return [name(obj), healthy.status === 'True' ? 'Healthy' : 'Unhealthy', str(healthy.message), str(healthy.error)];
}

/** formatHosts: up to three rule hosts, `*` when none names one. */
function formatIngressHosts(rules: Obj[]): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const rule of rules) {
    if (list.length === max) more = true;
    const host = str(rule.host);
    if (!more && host.length !== 0) list.push(host);
  }
  if (list.length === 0) return '*';
  const ret = list.join(',');
  return more ? `${ret} + ${rules.length - max} more...` : ret;
}

/** ingressLoadBalancerStatusStringer (wide: the server always prints wide). */
function ingressAddress(status: Obj): string {
  const seen = new Set<string>();
  for (const ing of arr(rec(status.loadBalancer).ingress)) {
    const ip = str(ing.ip);
    const hostname = str(ing.hostname);
    if (ip) seen.add(ip);
    else if (hostname) seen.add(hostname);
  }
  return [...seen].sort().join(',');
}

function ingressCells(obj: KubeObject, now: Date): unknown[] {
  const spec = rec(obj.spec);
  const className = typeof spec.ingressClassName === 'string' ? spec.ingressClassName : '<none>';
  const ports = arr(spec.tls).length !== 0 ? '80, 443' : '80';
  return [name(obj), className, formatIngressHosts(arr(spec.rules)), ingressAddress(rec(obj.status)), ports, age(obj, now)];
}

function ingressClassCells(obj: KubeObject, now: Date): unknown[] {
  const spec = rec(obj.spec);
  let parameters = '<none>';
  if (spec.parameters !== undefined && spec.parameters !== null) {
    const p = rec(spec.parameters);
    parameters = str(p.kind);
    if (typeof p.apiGroup === 'string') parameters += `.${p.apiGroup}`;
    parameters += `/${str(p.name)}`;
  }
  return [name(obj), str(spec.controller), parameters, age(obj, now)];
}

/** extractCSRStatus: Denied, Approved or Pending, then Failed and Issued. */
function csrCondition(obj: KubeObject): string {
  const types = new Set(arr(rec(obj.status).conditions).map((c) => str(c.type)));
  let status = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) status += ',Failed';
  if (str(rec(obj.status).certificate).length > 0) status += ',Issued';
  return status;
}

function csrCells(obj: KubeObject, now: Date): unknown[] {
  const spec = rec(obj.spec);
  const signerName = str(spec.signerName) || '<none>';
  const duration = typeof spec.expirationSeconds === 'number' ? humanDuration(spec.expirationSeconds * 1000) : '<none>';
  return [name(obj), age(obj, now), signerName, str(spec.username), duration, csrCondition(obj)];
}

export const ROWS: Record<string, CellsFn> = {
  '/pods': podCells,
  'policy/poddisruptionbudgets': (o, now) => {
    const spec = rec(o.spec);
    const min = spec.minAvailable === undefined || spec.minAvailable === null ? 'N/A' : intOrString(spec.minAvailable);
    const max = spec.maxUnavailable === undefined || spec.maxUnavailable === null ? 'N/A' : intOrString(spec.maxUnavailable);
    return [name(o), min, max, num(rec(o.status).disruptionsAllowed), age(o, now)];
  },
  '/replicationcontrollers': (o, now) => {
    const spec = rec(o.spec);
    const status = rec(o.status);
    const [names, images] = containerCells(templateSpec(spec));
    return [
      name(o),
      replicas(spec),
      num(status.replicas),
      num(status.readyReplicas),
      age(o, now),
      names,
      images,
      formatLabels(rec(spec.selector) as Record<string, string>),
    ];
  },
  'apps/replicasets': (o, now) => {
    const spec = rec(o.spec);
    const status = rec(o.status);
    const [names, images] = containerCells(templateSpec(spec));
    return [
      name(o),
      replicas(spec),
      num(status.replicas),
      num(status.readyReplicas),
      age(o, now),
      names,
      images,
      formatLabelSelector(labelSelector(spec.selector)),
    ];
  },
  'apps/daemonsets': (o, now) => {
    const spec = rec(o.spec);
    const s = rec(o.status);
    const tspec = templateSpec(spec);
    const [names, images] = containerCells(tspec);
    return [
      name(o),
      num(s.desiredNumberScheduled),
      num(s.currentNumberScheduled),
      num(s.numberReady),
      num(s.updatedNumberScheduled),
      num(s.numberAvailable),
      formatLabels(rec(tspec.nodeSelector) as Record<string, string>),
      age(o, now),
      names,
      images,
      formatLabelSelector(labelSelector(spec.selector)),
    ];
  },
  'batch/jobs': (o, now) => {
    const spec = rec(o.spec);
    const status = rec(o.status);
    const succeeded = num(status.succeeded);
    let completions: string;
    if (typeof spec.completions === 'number') completions = `${succeeded}/${num(spec.completions)}`;
    else {
      const parallelism = num(spec.parallelism);
      completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    }
    const start = parseTime(status.startTime);
    const end = parseTime(status.completionTime);
    const duration = start === undefined ? '' : humanDuration((end ?? now.getTime()) - start);
    const conds = arr(status.conditions);
    let st = 'Running';
    if (hasCondition(conds, 'Complete')) st = 'Complete';
    else if (hasCondition(conds, 'Failed')) st = 'Failed';
    else if (o.metadata?.deletionTimestamp) st = 'Terminating';
    else if (hasCondition(conds, 'Suspended')) st = 'Suspended';
    else if (hasCondition(conds, 'FailureTarget')) st = 'FailureTarget';
    const [names, images] = containerCells(templateSpec(spec));
    return [name(o), st, completions, duration, age(o, now), names, images, formatLabelSelector(labelSelector(spec.selector))];
  },
  'batch/cronjobs': (o, now) => {
    const spec = rec(o.spec);
    const status = rec(o.status);
    const last = status.lastScheduleTime ? since(status.lastScheduleTime, now) : '<none>';
    const jobSpec = rec(rec(spec.jobTemplate).spec);
    const [names, images] = containerCells(templateSpec(jobSpec));
    return [
      name(o),
      str(spec.schedule),
      optStr(spec.timeZone) ?? '<none>',
      printBoolPtr(spec.suspend),
      arr(status.active).length,
      last,
      age(o, now),
      names,
      images,
      formatLabelSelector(labelSelector(jobSpec.selector)),
    ];
  },
  '/services': (o, now) => {
    const spec = rec(o.spec);
    const ips = strs(spec.clusterIPs);
    const clusterIP = ips.length > 0 ? ips[0] : str(spec.clusterIP) || '<none>';
    const ports = makePortString(spec.ports) || '<none>';
    return [
      name(o),
      str(spec.type) || 'ClusterIP',
      clusterIP,
      serviceExternalIP(spec, rec(o.status)),
      ports,
      age(o, now),
      formatLabels(rec(spec.selector) as Record<string, string>),
    ];
  },
  'apps/statefulsets': (o, now) => {
    const spec = rec(o.spec);
    const [names, images] = containerCells(templateSpec(spec));
    return [name(o), `${num(rec(o.status).readyReplicas)}/${replicas(spec)}`, age(o, now), names, images];
  },
  '/endpoints': (o, now) => [name(o), formatEndpoints(o), age(o, now)],
  '/nodes': (o, now) => {
    const spec = rec(o.spec);
    const status = rec(o.status);
    const info = rec(status.nodeInfo);
    const ready = arr(status.conditions).find((c) => c.type === 'Ready');
    const st: string[] = ready ? [ready.status === 'True' ? 'Ready' : 'NotReady'] : ['Unknown'];
    if (spec.unschedulable === true) st.push('SchedulingDisabled');
    const roles = nodeRoles(o.metadata?.labels ?? {}).join(',') || '<none>';
    return [
      name(o),
      st.join(','),
      roles,
      age(o, now),
      str(info.kubeletVersion),
      nodeAddress(status, 'InternalIP'),
      nodeAddress(status, 'ExternalIP'),
      str(info.osImage) || '<unknown>',
      str(info.kernelVersion) || '<unknown>',
      str(info.containerRuntimeVersion) || '<unknown>',
    ];
  },
  '/events': eventCells,
  '/namespaces': (o, now) => [name(o), str(rec(o.status).phase), age(o, now)],
  '/secrets': (o, now) => [name(o), str(o.type), Object.keys(rec(o.data)).length, age(o, now)],
  '/serviceaccounts': (o, now) => [name(o), arr(o.secrets).length, age(o, now)],
  '/persistentvolumes': (o, now) => {
    const spec = rec(o.spec);
    const status = rec(o.status);
    const claim = spec.claimRef ? `${str(rec(spec.claimRef).namespace)}/${str(rec(spec.claimRef).name)}` : '';
    const phase = o.metadata?.deletionTimestamp ? 'Terminating' : str(status.phase);
    return [
      name(o),
      quantity(rec(spec.capacity).storage),
      accessModes(spec.accessModes),
      str(spec.persistentVolumeReclaimPolicy),
      phase,
      claim,
      storageClassOf(o, spec),
      optStr(spec.volumeAttributesClassName) ?? '<unset>',
      str(status.reason),
      age(o, now),
      optStr(spec.volumeMode) ?? '<unset>',
    ];
  },
  '/persistentvolumeclaims': (o, now) => {
    const spec = rec(o.spec);
    const status = rec(o.status);
    const phase = o.metadata?.deletionTimestamp ? 'Terminating' : str(status.phase);
    const bound = str(spec.volumeName) !== '';
    const capacity = bound ? quantity(rec(status.capacity).storage) : '';
    const modes = bound ? accessModes(status.accessModes) : '';
    return [
      name(o),
      phase,
      str(spec.volumeName),
      capacity,
      modes,
      storageClassOf(o, spec),
      optStr(spec.volumeAttributesClassName) ?? '<unset>',
      age(o, now),
      optStr(spec.volumeMode) ?? '<unset>',
    ];
  },
  'apps/deployments': (o, now) => {
    const spec = rec(o.spec);
    const status = rec(o.status);
    const [names, images] = containerCells(templateSpec(spec));
    let selector: string;
    try {
      selector = selectorFromLabelSelector(labelSelector(spec.selector)).toString();
    } catch {
      selector = '<invalid>';
    }
    return [
      name(o),
      `${num(status.readyReplicas)}/${replicas(spec)}`,
      num(status.updatedReplicas),
      num(status.availableReplicas),
      age(o, now),
      names,
      images,
      selector,
    ];
  },
  'autoscaling/horizontalpodautoscalers': (o, now) => {
    const spec = rec(o.spec);
    const ref = rec(spec.scaleTargetRef);
    const { specs, statuses } = hpaMetrics(o);
    const minPods = typeof spec.minReplicas === 'number' ? String(spec.minReplicas) : '<unset>';
    return [
      name(o),
      `${str(ref.kind)}/${str(ref.name)}`,
      formatHPAMetrics(specs, statuses),
      minPods,
      num(spec.maxReplicas),
      num(rec(o.status).currentReplicas),
      age(o, now),
    ];
  },
  '/configmaps': (o, now) => [name(o), Object.keys(rec(o.data)).length + Object.keys(rec(o.binaryData)).length, age(o, now)],
  'rbac.authorization.k8s.io/rolebindings': bindingCells,
  'rbac.authorization.k8s.io/clusterrolebindings': bindingCells,
  'coordination.k8s.io/leases': (o, now) => [name(o), str(rec(o.spec).holderIdentity), age(o, now)],
  'storage.k8s.io/storageclasses': (o, now) => [
    isDefaultStorageClass(o) ? `${name(o)} (default)` : name(o),
    str(o.provisioner),
    optStr(o.reclaimPolicy) ?? 'Delete',
    optStr(o.volumeBindingMode) ?? 'Immediate',
    o.allowVolumeExpansion === true,
    age(o, now),
  ],
  'apps/controllerrevisions': controllerRevisionCells,
  '/resourcequotas': resourceQuotaCells,
  'scheduling.k8s.io/priorityclasses': (o, now) => [name(o), num(o.value), o.globalDefault === true, age(o, now), str(o.preemptionPolicy)],
  '/componentstatuses': componentStatusCells,
  'networking.k8s.io/ingresses': ingressCells,
  'networking.k8s.io/ingressclasses': ingressClassCells,
  'networking.k8s.io/networkpolicies': (o, now) => [name(o), formatLabelSelector(labelSelector(rec(o.spec).podSelector) ?? {}), age(o, now)],
  'certificates.k8s.io/certificatesigningrequests': csrCells,
  'node.k8s.io/runtimeclasses': (o, now) => [name(o), str(o.handler), age(o, now)],
  'admissionregistration.k8s.io/validatingwebhookconfigurations': (o, now) => [name(o), arr(o.webhooks).length, age(o, now)],
  'admissionregistration.k8s.io/mutatingwebhookconfigurations': (o, now) => [name(o), arr(o.webhooks).length, age(o, now)],
  'discovery.k8s.io/endpointslices': (o, now) => [
    name(o),
    str(o.addressType),
    formatDiscoveryPorts(arr(o.ports)),
    formatDiscoveryEndpoints(arr(o.endpoints)),
    age(o, now),
  ],
};
ROWS['events.k8s.io/events'] = ROWS['/events'];
