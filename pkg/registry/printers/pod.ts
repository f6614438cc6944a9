// The pod row: READY, STATUS and RESTARTS computed exactly as kube-apiserver's
// printPod does (what `kubectl get pods` shows), including init containers,
// restartable (sidecar) init containers, Terminating and "(5m ago)".
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { arr, num, parseTime, rec, str, type Obj } from './access.js';
import { humanDuration } from './duration.js';

export interface RowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

const isRestartableInit = (c: Obj | undefined): boolean => c !== undefined && c.restartPolicy === 'Always';

const conditionTrue = (conds: Obj[], type: string): boolean => {
  const c = conds.find((x) => x.type === type);
  return c !== undefined && c.status === 'True';
};

export function podConditions(pod: KubeObject): RowCondition[] | undefined {
  const phase = rec(pod.status).phase;
  if (phase === 'Succeeded') return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
  if (phase === 'Failed') return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
  return undefined;
}

// Long because it follows upstream's printPod step by step (init containers, then
// containers, then the reason overrides), so the two can be compared line by line.
export function podCells(pod: KubeObject, now: Date): unknown[] {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const conditions = arr(status.conditions);
  const containers = arr(spec.containers);
  const initSpecs = arr(spec.initContainers);

  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = containers.length;
  let readyContainers = 0;
  let lastRestart = 0; // epoch ms; 0 = zero time
  let lastRestartableInitRestart = 0;

  const podPhase = str(status.phase);
  let reason = status.reason ? str(status.reason) : podPhase;
  for (const c of conditions) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initByName = new Map<string, Obj>();
  for (const c of initSpecs) {
    initByName.set(str(c.name), c);
    if (isRestartableInit(c)) totalContainers++;
  }

  const finishedAt = (cs: Obj): number | undefined => {
    const term = rec(rec(cs.lastState).terminated);
    return Object.keys(term).length > 0 ? (parseTime(term.finishedAt) ?? 0) : undefined;
  };

  let initializing = false;
  const initStatuses = arr(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const state = rec(cs.state);
    const terminated = state.terminated === undefined || state.terminated === null ? undefined : rec(state.terminated);
    const waiting = state.waiting === undefined || state.waiting === null ? undefined : rec(state.waiting);
    restarts += num(cs.restartCount);
    const fin = finishedAt(cs);
    if (fin !== undefined && lastRestart < fin) lastRestart = fin;
    const restartable = isRestartableInit(initByName.get(str(cs.name)));
    if (restartable) {
      restartableInitRestarts += num(cs.restartCount);
      if (fin !== undefined && lastRestartableInitRestart < fin) lastRestartableInitRestart = fin;
    }
    if (terminated && num(terminated.exitCode) === 0) continue;
    if (restartable && cs.started === true) {
      if (cs.ready === true) readyContainers++;
      continue;
    }
    if (terminated) {
      // initialization failed
      if (!terminated.reason) {
        reason = num(terminated.signal) !== 0 ? `Init:Signal:${num(terminated.signal)}` : `Init:ExitCode:${num(terminated.exitCode)}`;
      } else {
        reason = `Init:${str(terminated.reason)}`;
      }
    } else if (waiting && str(waiting.reason) !== '' && waiting.reason !== 'PodInitializing') {
      reason = `Init:${str(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(conditions, 'Initialized')) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = arr(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      const state = rec(cs.state);
      const terminated = state.terminated === undefined || state.terminated === null ? undefined : rec(state.terminated);
      const waiting = state.waiting === undefined || state.waiting === null ? undefined : rec(state.waiting);
      const running = state.running !== undefined && state.running !== null;
      restarts += num(cs.restartCount);
      const fin = finishedAt(cs);
      if (fin !== undefined && lastRestart < fin) lastRestart = fin;
      if (waiting && str(waiting.reason) !== '') {
        reason = str(waiting.reason);
      } else if (terminated && str(terminated.reason) !== '') {
        reason = str(terminated.reason);
      } else if (terminated) {
        reason = num(terminated.signal) !== 0 ? `Signal:${num(terminated.signal)}` : `ExitCode:${num(terminated.exitCode)}`;
      } else if (cs.ready === true && running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A pod with a container still running is not "Completed" yet.
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  const deleting = typeof pod.metadata?.deletionTimestamp === 'string' && pod.metadata.deletionTimestamp !== '';
  if (deleting && status.reason === 'NodeLost') reason = 'Unknown';
  else if (deleting && podPhase !== 'Failed' && podPhase !== 'Succeeded') reason = 'Terminating';

  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestart !== 0) restartsStr = `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`;

  const podIPs = arr(status.podIPs);
  const podIP = podIPs.length > 0 ? str(podIPs[0].ip) : '';
  const readinessGates = arr(spec.readinessGates);
  let gates = '<none>';
  if (readinessGates.length > 0) {
    let trueConditions = 0;
    for (const g of readinessGates) {
      const c = conditions.find((x) => x.type === g.conditionType);
      if (c && c.status === 'True') trueConditions++;
    }
    gates = `${trueConditions}/${readinessGates.length}`;
  }
  const created = parseTime(pod.metadata?.creationTimestamp);
  return [
    str(pod.metadata?.name),
    `${readyContainers}/${totalContainers}`,
    reason,
    restartsStr,
    created === undefined ? '<unknown>' : humanDuration(now.getTime() - created),
    podIP || '<none>',
    str(spec.nodeName) || '<none>',
    str(status.nominatedNodeName) || '<none>',
    gates,
  ];
}
