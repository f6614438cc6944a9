// Every upstream example manifest (test/fixtures/examples) through the real kubectl: apply stores it,
// re-apply is unchanged, an edit is configured and changes only that field,
// server-side apply and diff work.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { EXAMPLES_DIR, exampleFiles } from '../support/examples.js';

interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

function docsOf(file: string): Doc[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJSON() as Doc)
    .filter((d) => d && d.kind);
}

// Namespaces some examples need to exist before they apply (their companions).
const COMPANIONS: Record<string, string[]> = {
  'access/delegated-certificate-signing-request/serviceaccount.yaml': ['access/delegated-certificate-signing-request/namespace.yaml'],
};

/** The object minus what the server changes on every write. */
function stable(o: Record<string, unknown>): unknown {
  const m = { ...(o.metadata as Record<string, unknown>) };
  for (const k of ['resourceVersion', 'managedFields', 'generation', 'annotations', 'labels']) delete m[k];
  return { ...o, metadata: m };
}

jest.setTimeout(600_000);
describe('kubectl apply of every example manifest', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  const files = exampleFiles();
  it('finds the examples', () => assert.ok(files.length >= 40, `only ${files.length} examples under ${EXAMPLES_DIR}`));

  files.forEach((file, i) => {
    const rel = relative(EXAMPLES_DIR, file);
    it(rel, async () => {
      const docs = docsOf(file);
      const named = docs.some((d) => d.metadata.namespace || d.kind === 'Namespace');
      const ns = `ex-${i}`;
      const nsArgs = named ? [] : ['-n', ns];
      if (!named) await c.kubectl(['apply', '-f', '-'], { input: `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n` });
      for (const companion of COMPANIONS[rel] ?? []) await c.kubectl(['apply', '-f', join(EXAMPLES_DIR, companion)]);

      const first = await c.kubectl(['apply', '-f', file, ...nsArgs]);
      assert.equal(first.stdout.trim().split('\n').length, docs.length, first.stdout);
      assert.match(first.stdout, /(created|configured|unchanged)/);

      // Re-applying writes nothing. kubectl still says "configured" where its client-side
      // patch replaces an atomic list the server defaults into (tolerations, downwardAPI
      // items, volumeClaimTemplates), exactly as against Kubernetes; the server must then
      // find the result unchanged and keep the resourceVersion.
      const versions = async () =>
        JSON.parse((await c.kubectl(['get', '-f', file, ...nsArgs, '-o', 'json'])).stdout) as {
          items?: Array<{ metadata: { resourceVersion: string } }>;
          metadata: { resourceVersion?: string };
        };
      const rvs = (l: Awaited<ReturnType<typeof versions>>) =>
        (l.items ? l.items.map((o) => o.metadata.resourceVersion) : [l.metadata.resourceVersion]).join(',');
      const beforeReapply = rvs(await versions());
      const second = await c.kubectl(['apply', '-f', file, ...nsArgs]);
      for (const line of second.stdout.trim().split('\n')) assert.match(line, / (unchanged|configured)$/, second.stdout);
      assert.equal(rvs(await versions()), beforeReapply, `re-apply wrote something: ${second.stdout}`);
      if (!/(pod-with-toleration|indexed-job-vol|web\/web)\.yaml$/.test(file)) {
        for (const line of second.stdout.trim().split('\n')) assert.match(line, / unchanged$/, second.stdout);
      }

      // Change one field (a label on the first object) and re-apply.
      const target = docs[0];
      const [group, version] = target.apiVersion.includes('/') ? target.apiVersion.split('/') : ['', target.apiVersion];
      const resourceArg = group ? `${target.kind}.${version}.${group}` : target.kind;
      const getArgs = ['get', resourceArg, target.metadata.name, '-o', 'json', ...(target.kind === 'Namespace' ? [] : ['-n', target.metadata.namespace ?? ns])];
      const before = JSON.parse((await c.kubectl(getArgs)).stdout) as Record<string, unknown>;
      const edited = docs.map((d, j) =>
        j === 0 ? { ...d, metadata: { ...d.metadata, labels: { ...(d.metadata.labels ?? {}), 'timonel.test/edited': 'edited-1' } } } : d,
      );
      const third = await c.kubectl(['apply', '-f', '-', ...nsArgs], { input: edited.map((d) => stringify(d)).join('---\n') });
      assert.match(third.stdout.trim().split('\n')[0], / configured$/, third.stdout);
      const afterEdit = JSON.parse((await c.kubectl(getArgs)).stdout) as Record<string, unknown>;
      const labels = (afterEdit.metadata as { labels?: Record<string, string> }).labels ?? {};
      assert.equal(labels['timonel.test/edited'], 'edited-1');
      assert.deepEqual(stable(afterEdit), stable(before), 'only the label changed');

      const ssa = await c.kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-', ...nsArgs], {
        input: edited.map((d) => stringify(d)).join('---\n'),
      });
      for (const line of ssa.stdout.trim().split('\n')) assert.match(line, /serverside-applied$/, ssa.stdout);

      const diff = await c.kubectl(['diff', '-f', '-', ...nsArgs], { input: edited.map((d) => stringify(d)).join('---\n'), allowFail: true });
      assert.equal(diff.code, 0, `kubectl diff reported differences or failed: ${diff.stderr}${diff.stdout}`);
    });
  });
});
