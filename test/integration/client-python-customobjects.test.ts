// Debian's python3-kubernetes CustomObjectsApi against custom resources: the program
// below creates, lists, patches (the object and its status) and deletes CronTabs, then
// watches from the list's resourceVersion with a timeout, printing one line per step;
// the assertions read those lines.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request, startCluster, type TestCluster } from '../support/cluster.js';

// Debian's interpreter, where python3-kubernetes is installed (hack/install-deps.sh).
const PYTHON = '/usr/bin/python3';

const PROGRAM = `
import sys
from kubernetes import client, config, watch

config.load_kube_config(sys.argv[1])
api = client.CustomObjectsApi()
G, V, NS, P = 'stable.example.com', 'v1', 'default', 'crontabs'

start = api.list_namespaced_custom_object(G, V, NS, P)
print('LIST', start['kind'], len(start['items']), flush=True)
rv = start['metadata']['resourceVersion']

for name, image in (('py-one', 'nginx:1'), ('py-two', 'redis:7')):
    body = {'apiVersion': G + '/' + V, 'kind': 'CronTab', 'metadata': {'name': name, 'labels': {'lang': 'python'}},
            'spec': {'cronSpec': '* * * * */5', 'image': image}}
    created = api.create_namespaced_custom_object(G, V, NS, P, body)
    print('CREATED', created['metadata']['name'], created['spec']['image'], created['spec']['replicas'], flush=True)

listed = api.list_namespaced_custom_object(G, V, NS, P, label_selector='lang=python')
print('LISTED', ' '.join(sorted(o['metadata']['name'] for o in listed['items'])), flush=True)

patched = api.patch_namespaced_custom_object(G, V, NS, P, 'py-one', {'spec': {'image': 'nginx:2'}})
print('PATCHED', patched['metadata']['name'], patched['spec']['image'], patched['metadata']['generation'], flush=True)

status = api.patch_namespaced_custom_object_status(G, V, NS, P, 'py-one', {'status': {'replicas': 3}})
print('STATUS', status['status']['replicas'], status['metadata']['generation'], flush=True)

got = api.get_namespaced_custom_object(G, V, NS, P, 'py-one')
print('GOT', got['spec']['image'], got['status']['replicas'], flush=True)

api.delete_namespaced_custom_object(G, V, NS, P, 'py-two')
print('DELETED py-two', flush=True)

w = watch.Watch()
for event in w.stream(api.list_namespaced_custom_object, G, V, NS, P, resource_version=rv, timeout_seconds=5):
    obj = event['object']
    print('EVENT', event['type'], obj['metadata']['name'], obj['spec']['image'], flush=True)
    if event['type'] == 'DELETED':
        w.stop()
print('DONE', flush=True)
`;

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: { cronSpec: { type: 'string' }, image: { type: 'string' }, replicas: { type: 'integer', default: 1 } },
              },
              status: { type: 'object', properties: { replicas: { type: 'integer' } } },
            },
          },
        },
      },
    ],
  },
};

describe('the Python client: CustomObjectsApi', () => {
  let c: TestCluster;
  let dir: string;
  beforeAll(async () => {
    c = await startCluster();
    dir = mkdtempSync(join(tmpdir(), 'timonel-python-'));
  });
  afterAll(async () => {
    await c?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates, lists, patches, deletes and watches custom objects', async () => {
    expect(existsSync(PYTHON)).toBe(true);
    const res = await request(c, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      body: JSON.stringify(CRD),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(201);
    const script = join(dir, 'customobjects.py');
    writeFileSync(script, PROGRAM);
    const { stdout } = await promisify(execFile)(PYTHON, [script, c.kubeconfig], { timeout: 60_000 });
    expect(stdout.trim().split('\n')).toEqual([
      'LIST CronTabList 0',
      'CREATED py-one nginx:1 1',
      'CREATED py-two redis:7 1',
      'LISTED py-one py-two',
      'PATCHED py-one nginx:2 2',
      // A status write does not move the generation.
      'STATUS 3 2',
      'GOT nginx:2 3',
      'DELETED py-two',
      'EVENT ADDED py-one nginx:1',
      'EVENT ADDED py-two redis:7',
      'EVENT MODIFIED py-one nginx:2',
      'EVENT MODIFIED py-one nginx:2',
      'EVENT DELETED py-two redis:7',
      'DONE',
    ]);
  });
});
