// The audit policy: reading and validating audit.k8s.io/v1 Policy files, and
// matching rules to requests with k8s.io/apiserver's semantics (first matching rule
// wins, no match is None, subresource and wildcard forms, non-resource URL prefixes,
// omitStages and omitManagedFields from rule and policy).
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyRuleEvaluator, ruleMatches, type PolicyAttributes } from '../../pkg/apiserver/audit/evaluator.js';
import { loadPolicyFile, parsePolicy, type PolicyRule } from '../../pkg/apiserver/audit/policy.js';
import { DEFAULT_AUDIT_POLICY } from '../../pkg/cluster/auditpolicy.js';

function rule(r: Partial<PolicyRule>): PolicyRule {
  return { level: 'Metadata', users: [], userGroups: [], verbs: [], resources: [], namespaces: [], nonResourceURLs: [], omitStages: [], ...r };
}

function resourceRequest(a: Partial<PolicyAttributes>): PolicyAttributes {
  return {
    user: { name: 'tim', groups: ['humans', 'system:authenticated'] },
    verb: 'get',
    isResourceRequest: true,
    path: '',
    apiGroup: '',
    namespace: 'default',
    resource: 'pods',
    subresource: '',
    name: 'nginx',
    ...a,
  };
}

function nonResourceRequest(path: string, a: Partial<PolicyAttributes> = {}): PolicyAttributes {
  return { ...resourceRequest({}), isResourceRequest: false, path, namespace: '', resource: '', name: '', ...a };
}

const podGet = resourceRequest({});
const podLog = resourceRequest({ subresource: 'log' });
const podStatus = resourceRequest({ subresource: 'status', verb: 'update' });
const secretList = resourceRequest({ verb: 'list', resource: 'secrets', name: '', namespace: 'kube-system' });
const deployment = resourceRequest({ apiGroup: 'apps', resource: 'deployments', name: 'web' });
const nodeGet = resourceRequest({ resource: 'nodes', namespace: '', name: 'n1' });
const healthz = nonResourceRequest('/healthz/etcd');
const metrics = nonResourceRequest('/metrics');
const anonymous = resourceRequest({ user: undefined });

describe('audit policy rules match as upstream', () => {
  it.each([
    ['an empty rule matches everything', rule({}), [podGet, podLog, healthz, anonymous], []],
    ['users', rule({ users: ['tim'] }), [podGet, healthz], [resourceRequest({ user: { name: 'other', groups: [] } }), anonymous]],
    [
      'userGroups: any one group',
      rule({ userGroups: ['robots', 'humans'] }),
      [podGet],
      [resourceRequest({ user: { name: 'tim', groups: ['robots2'] } }), anonymous],
    ],
    ['verbs', rule({ verbs: ['get', 'watch'] }), [podGet, healthz], [secretList, podStatus]],
    ['namespaces: resource requests only', rule({ namespaces: ['default'] }), [podGet, podLog], [secretList, healthz, nodeGet]],
    ["namespaces: '' is non-namespaced", rule({ namespaces: [''] }), [nodeGet], [podGet]],
    [
      'resources: group with no resources is the whole group',
      rule({ resources: [{ group: 'apps', resources: [], resourceNames: [] }] }),
      [deployment],
      [podGet],
    ],
    [
      'resources: plural does not match a subresource',
      rule({ resources: [{ group: '', resources: ['pods'], resourceNames: [] }] }),
      [podGet],
      [podLog, podStatus, healthz],
    ],
    ['resources: pods/log', rule({ resources: [{ group: '', resources: ['pods/log'], resourceNames: [] }] }), [podLog], [podGet, podStatus]],
    [
      'resources: * matches subresources too',
      rule({ resources: [{ group: '', resources: ['*'], resourceNames: [] }] }),
      [podGet, podLog, secretList],
      [deployment],
    ],
    ['resources: */status', rule({ resources: [{ group: '', resources: ['*/status'], resourceNames: [] }] }), [podStatus], [podGet, podLog]],
    // As upstream: resource/* matches the resource itself as well as its subresources.
    [
      'resources: pods/*',
      rule({ resources: [{ group: '', resources: ['pods/*'], resourceNames: [] }] }),
      [podLog, podStatus, podGet],
      [secretList, deployment],
    ],
    [
      'resources: resourceNames',
      rule({ resources: [{ group: '', resources: ['pods'], resourceNames: ['nginx'] }] }),
      [podGet],
      [resourceRequest({ name: 'other' }), secretList],
    ],
    ['resources: the core group is not another group', rule({ resources: [{ group: '', resources: ['deployments'], resourceNames: [] }] }), [], [deployment]],
    [
      'nonResourceURLs: exact and trailing *',
      rule({ nonResourceURLs: ['/metrics', '/healthz*'] }),
      [healthz, metrics],
      [nonResourceRequest('/readyz'), podGet],
    ],
    ['nonResourceURLs: *', rule({ nonResourceURLs: ['*'] }), [healthz], [podGet]],
    [
      'all fields must match',
      rule({ users: ['tim'], verbs: ['list'], resources: [{ group: '', resources: ['secrets'], resourceNames: [] }] }),
      [secretList],
      [podGet],
    ],
  ])('%s', (_name, r, matching, notMatching) => {
    for (const a of matching) expect(ruleMatches(r, a)).toBe(true);
    for (const a of notMatching) expect(ruleMatches(r, a)).toBe(false);
  });

  it('the first matching rule gives the level; none matching is None, with the policy omitStages', () => {
    const e = new PolicyRuleEvaluator(
      parsePolicy(`
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
omitManagedFields: true
rules:
  - level: None
    users: [system:kube-proxy]
    verbs: [watch]
  - level: RequestResponse
    resources:
      - group: ""
        resources: [configmaps]
    omitStages: [ResponseStarted]
    omitManagedFields: false
  - level: Metadata
    resources:
      - group: ""
        resources: [secrets]
`),
    );
    const proxyWatch = resourceRequest({ user: { name: 'system:kube-proxy', groups: [] }, verb: 'watch', resource: 'configmaps', name: '' });
    expect(e.evaluate(proxyWatch).level).toBe('None');
    const cm = e.evaluate(resourceRequest({ resource: 'configmaps' }));
    expect(cm.level).toBe('RequestResponse');
    expect([...cm.omitStages].sort()).toEqual(['RequestReceived', 'ResponseStarted']);
    expect(cm.omitManagedFields).toBe(false);
    const secret = e.evaluate(secretList);
    expect(secret).toEqual({ level: 'Metadata', omitStages: ['RequestReceived'], omitManagedFields: true });
    expect(e.evaluate(podGet)).toEqual({ level: 'None', omitStages: ['RequestReceived'], omitManagedFields: true });
  });

  it("timonel up's default policy audits every request at Metadata", () => {
    const e = new PolicyRuleEvaluator(parsePolicy(DEFAULT_AUDIT_POLICY));
    for (const a of [podGet, healthz, anonymous, secretList]) expect(e.evaluate(a).level).toBe('Metadata');
  });
});

