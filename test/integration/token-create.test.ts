// `timonel token create` against a real apiserver (bootstrap-token authentication
// on): the Secret it stores is kubeadm's, the token it prints authenticates as
// system:bootstrap:<id> in its groups, the join command pins the cluster CA with
// the hash openssl computes over its SubjectPublicKeyInfo, and bad flags or a
// token id in use are refused with kubeadm's words.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { request, startCluster, type TestCluster } from '../support/cluster.js';

const run = promisify(execFile);
const TIMONEL = new URL('../../cmd/timonel/main.js', import.meta.url).pathname;
const JSON_HDR = { 'content-type': 'application/json' };

jest.setTimeout(90_000);
describe('timonel token create', () => {
  let c: TestCluster;

  const timonel = (args: string[]) =>
    run(process.execPath, [TIMONEL, 'token', 'create', `--kubeconfig=${c.kubeconfig}`, ...args]).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  /** The hash `openssl x509 -pubkey | openssl pkey -pubin -outform der | sha256sum` gives for the CA. */
  async function opensslHash(): Promise<string> {
    // The PEM goes in through the environment: execFile's promise form has no stdin.
    const { stdout: out } = await run('sh', ['-c', `printf '%s' "$CA" | openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | sha256sum`], {
      env: { ...process.env, CA: c.caCert },
    });
    return `sha256:${out.split(' ')[0]}`;
  }

  const secretData = async (id: string): Promise<Map<string, string>> => {
    const res = await request(c, 'GET', `/api/v1/namespaces/kube-system/secrets/bootstrap-token-${id}`);
    assert.equal(res.status, 200, res.body);
    const s = res.json() as { type: string; data: Record<string, string> };
    assert.equal(s.type, 'bootstrap.kubernetes.io/token');
    return new Map(Object.entries(s.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
  };

  beforeAll(async () => {
    c = await startCluster({ enableBootstrapTokenAuth: true });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('stores the token as kubeadm does and prints it with the join command', async () => {
    const before = Date.now();
    const r = await timonel([]);
    assert.equal(r.code, 0, r.stderr);
    const [token, join] = r.stdout.trim().split('\n');
    const m = /^([a-z0-9]{6})\.([a-z0-9]{16})$/.exec(token);
    assert.ok(m, token);
    const hash = await opensslHash();
    assert.match(hash, /^sha256:[0-9a-f]{64}$/);
    assert.equal(join, `timonel join --server ${c.url} --token ${token} --discovery-token-ca-cert-hash ${hash}`);

    const data = await secretData(m[1]);
    assert.equal(data.get('token-id'), m[1]);
    assert.equal(data.get('token-secret'), m[2]);
    assert.equal(data.get('usage-bootstrap-signing'), 'true');
    assert.equal(data.get('usage-bootstrap-authentication'), 'true');
    assert.equal(data.get('auth-extra-groups'), 'system:bootstrappers:kubeadm:default-node-token');
    const expires = Date.parse(data.get('expiration') ?? '');
    assert.ok(Math.abs(expires - (before + 24 * 3600_000)) < 60_000, data.get('expiration'));

    // The token authenticates, as a joining kubelet will use it.
    const who = await request(c, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
      headers: { ...JSON_HDR, authorization: `Bearer ${token}` },
    });
    assert.equal(who.status, 201, who.body);
    const user = (who.json() as { status: { userInfo: { username: string; groups: string[] } } }).status.userInfo;
    assert.equal(user.username, `system:bootstrap:${m[1]}`);
    assert.ok(user.groups.includes('system:bootstrappers:kubeadm:default-node-token'), user.groups.join(','));
  });

  it('takes a given token, --ttl 0 (no expiry), --usages, --groups and --description', async () => {
    const r = await timonel([
      'abcdef.0123456789abcdef',
      '--ttl=0',
      '--usages=authentication',
      '--groups=system:bootstrappers:workers',
      '--description=for the workers',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[0], 'abcdef.0123456789abcdef');
    const data = await secretData('abcdef');
    assert.equal(data.has('expiration'), false);
    assert.equal(data.has('usage-bootstrap-signing'), false);
    assert.equal(data.get('usage-bootstrap-authentication'), 'true');
    assert.equal(data.get('auth-extra-groups'), 'system:bootstrappers:workers');
    assert.equal(data.get('description'), 'for the workers');
  });

  it("refuses what kubeadm refuses, in kubeadm's words", async () => {
    const cases: Array<[string[], string]> = [
      [['abcdef.0123456789abcdef'], 'a token with id "abcdef" already exists'],
      [['ABCDEF.0123456789abcdef'], 'the bootstrap token "ABCDEF.0123456789abcdef" was not of the form'],
      [['--usages=signing,banana'], 'invalid bootstrap token usage string: banana, valid usage options: signing,authentication'],
      [['--groups=system:nodes'], 'bootstrap group "system:nodes" is invalid'],
      [['--ttl=soon'], 'bad duration "soon"'],
    ];
    for (const [args, message] of cases) {
      const r = await timonel(args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
      assert.ok(r.stderr.includes(message), `${args.join(' ')}: ${r.stderr}`);
    }
  });
});
