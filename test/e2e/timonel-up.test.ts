// `timonel up` / `timonel down` as a user runs them: real etcd and apiserver
// processes, the kubeconfig it writes (the admin's client certificate), each
// component acting as its own identity (the apiserver's audit log), the apiserver
// reaching the kubelet with its certificate verified, the real kubectl, state kept
// across restarts.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYAML } from 'yaml';
import { freePort, freePorts, isAlive } from '../../pkg/cluster/process.js';
import { until } from '../support/controllers.js';

interface AuditEvent {
  verb: string;
  user: { username: string; groups?: string[] };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
}

const run = promisify(execFile);
const TIMONEL = new URL('../../cmd/timonel/main.js', import.meta.url).pathname;

jest.setTimeout(180_000);
describe('timonel up / down', () => {
  let dataDir: string;
  let flags: string[];
  const kubectlEnv = () => ({ ...process.env, KUBECONFIG: join(dataDir, 'kubeconfig.yaml'), HOME: dataDir });
  const kubectl = (args: string[]) => run('kubectl', args, { env: kubectlEnv() });
  const timonel = (args: string[]) => run(process.execPath, [TIMONEL, ...args]);
  // The registry may be shared with another cluster on this machine (then it has no PID file here).
  const pids = () =>
    ['etcd', 'apiserver', 'controller-manager', 'scheduler', 'containerd', 'kubelet'].map((n) =>
      Number(readFileSync(join(dataDir, 'run', `${n}.pid`), 'utf8')),
    );

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'timonel-up-'));
    const [securePort, etcdClientPort, etcdPeerPort] = await freePorts(3);
    flags = [
      '--data-dir',
      dataDir,
      '--secure-port',
      String(securePort),
      '--etcd-client-port',
      String(etcdClientPort),
      '--etcd-peer-port',
      String(etcdPeerPort),
      '--pod-cidr',
      '10.244.101.0/24',
      '--cni-bridge',
      'tmnl-e2e1',
      '--audit-log-path',
      join(dataDir, 'logs', 'audit.log'),
    ];
  });
  afterAll(async () => {
    await timonel(['down', ...flags, '--purge']).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts etcd and the apiserver, prints how to use the kubeconfig, and kubectl works', async () => {
    const { stdout } = await timonel(['up', ...flags]);
    assert.match(stdout, /etcd: ready/);
    assert.match(stdout, /apiserver: ready at https:\/\/127\.0\.0\.1:\d+/);
    assert.match(stdout, /controller-manager: running/);
    assert.match(stdout, /scheduler: running/);
    assert.match(stdout, /containerd: ready/);
    assert.match(stdout, /kubelet: ready, node \S+ is Ready at 10\.244\.101\.1/);
    assert.ok(stdout.includes(`export KUBECONFIG=${join(dataDir, 'kubeconfig.yaml')}`), stdout);
    for (const pid of pids()) assert.ok(isAlive(pid));
    assert.ok(existsSync(join(dataDir, 'logs', 'apiserver.log')));
    const nodes = (await kubectl(['get', 'nodes'])).stdout;
    assert.match(nodes, /\s+Ready\s+/);
    const ns = (await kubectl(['get', 'namespaces', '-o', 'name'])).stdout.split('\n');
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(ns.includes(`namespace/${n}`), ns.join(','));
    await kubectl(['create', 'configmap', 'survivor', '--from-literal=k=v']);
    // The controller-manager is at work: new namespaces get their default ServiceAccount.
    await kubectl(['create', 'namespace', 'team-a']);
    await kubectl(['wait', '--for=create', 'serviceaccount/default', '-n', 'team-a', '--timeout=20s']);
  });

  it("writes the admin's kubeconfig with a client certificate: kubectl auth whoami is the admin in system:masters", async () => {
    const kc = parseYAML(readFileSync(join(dataDir, 'kubeconfig.yaml'), 'utf8')) as { users: { user: Record<string, string> }[] };
    const user = kc.users[0].user;
    assert.equal(user.token, undefined);
    assert.match(Buffer.from(user['client-certificate-data'], 'base64').toString(), /^-----BEGIN CERTIFICATE-----/);
    assert.match(Buffer.from(user['client-key-data'], 'base64').toString(), /PRIVATE KEY-----/);
    const who = (await kubectl(['auth', 'whoami'])).stdout;
    assert.match(who, /^Username\s+kubernetes-admin$/m);
    assert.match(who, /^Groups\s+\[system:masters system:authenticated\]$/m);
    // Each component has its own kubeconfig, with no token either.
    for (const component of ['controller-manager', 'scheduler', 'kubelet', 'proxy', 'dns']) {
      const text = readFileSync(join(dataDir, 'kubeconfigs', `${component}.yaml`), 'utf8');
      assert.match(text, /client-certificate-data: /);
      assert.doesNotMatch(text, /token: /);
    }
  });

  it('each component acts as its own identity; the apiserver reaches the kubelet with verification on', async () => {
    const node = (await kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;
    await kubectl(['run', 'ident', '--image=busybox:1.36', '--restart=Never', '--', 'sh', '-c', 'echo hello-from-ident']);
    await kubectl(['wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/ident', '--timeout=90s']);
    // pods/log goes through the apiserver to the kubelet, whose certificate the cluster CA signed.
    assert.equal((await kubectl(['logs', 'ident'])).stdout, 'hello-from-ident\n');
    const events = () =>
      readFileSync(join(dataDir, 'logs', 'audit.log'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditEvent);
    const who = (match: (e: AuditEvent) => boolean) => [
      ...new Set(
        events()
          .filter(match)
          .map((e) => e.user.username),
      ),
    ];
    const ref = (e: AuditEvent, resource: string, subresource = '', name?: string) =>
      e.objectRef?.resource === resource && (e.objectRef.subresource ?? '') === subresource && (name === undefined || e.objectRef.name === name);
    // A line is written once its response is complete, which can be after kubectl has its answer.
    await until('the audit log has the last request', async () => who((e) => e.verb === 'get' && ref(e, 'pods', 'log', 'ident')).length > 0);
    assert.deepEqual(
      who((e) => e.verb === 'create' && ref(e, 'pods', 'binding', 'ident')),
      ['system:kube-scheduler'],
    );
    assert.deepEqual(
      who((e) => ['update', 'patch'].includes(e.verb) && ref(e, 'pods', 'status', 'ident')),
      [`system:node:${node}`],
    );
    assert.deepEqual(
      who((e) => ['update', 'patch'].includes(e.verb) && ref(e, 'nodes', 'status', node)),
      [`system:node:${node}`],
    );
    assert.deepEqual(
      who((e) => e.verb === 'create' && ref(e, 'serviceaccounts') && e.objectRef?.namespace === 'team-a'),
      ['system:kube-controller-manager'],
    );
    // Their informers' lists (a watch is logged once it ends).
    assert.ok(who((e) => e.verb === 'list' && ref(e, 'endpointslices')).includes('system:kube-proxy'));
    assert.ok(who((e) => e.verb === 'list' && ref(e, 'services')).includes('system:kube-dns'));
    assert.deepEqual(
      who((e) => e.verb === 'get' && ref(e, 'pods', 'log', 'ident')),
      ['kubernetes-admin'],
    );
    assert.ok(
      events()
        .find((e) => e.user.username === `system:node:${node}`)
        ?.user.groups?.includes('system:nodes'),
    );
    // The kubelet asked the apiserver whether the apiserver's kubelet client may read the log (Webhook authorization).
    assert.deepEqual(
      who((e) => e.verb === 'create' && ref(e, 'subjectaccessreviews')),
      [`system:node:${node}`],
    );
    await kubectl(['delete', 'pod', 'ident', '--wait=false']);
  });

  it('kube-public/cluster-info carries the cluster CA and address', async () => {
    const text = (await kubectl(['get', 'configmap', 'cluster-info', '-n', 'kube-public', '-o', 'jsonpath={.data.kubeconfig}'])).stdout;
    const info = parseYAML(text) as { clusters: { cluster: { server: string; 'certificate-authority-data': string } }[] };
    const admin = parseYAML(readFileSync(join(dataDir, 'kubeconfig.yaml'), 'utf8')) as typeof info;
    assert.deepEqual(info.clusters[0].cluster, admin.clusters[0].cluster);
  });

  it('refuses requests without the kubeconfig credentials: a wrong token is 401, none is 403', async () => {
    const server = /server: (\S+)/.exec(readFileSync(join(dataDir, 'kubeconfig.yaml'), 'utf8'))?.[1];
    const res = await run('kubectl', ['--kubeconfig=/dev/null', `--server=${server}`, '--insecure-skip-tls-verify', '--token=wrong', 'get', 'ns'], {
      env: { ...process.env, HOME: dataDir },
    }).catch((e: { stderr: string }) => e);
    assert.match((res as { stderr: string }).stderr, /Unauthorized/);
    // No credentials at all is system:anonymous, which RBAC (--authorization-mode=Node,RBAC) lets read nothing.
    const anonymous = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(`${server}/api/v1/namespaces`, { ca: readFileSync(join(dataDir, 'pki', 'ca.crt')) }, (r) => {
        let body = '';
        r.on('data', (d: Buffer) => (body += d));
        r.on('end', () => resolve({ status: r.statusCode, body }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(anonymous.status, 403, anonymous.body);
    assert.match(
      anonymous.body,
      /namespaces is forbidden: User \\"system:anonymous\\" cannot list resource \\"namespaces\\" in API group \\"\\" at the cluster scope/,
    );
  });

  it('a second up finds it running; down stops every process by PID; up again keeps the objects', async () => {
    const again = await timonel(['up', ...flags]);
    assert.match(again.stdout, /etcd: already running/);
    const before = pids();
    const down = await timonel(['down', ...flags]);
    assert.match(down.stdout, /kubelet: stopped/);
    assert.match(down.stdout, /containerd: stopped/);
    assert.match(down.stdout, /scheduler: stopped/);
    assert.match(down.stdout, /controller-manager: stopped/);
    assert.match(down.stdout, /apiserver: stopped/);
    assert.match(down.stdout, /etcd: stopped/);
    for (const pid of before) assert.equal(isAlive(pid), false, `pid ${pid} still running`);
    await timonel(['up', ...flags]);
    const cm = (await kubectl(['get', 'configmap', 'survivor', '-o', 'jsonpath={.data.k}'])).stdout;
    assert.equal(cm, 'v');
  });

  it('names the port in use when it cannot start', async () => {
    const other = mkdtempSync(join(tmpdir(), 'timonel-up-busy-'));
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const busy = (blocker.address() as { port: number }).port;
    try {
      const res = await timonel(['up', '--data-dir', other, '--etcd-client-port', String(busy), '--etcd-peer-port', String(await freePort())]).catch(
        (e: { stderr: string; code: number }) => e,
      );
      assert.equal((res as { code: number }).code, 1);
      assert.match((res as { stderr: string }).stderr, new RegExp(`port 127\\.0\\.0\\.1:${busy} is already in use`));
    } finally {
      blocker.close();
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('down --purge removes the state, the bridge and every mount', async () => {
    await timonel(['down', ...flags, '--purge']);
    assert.equal(existsSync(dataDir), false);
    const links = (await run('ip', ['-br', 'link'])).stdout;
    assert.doesNotMatch(links, /tmnl-e2e1/);
    assert.doesNotMatch((await run('iptables-save')).stdout, /KUBE-/);
    assert.match((await run('ip', ['-4', 'route', 'show', '10.96.0.0/12'])).stdout, /blackhole/);
    assert.doesNotMatch(readFileSync('/proc/self/mountinfo', 'utf8'), new RegExp(dataDir));
  });
});