describe('audit policy files are read and validated at start', () => {
  it('reads YAML and JSON', () => {
    const json = parsePolicy(JSON.stringify({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Request', verbs: ['create'] }] }));
    expect(json.rules[0]).toMatchObject({ level: 'Request', verbs: ['create'], users: [] });
    expect(json.omitManagedFields).toBe(false);
  });

  it.each([
    [
      'an unknown level',
      'rules:\n  - level: Everything',
      'rules[0].level: Unsupported value: "Everything": supported values: "None", "Metadata", "Request", "RequestResponse"',
    ],
    ['a missing level', 'rules:\n  - verbs: [get]', 'rules[0].level: Required value'],
    [
      'a bad rule stage',
      'rules:\n  - level: None\n    omitStages: [ResponseDone]',
      'rules[0].omitStages[0]: Invalid value: "ResponseDone": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic',
    ],
    ['a bad policy stage', 'omitStages: [Started]\nrules:\n  - level: None', 'omitStages[0]: Invalid value: "Started": allowed stages are'],
    ['no rules', 'rules: []', 'loaded illegal policy with 0 rules'],
    ['a URL without /', 'rules:\n  - level: None\n    nonResourceURLs: [healthz]', "non-resource URL rules must begin with a '/' character"],
    [
      'a * inside a URL',
      'rules:\n  - level: None\n    nonResourceURLs: ["/api/*/x"]',
      "non-resource URL wildcards '*' must be the final character of the rule",
    ],
    [
      'URLs and resources in one rule',
      'rules:\n  - level: None\n    nonResourceURLs: ["/x"]\n    namespaces: [a]',
      'rules cannot apply to both regular resources and non-resource URLs',
    ],
    [
      'resourceNames without resources',
      'rules:\n  - level: None\n    resources: [{group: "", resourceNames: [a]}]',
      'using resourceNames requires at least one resource',
    ],
    ['a group with a version', 'rules:\n  - level: None\n    resources: [{group: "apps/v1"}]', 'rules[0].resources.group: Invalid value: "apps/v1"'],
  ])('refuses %s', (_name, body, message) => {
    expect(() => parsePolicy(`apiVersion: audit.k8s.io/v1\nkind: Policy\n${body}\n`)).toThrow(message);
  });

  it('refuses another kind or version, and names every field at fault', () => {
    expect(() => parsePolicy('apiVersion: v1\nkind: Policy\nrules: [{level: None}]')).toThrow('unknown group version field');
    expect(() => parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Event\nrules: [{level: None}]')).toThrow('want apiVersion audit.k8s.io/v1, kind Policy');
    expect(() => parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Lots}, {level: None, omitStages: [X]}]')).toThrow(
      /^\[rules\[0\]\.level: Unsupported value: "Lots".*, rules\[1\]\.omitStages\[0\]: Invalid value: "X"/,
    );
  });

  it('names the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'timonel-audit-policy-'));
    try {
      const path = join(dir, 'policy.yaml');
      writeFileSync(path, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Loud}]\n');
      expect(() => loadPolicyFile(path)).toThrow(`: from file ${path}`);
      expect(() => loadPolicyFile(join(dir, 'missing.yaml'))).toThrow('failed to read audit policy file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
