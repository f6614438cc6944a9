// Prometheus on a `timonel up --addons prometheus` node, for real: vmagent
// discovers and scrapes with Prometheus's own Kubernetes example jobs and the
// pod's service-account token, Debian's Prometheus stores and answers queries,
// both reached through `kubectl port-forward`. Then the same jobs from outside
// the cluster: the host's vmagent with the out-of-cluster configuration and
// the admin's client certificate, writing into the same Prometheus.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, which } from '../../pkg/cluster/process.js';
import { until } from '../support/controllers.js';
import { timonelUp, type UpCluster } from '../support/upcluster.js';

const OUT_OF_CLUSTER = fileURLToPath(new URL('../../../manifests/prometheus/out-of-cluster/prometheus.yml', import.meta.url));

interface Target {
  labels: Record<string, string>;
  health: string;
  lastError?: string;
}

async function getJSON<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** The scraper's active targets, by job. */
async function targetsByJob(vmagent: string): Promise<Map<string, Target[]>> {
  const body = await getJSON<{ data: { activeTargets: Target[] } }>(`${vmagent}/api/v1/targets`);
  const jobs = new Map<string, Target[]>();
  for (const t of body.data.activeTargets) jobs.set(t.labels.job, [...(jobs.get(t.labels.job) ?? []), t]);
  return jobs;
}

/** The number of series a PromQL query returns. */
async function seriesCount(prometheus: string, query: string): Promise<number> {
  const body = await getJSON<{ data: { result: unknown[] } }>(`${prometheus}/api/v1/query?query=${encodeURIComponent(query)}`);
  return body.data.result.length;
}

jest.setTimeout(600_000);
describe('Prometheus scrapes the cluster', () => {
  let c: UpCluster;
  let work = '';
  const children: ChildProcess[] = [];
  let prometheus = '';
  let vmagent = '';
  let nodes: string[] = [];
  let exporters: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'timonel-prometheus-'));
    c = await timonelUp({ podCIDR: '10.244.114.0/24', bridge: 'tmnl-e2e14', extraFlags: ['--addons', 'prometheus'] });
    await c.kubectl(['-n', 'monitoring', 'rollout', 'status', 'deployment/prometheus', '--timeout=180s']);
    await c.kubectl(['-n', 'monitoring', 'rollout', 'status', 'daemonset/node-exporter', '--timeout=180s']);
    await c.kubectl(['run', 'busy', '--image=busybox:1.36', '--', 'sh', '-c', 'while true; do :; done']);
    await c.kubectl(['wait', '--for=condition=Ready', 'pod/busy', '--timeout=120s']);
    nodes = (await c.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout.split(' ');
    exporters = (
      await c.kubectl(['-n', 'monitoring', 'get', 'pods', '-l', 'app.kubernetes.io/name=node-exporter', '-o', 'jsonpath={.items[*].metadata.name}'])
    ).stdout.split(' ');
    // The UI and vmagent's target list, as a user reaches them.
    const [web, agent] = await freePorts(2);
    const forward = c.kubectlSpawn(['-n', 'monitoring', 'port-forward', 'svc/prometheus', `${web}:9090`, `${agent}:8429`]);
    children.push(forward);
    prometheus = `http://127.0.0.1:${web}`;
    vmagent = `http://127.0.0.1:${agent}`;
    await until('the port-forward', async () => (await fetch(`${prometheus}/-/ready`).catch(() => undefined))?.ok, 30_000, 500);
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGTERM');
    await c?.down();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Waits until every expected target of every job is up; returns the targets. */
  async function allUp(agent: string, expected: Map<string, string[]>): Promise<Map<string, Target[]>> {
    return until(
      'every target up',
      async () => {
        const jobs = await targetsByJob(agent);
        for (const [job, instances] of expected) {
          const up = (jobs.get(job) ?? []).filter((t) => t.health === 'up').map((t) => t.labels.kubernetes_pod_name ?? t.labels.instance);
          if (!instances.every((i) => up.includes(i))) return false;
        }
        return jobs;
      },
      180_000,
      3000,
    );
  }

  const expectedTargets = () =>
    new Map([
      ['kubernetes-apiservers', []],
      ['kubernetes-nodes', nodes],
      ['kubernetes-cadvisor', nodes],
      ['kubernetes-pods', exporters],
    ]);

  it("the in-cluster scraper reports the apiserver, every node's kubelet and cAdvisor, and every node exporter up", async () => {
    const jobs = await allUp(vmagent, expectedTargets());
    const apiservers = jobs.get('kubernetes-apiservers') ?? [];
    assert.equal(apiservers.length, 1, 'the default/kubernetes endpoint on its https port');
    assert.equal(apiservers[0].health, 'up', apiservers[0].lastError);
    // Only annotated pods are kept: the node exporters, not Prometheus itself.
    assert.deepEqual((jobs.get('kubernetes-pods') ?? []).map((t) => t.labels.kubernetes_pod_name).sort(), [...exporters].sort());
    // The node labels are mapped onto the node jobs, as the example's labelmap says.
    assert.ok((jobs.get('kubernetes-nodes') ?? []).every((t) => t.labels.kubernetes_io_hostname));
  });

  it('Prometheus answers queries for container, kubelet, apiserver and node series', async () => {
    for (const query of [
      'container_cpu_usage_seconds_total{pod="busy"}',
      'container_memory_working_set_bytes{pod="busy"}',
      'kubelet_running_pods',
      'apiserver_request_total',
      'node_cpu_seconds_total',
      'node_memory_MemAvailable_bytes',
    ]) {
      await until(`a result for ${query}`, async () => (await seriesCount(prometheus, query)) > 0, 120_000, 3000);
    }
  });

  it('the out-of-cluster configuration works with the admin credentials, only the paths and address changed', async () => {
    assert.ok(which('vmagent'), "Debian's victoria-metrics (vmagent) is needed: run make deps");
    const server = /server: (\S+)/.exec(readFileSync(c.kubeconfig, 'utf8'))?.[1] as string;
    const config = readFileSync(OUT_OF_CLUSTER, 'utf8').replaceAll('/var/lib/timonel/pki', join(c.dataDir, 'pki')).replaceAll('https://127.0.0.1:6443', server);
    writeFileSync(join(work, 'prometheus.yml'), config);
    const [port] = await freePorts(1);
    const agent = spawn(
      'vmagent',
      [
        `-promscrape.config=${join(work, 'prometheus.yml')}`,
        '-promscrape.config.strictParse',
        `-remoteWrite.url=${prometheus}/api/v1/write`,
        '-remoteWrite.label=scraper=outside',
        `-remoteWrite.tmpDataPath=${join(work, 'vmagent')}`,
        `-httpListenAddr=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    children.push(agent);
    await allUp(`http://127.0.0.1:${port}`, expectedTargets());
    // What it scraped reached Prometheus (through the port-forward), labelled as its own.
    await until('series written by the outside scraper', async () => (await seriesCount(prometheus, 'up{scraper="outside"} == 1')) >= 4, 120_000, 3000);
  });
});
