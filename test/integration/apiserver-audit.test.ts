// The audit log (--audit-log-path, --audit-policy-file) of a real apiserver, with
// the real kubectl acting as users of static tokens: a policy that audits
// ConfigMaps at RequestResponse, Secrets at Metadata and nothing for one user
// writes exactly those events, with the stages, user, verb, objectRef, response
// code, source address and objects upstream writes; a watch has ResponseStarted;
// a failed authentication is audited with no user.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { until } from '../support/controllers.js';
import { writeAuditPolicy } from '../support/audit.js';

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  # Nothing at all for this user, whatever it does.
  - level: None
    users: [quiet-user]
  - level: RequestResponse
    omitManagedFields: true
    resources:
      - group: ""
        resources: [configmaps]
  - level: Metadata
    resources:
      - group: ""
        resources: [secrets]
`;

interface AuditLine {
  kind: string;
  apiVersion: string;
  level: string;
  auditID: string;
  stage: string;
  requestURI: string;
  verb: string;
  user: { username?: string; uid?: string; groups?: string[] };
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: Record<string, string>;
  responseStatus?: { metadata: object; code: number; status?: string; reason?: string; message?: string };
  requestObject?: { metadata?: { name?: string; managedFields?: unknown }; data?: Record<string, string> };
  responseObject?: { metadata?: { name?: string; uid?: string; managedFields?: unknown }; data?: Record<string, string> };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

describe('audit log with a policy, through the real kubectl', () => {
  let c: TestCluster;
  let logPath: string;
  const events = (): AuditLine[] =>
    readFileSync(logPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditLine);

  function tokenKubeconfig(user: string, token: string): string {
    const file = join(c.dir, `${user}.kubeconfig`);
    const ca = Buffer.from(c.caCert).toString('base64');
    writeFileSync(
      file,
      `apiVersion: v1
