// The web view on a real `timonel up` node, in headless Chromium (Debian's
// chromium driven by playwright-core): the add-on's pod serves the page,
// `timonel dashboard` forwards to it and prints the URL, and the page follows the
// cluster live without a reload: node columns and running pods, a scale from 2
// to 5, a deleted pod's card going, and a log line printed after the log panel
// opened. A screenshot is saved in test-output/dashboard.png.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { which } from '../../pkg/cluster/process.js';
import { TIMONEL, timonelUp, type UpCluster } from '../support/upcluster.js';

const OUTPUT = fileURLToPath(new URL('../../../test-output/', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

jest.setTimeout(600_000);
describe('the web view in a browser', () => {
  let c: UpCluster;
  let forward: ChildProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let url = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assert.ok(which('chromium'), "Debian's chromium is needed: run make deps");
    c = await timonelUp({ podCIDR: '10.244.116.0/24', bridge: 'tmnl-e2e16' });
    await c.kubectl(['-n', 'kube-system', 'rollout', 'status', 'deployment/timonel-dashboard', '--timeout=180s']);
    // `timonel dashboard` as a user runs it (any free local port), until it prints the URL.
    const child = spawn(process.execPath, [TIMONEL, 'dashboard', '--port', '0', ...c.flags], { stdio: ['ignore', 'pipe', 'pipe'], env: c.env });
    forward = child;
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /web view: (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (code) => reject(new Error(`timonel dashboard exited ${code}: ${err}${out}`)));
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url);
  });

  afterAll(async () => {
    await browser?.close();
    forward?.kill('SIGTERM');
    await c?.down();
  });

  const cards = (prefix: string) => page.locator(`.card[data-key^="${prefix}"]`);

  it('shows every node column and the running pods', async () => {
    await c.kubectl(['create', 'deployment', 'web', '--image=nginx:1.14.2', '--replicas=2']);
    await c.kubectl(['rollout', 'status', 'deployment/web', '--timeout=180s']);
    const nodes = (await c.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout.split(' ');
    for (const n of nodes) await page.locator(`.node-column[data-column="${n}"]`).waitFor({ timeout: 15_000 });
    const running = (
      await c.kubectl([
        'get',
        'pods',
        '-A',
        '--field-selector=status.phase=Running',
        '-o',
        'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {end}',
      ])
    ).stdout
      .trim()
      .split(' ');
    assert.ok(
      running.some((k) => k.startsWith('kube-system/timonel-dashboard-')),
      'the web view runs as a pod',
    );
    for (const key of running) await page.locator(`.card[data-key="${key}"]`).waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => document.querySelectorAll('.card[data-key^="default/web-"][data-state="ready"]').length === 2, null, { timeout: 30_000 });
  });

  it('scaling the Deployment from 2 to 5 shows five cards without a reload', async () => {
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    const started = Date.now();
    await c.kubectl(['scale', 'deployment/web', '--replicas=5']);
    await page.waitForFunction(() => document.querySelectorAll('.card[data-key^="default/web-"]').length === 5, null, { timeout: 30_000 });
    process.stdout.write(`${JSON.stringify({ bench: 'dashboard-scale-2-to-5-cards-ms', value: Date.now() - started })}\n`);
    await page.waitForFunction(() => document.querySelectorAll('.card[data-key^="default/web-"][data-state="ready"]').length === 5, null, { timeout: 120_000 });
    assert.deepEqual(navigations, [], 'the page never reloaded');
  });

  it('deleting a pod removes its card', async () => {
    const key = await cards('default/web-').first().getAttribute('data-key');
    assert.ok(key);
    await c.kubectl(['delete', 'pod', key.split('/')[1], '--wait=true']);
    await page.locator(`.card[data-key="${key}"]`).waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('the log panel shows a line the pod printed after the panel opened', async () => {
    const marker = `printed-after-open-${Date.now()}`;
    await c.kubectl([
      'run',
      'talker',
      '--image=busybox:1.36',
      '--',
      'sh',
      '-c',
      `echo started; while [ ! -f /tmp/go ]; do sleep 0.2; done; echo ${marker}; sleep 3600`,
    ]);
    await c.kubectl(['wait', '--for=condition=Ready', 'pod/talker', '--timeout=120s']);
    await page.locator('.card[data-key="default/talker"]').click();
    await page.locator('#log', { hasText: 'started' }).waitFor({ timeout: 30_000 });
    assert.ok(!(await page.locator('#log').textContent())?.includes(marker), 'not printed yet');
    await c.kubectl(['exec', 'talker', '--', 'touch', '/tmp/go']);
    await page.locator('#log', { hasText: marker }).waitFor({ timeout: 30_000 });
    // The owner chain of a bare pod is the pod alone; a Deployment's pod shows all three.
    assert.equal((await page.locator('#owners').textContent())?.trim(), 'Pod talker');
    const web = await cards('default/web-').first().getAttribute('data-key');
    await page.locator(`.card[data-key="${web}"]`).click();
    await page.locator('#owners', { hasText: 'ReplicaSet' }).waitFor({ timeout: 15_000 });
    assert.match((await page.locator('#owners').textContent()) ?? '', /^Deployment web → ReplicaSet web-\S+ → Pod web-/);
    await page.locator('#events tr').first().waitFor({ timeout: 30_000 });
  });

  it('saves a screenshot of the page', async () => {
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: `${OUTPUT}dashboard.png`, fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
