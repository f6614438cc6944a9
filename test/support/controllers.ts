// Shared pieces of the controller integration tests: polling for an outcome,
// running controllers in this process against a test cluster, and standing in
// for the parts of a cluster that do not run here (a kubelet's status reports,
// Node objects).
import type { Taint } from '../../api/core/v1/types.js';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta/v1/types.js';
import { EventRecorder } from '../../pkg/client/events.js';
import { SharedInformerFactory } from '../../pkg/client/factory.js';
import { Client } from '../../pkg/client/rest.js';
import type { Controller, ControllerContext } from '../../pkg/controller/context.js';
import { ControllerManager, type ManagerOptions } from '../../pkg/controller/manager.js';
import { logger, type Logger } from '../../pkg/util/log.js';
import { request, type TestCluster } from './cluster.js';

const JSON_HDR = { 'content-type': 'application/json' };

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A timestamp as the apiserver writes one (RFC 3339, whole seconds). */
export const rfc3339 = (ms: number = Date.now()): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Polls `check` every `pollMs` until it returns something other than undefined or
 * false, and returns that. A check that throws is retried; the last error is
 * reported if time runs out.
 */
export async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000, pollMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(pollMs);
  }
}

/** What a controller-manager hands the controllers it runs, for a test to build them with. */
export interface ControllerHarness {
  client: Client;
  informers: SharedInformerFactory;
  /** A ControllerContext whose events come from `component`, logging as `component` unless `log` is given. */
  context(component: string, log?: Logger): ControllerContext;
}

/** A controller and how many workers it runs. */
export type ControllerRun = [controller: Controller, workers: number];

export interface RunningControllers {
  client: Client;
  informers: SharedInformerFactory;
  /** Stops the controllers and waits for them, then the informers, then closes the client. */
  stop(): Promise<void>;
}

/**
 * Runs the controllers `make` builds against the cluster, in this process, sharing
 * one client and informer factory as a controller-manager would. The informers are
 * started before the controllers run, so anything `make` registered on them (a
 * test's own event handlers) sees every object.
 */
export function startControllers(c: TestCluster, make: (h: ControllerHarness) => ControllerRun[]): RunningControllers {
  const client = Client.fromFile(c.kubeconfig);
  const informers = new SharedInformerFactory(client);
  const harness: ControllerHarness = {
    client,
    informers,
    context: (component, log = logger(component)) => ({ client, informers, recorder: new EventRecorder(client, { component }), log }),
  };
  const runs = make(harness);
  const ac = new AbortController();
  informers.start();
  const running = runs.map(([controller, workers]) => controller.run(workers, ac.signal));
  return {
    client,
    informers,
    async stop() {
      ac.abort();
      await Promise.all(running);
      await informers.shutdown();
      client.close();
    },
  };
}

/** Options for a ControllerManager in a test: the named controllers, no leader election, 2 workers each. */
export function managerOptions(c: TestCluster, controllers: string[], overrides: Partial<ManagerOptions> = {}): ManagerOptions {
  return {
    kubeconfig: c.kubeconfig,
    controllers,
    leaderElect: false,
    leaseDurationMs: 0,
    renewDeadlineMs: 0,
    retryPeriodMs: 0,
    workers: 2,
    log: logger('controller-manager-test', -1),
    ...overrides,
  };
}

/** A started ControllerManager running `controllers` (see managerOptions). */
export async function startManager(c: TestCluster, controllers: string[], overrides: Partial<ManagerOptions> = {}): Promise<ControllerManager> {
  const m = new ControllerManager(managerOptions(c, controllers, overrides));
  await m.start();
  return m;
}

export interface PodStatusOptions {
  /** Default Running. */
  phase?: string;
  /** The status of the conditions below; default true. */
  ready?: boolean;
  /** Conditions set to `ready`, replacing earlier ones of the same type; default ['Ready']. */
  conditionTypes?: string[];
  /** Their lastTransitionTime; default now. */
  since?: string;
  /** More status fields, e.g. podIP or startTime. */
  status?: Record<string, unknown>;
  /** Leave a pod that is gone or being deleted alone (and return false) instead of failing. */
  ifExists?: boolean;
}

/**
 * What a kubelet reports for a pod: phase and readiness, written through
 * PUT pods/<name>/status, keeping the rest of the status. Retries on conflict.
 */
export async function setPodStatus(c: TestCluster, namespace: string, name: string, opts: PodStatusOptions = {}): Promise<boolean> {
  const path = `/api/v1/namespaces/${namespace}/pods/${name}`;
  const types = opts.conditionTypes ?? ['Ready'];
  for (let attempt = 1; ; attempt++) {
    const got = await request(c, 'GET', path);
    if (opts.ifExists && got.status === 404) return false;
    assert.equal(got.status, 200, got.body);
    const pod = got.json() as { metadata: { deletionTimestamp?: string }; status?: { conditions?: Array<{ type: string }> } & Record<string, unknown> };
    if (opts.ifExists && pod.metadata.deletionTimestamp) return false;
    const at = opts.since ?? rfc3339();
    const kept = (pod.status?.conditions ?? []).filter((x) => !types.includes(x.type));
    const set = types.map((type) => ({ type, status: opts.ready === false ? 'False' : 'True', lastTransitionTime: at }));
    pod.status = { ...(pod.status ?? {}), ...opts.status, phase: opts.phase ?? 'Running', conditions: [...kept, ...set] };
    const put = await request(c, 'PUT', `${path}/status`, { body: JSON.stringify(pod), headers: JSON_HDR });
    if (put.status === 200) return true;
    if (opts.ifExists && put.status === 404) return false;
    if (put.status !== 409 || attempt >= 5) assert.fail(`PUT ${path}/status: ${put.status} ${put.body}`);
  }
}

/** Marks a pod Running and Ready, with `extra` status fields. */
export async function markPodReady(c: TestCluster, namespace: string, name: string, extra: Record<string, unknown> = {}): Promise<void> {
  await setPodStatus(c, namespace, name, { status: extra });
}

/** A Ready Node, labelled with its hostname as a kubelet registers it. */
export async function createNode(c: TestCluster, name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Promise<void> {
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: taints.length ? { taints } : {},
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };
  const res = await request(c, 'POST', '/api/v1/nodes', { body: JSON.stringify(node), headers: JSON_HDR });
  assert.equal(res.status, 201, res.body);
}

/** Whether `owner` is `obj`'s controller. */
export function controlledBy(obj: KubeObject, owner: KubeObject): boolean {
  return obj.metadata.ownerReferences?.some((r) => r.controller && r.uid === owner.metadata.uid) ?? false;
}

/** The messages of `obj`'s events with this reason. */
export async function eventMessages(c: TestCluster, obj: KubeObject, reason: string): Promise<string[]> {
  const res = await request(c, 'GET', `/api/v1/namespaces/${obj.metadata.namespace ?? 'default'}/events`);
  assert.equal(res.status, 200, res.body);
  const list = res.json() as { items: Array<{ involvedObject?: { uid?: string }; reason?: string; message?: string }> };
  return list.items.filter((e) => e.involvedObject?.uid === obj.metadata.uid && e.reason === reason).map((e) => String(e.message));
}
