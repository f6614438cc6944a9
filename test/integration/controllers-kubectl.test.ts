// The whole controller-manager under the real kubectl: the upstream examples
// applied together, and `kubectl get deploy,rs,sts,ds,job,cronjob,hpa,pvc`
// showing the columns and the truth the controllers wrote.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import type { ControllerManager } from '../../pkg/controller/manager.js';
import { logger } from '../../pkg/util/log.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { startManager, until } from '../support/controllers.js';

const EXAMPLES = [
  'application/deployment.yaml',
  'controllers/frontend.yaml',
  'application/web/web.yaml',
  'application/basic-daemonset.yaml',
  'application/job/indexed-job-vol.yaml',
  'application/job/cronjob.yaml',
  'controllers/hpa-rs.yaml',
  'pods/storage/pv-claim.yaml',
];

jest.setTimeout(120_000);
describe('controllers seen through kubectl', () => {
  let c: TestCluster;
  let m: ControllerManager;
  beforeAll(async () => {
    c = await startCluster();
    m = await startManager(c, ['*'], { localPathDir: `${c.dir}/local-path`, log: logger('controllers-kubectl-test', -1) });
    for (const f of EXAMPLES) await c.kubectl(['apply', '-f', `test/fixtures/examples/${f}`]);
  });
  afterAll(async () => {
    await m?.stop();
    await c?.stop();
  });

  it('get deploy,rs,sts,ds,job,cronjob,hpa,pvc', async () => {
    // Wait for what the controllers make without a kubelet: replica sets, pods, the first StatefulSet pod, job pods.
    await until(
      'controllers to act',
      async () => {
        const pods = (await c.kubectl(['get', 'pods', '-o', 'name'])).stdout;
        return /pod\/nginx-deployment-/.test(pods) && /pod\/frontend-/.test(pods) && /pod\/web-0/.test(pods) && /pod\/indexed-job-/.test(pods);
      },
      20_000,
      200,
    );
    const out = (await c.kubectl(['get', 'deploy,rs,sts,ds,job,cronjob,hpa,pvc'])).stdout;
    const sections = out.trim().split(/\n\s*\n/);
    const header = (prefix: string) => sections.find((s) => s.split('\n')[1]?.startsWith(prefix))?.split('\n')[0] ?? '';
    assert.match(header('deployment.apps/'), /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    assert.match(header('replicaset.apps/'), /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/);
    assert.match(header('statefulset.apps/'), /^NAME\s+READY\s+AGE$/);
    assert.match(header('job.batch/'), /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/);
    assert.match(header('cronjob.batch/'), /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/);
    assert.match(header('horizontalpodautoscaler.autoscaling/'), /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE$/);
    assert.match(header('persistentvolumeclaim/'), /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE$/);
    assert.match(out, /deployment\.apps\/nginx-deployment\s+0\/2\s+2\s+0\s+/, 'two up-to-date replicas, none ready without a kubelet');
    assert.match(out, /replicaset\.apps\/nginx-deployment-\w+\s+2\s+2\s+0\s+/);
    assert.match(out, /replicaset\.apps\/frontend\s+3\s+3\s+0\s+/);
    assert.match(out, /statefulset\.apps\/web\s+0\/2\s+/, 'ordered start waits for web-0');
    assert.match(out, /job\.batch\/indexed-job\s+Running\s+0\/5\s+/);
    // Every minute: when the test spans a minute boundary, the first Job is already active.
    assert.match(out, /cronjob\.batch\/hello\s+\* \* \* \* \*\s+<none>\s+False\s+(0\s+<none>|1\s+\d+s)\s+/);
    assert.match(out, /persistentvolumeclaim\/task-pv-claim\s+Pending\s+/, 'no PersistentVolume with class manual exists');
    // The DaemonSet has no nodes to run on, so it lists with zeroes.
    const ds = (await c.kubectl(['get', 'ds'])).stdout;
    assert.match(ds, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\n\S+\s+0\s+0\s+0\s+0\s+0\s+<none>\s+/);
  });
});