kind: Config
clusters: [{name: t, cluster: {server: "${c.url}", certificate-authority-data: ${ca}}}]
users: [{name: ${user}, user: {token: ${token}}}]
contexts: [{name: t, context: {cluster: t, user: ${user}, namespace: default}}]
current-context: t
`,
      { mode: 0o600 },
    );
    return file;
  }

  beforeAll(async () => {
    c = await startCluster({
      tokens: [
        { token: 'viewer-token', user: { name: 'viewer-a', uid: 'uid-viewer-a', groups: ['team-a', 'system:authenticated'] } },
        { token: 'quiet-token', user: { name: 'quiet-user', groups: ['system:authenticated'] } },
      ],
    });
    // The policy and log are given on a restart, as the flags are at start.
    logPath = join(c.dir, 'audit.log');
    await c.restartServer({ auditLogPath: logPath, auditPolicyFile: writeAuditPolicy(c.dir, POLICY) });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('a kubectl create by viewer-a is logged with its user name at the policy level: RequestReceived and ResponseComplete', async () => {
    const viewer = tokenKubeconfig('viewer-a', 'viewer-token');
    await c.kubectl(['--kubeconfig', viewer, 'create', 'configmap', 'audited', '--from-literal=colour=blue']);
    // The request names the object only in its body: RequestReceived, written before it is read, has no name.
    const mine = await until('both events of the create', () => {
      const all = events();
      const done = all.find((x) => x.verb === 'create' && x.objectRef?.name === 'audited');
      return done && all.filter((x) => x.auditID === done.auditID);
    });
    expect(mine).toHaveLength(2);
    const [received, complete] = mine;
    expect(received.auditID).toBe(complete.auditID);
    expect(received.auditID).toMatch(/^[0-9a-f-]{36}$/);
    for (const e of mine) {
      expect(e.kind).toBe('Event');
      expect(e.apiVersion).toBe('audit.k8s.io/v1');
      expect(e.level).toBe('RequestResponse');
      expect(e.user).toEqual({ username: 'viewer-a', uid: 'uid-viewer-a', groups: ['team-a', 'system:authenticated'] });
      expect(e.verb).toBe('create');
      expect(e.requestURI).toMatch(/^\/api\/v1\/namespaces\/default\/configmaps\?/);
      expect(e.sourceIPs).toEqual(['127.0.0.1']);
      expect(e.userAgent).toMatch(/^kubectl\//);
      expect(e.requestReceivedTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    }
    expect(received.stage).toBe('RequestReceived');
    expect(received.objectRef).toEqual({ resource: 'configmaps', namespace: 'default', apiVersion: 'v1' });
    expect(complete.objectRef).toEqual({ resource: 'configmaps', namespace: 'default', name: 'audited', apiVersion: 'v1' });
    expect(received.responseStatus).toBeUndefined();
    expect(received.requestObject).toBeUndefined();
    expect(received.stageTimestamp).toBe(received.requestReceivedTimestamp);
    expect(complete.stage).toBe('ResponseComplete');
    expect(complete.responseStatus).toEqual({ metadata: {}, code: 201 });
    expect(complete.requestObject?.data).toEqual({ colour: 'blue' });
    expect(complete.responseObject?.metadata?.name).toBe('audited');
    expect(complete.responseObject?.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    // omitManagedFields: the stored object has them, the event does not.
    expect(complete.responseObject?.metadata?.managedFields).toBeUndefined();
    const stored = JSON.parse((await c.kubectl(['get', 'configmap', 'audited', '-o', 'json', '--show-managed-fields'])).stdout) as AuditLine['responseObject'];
    expect(stored?.metadata?.managedFields).toBeDefined();
    expect(complete.annotations).toEqual({ 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' });
  });

  it('Secrets are logged at Metadata: who and what, never the object', async () => {
    const viewer = tokenKubeconfig('viewer-a', 'viewer-token');
    await c.kubectl(['--kubeconfig', viewer, 'create', 'secret', 'generic', 'audited-secret', '--from-literal=password=hunter2']);
    const complete = await until('the secret create', () =>
      events().find((x) => x.verb === 'create' && x.objectRef?.name === 'audited-secret' && x.stage === 'ResponseComplete'),
    );
    expect(complete.level).toBe('Metadata');
    expect(complete.user.username).toBe('viewer-a');
    expect(complete.objectRef).toEqual({ resource: 'secrets', namespace: 'default', name: 'audited-secret', apiVersion: 'v1' });
    expect(complete.responseStatus).toEqual({ metadata: {}, code: 201 });
    expect(complete.requestObject).toBeUndefined();
    expect(complete.responseObject).toBeUndefined();
    const text = readFileSync(logPath, 'utf8');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(Buffer.from('hunter2').toString('base64'));
  });

  it('the None rule writes nothing for its user; requests no rule matches write nothing', async () => {
    const quiet = tokenKubeconfig('quiet-user', 'quiet-token');
    await c.kubectl(['--kubeconfig', quiet, 'create', 'configmap', 'unaudited']);
    await c.kubectl(['--kubeconfig', quiet, 'get', 'configmap', 'unaudited']);
    await c.kubectl(['get', 'pods']);
    // A later audited request shows the log has caught up.
    await c.kubectl(['get', 'configmap', 'audited']);
    await until('the marker get', () => events().find((x) => x.verb === 'get' && x.objectRef?.name === 'audited' && x.stage === 'ResponseComplete'));
    const all = events();
    expect(all.filter((x) => x.user.username === 'quiet-user')).toEqual([]);
    expect(all.filter((x) => x.objectRef?.name === 'unaudited')).toEqual([]);
    expect(all.filter((x) => x.objectRef?.resource === 'pods')).toEqual([]);
  });

  it('a watch is long-running: ResponseStarted when its answer starts, then ResponseComplete', async () => {
    const res = await request({ ...c, token: 'viewer-token' }, 'GET', '/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1');
    expect(res.status).toBe(200);
    const watch = await until('the three stages of the watch', () => {
      const e = events().filter((x) => x.verb === 'watch' && x.user.username === 'viewer-a');
      return e.length === 3 ? e : undefined;
    });
    expect(watch.map((e) => e.stage)).toEqual(['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
    expect(watch[1].responseStatus).toEqual({ metadata: {}, code: 200 });
    expect(watch[2].responseStatus).toEqual({ metadata: {}, code: 200 });
    // A watch's stream is no response object.
    expect(watch[2].responseObject).toBeUndefined();
  });

  it('a failed authentication is one ResponseStarted event with no user and the 401 status', async () => {
    const res = await request({ ...c, token: 'wrong-token' }, 'GET', '/api/v1/namespaces/default/configmaps', {
      headers: { 'x-forwarded-for': '192.0.2.7' },
    });
    expect(res.status).toBe(401);
    const auditID = res.headers['audit-id'];
    const e = await until('the 401 event', () => events().filter((x) => x.auditID === auditID));
    expect(e).toHaveLength(1);
    expect(e[0].stage).toBe('ResponseStarted');
    expect(e[0].user).toEqual({});
    expect(e[0].verb).toBe('list');
    expect(e[0].sourceIPs).toEqual(['192.0.2.7', '127.0.0.1']);
    expect(e[0].responseStatus).toEqual({ metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });

  it('a refused request at RequestResponse carries the Status as responseStatus and responseObject', async () => {
    const res = await request({ ...c, token: 'viewer-token' }, 'GET', '/api/v1/namespaces/default/configmaps/missing');
    expect(res.status).toBe(404);
    const e = await until('the 404 event', () => events().find((x) => x.auditID === res.headers['audit-id'] && x.stage === 'ResponseComplete'));
    expect(e.responseStatus).toMatchObject({ metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: 'configmaps "missing" not found' });
    expect(e.responseObject).toMatchObject({ kind: 'Status', code: 404 });
  });
});
