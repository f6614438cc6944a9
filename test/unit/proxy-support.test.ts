// The proxy's smaller parts: the rate-limited sync runner, --cleanup's restore
// input, sysctl handling, /healthz, flag durations.
import { afterEach, beforeEach, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { BoundedFrequencyRunner } from '../../pkg/proxy/boundedfrequencyrunner.js';
import { cleanupRestoreData } from '../../pkg/proxy/iptables/cleanup.js';
import { ensureSysctl, IP_FORWARD } from '../../pkg/proxy/sysctl.js';
import { ProxierHealthServer } from '../../pkg/proxy/healthcheck.js';
import { parseDuration } from '../../pkg/proxy/server.js';
import type { CommandRunner } from '../../pkg/proxy/exec.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// On jest's fake clock: the runner's timers fire at their due times however busy the machine is.
describe('BoundedFrequencyRunner', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });
  const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);

  it('runs a burst at once, then no more than one run per minInterval, and never two at a time', async () => {
    const starts: number[] = [];
    let running = 0;
    let overlapped = false;
    const r = new BoundedFrequencyRunner(
      async () => {
        if (running) overlapped = true;
        running++;
        starts.push(Date.now());
        await sleep(5);
        running--;
      },
      300,
      60_000,
      2,
    );
    r.loop();
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) {
      r.run();
      await advance(10);
    }
    await advance(450);
    await r.stop();
    assert.ok(!overlapped);
    // Two from the burst at once; the other requests fold into rate-limited runs.
    assert.deepEqual(
      starts.map((s) => s - t0),
      [0, 10, 300],
      'the burst, then one run when the next token is due',
    );
  });

  it('runs after maxInterval with no request, and retryAfter brings a run forward', async () => {
    let runs = 0;
    const r = new BoundedFrequencyRunner(
      async () => {
        runs++;
      },
      0,
      200,
      2,
    );
    r.loop();
    await advance(199);
    assert.equal(runs, 0);
    await advance(1);
    assert.equal(runs, 1);
    r.retryAfter(20);
    await advance(20);
    assert.equal(runs, 2, 'the retry did not wait for maxInterval');
    await r.stop();
    await advance(1000);
    assert.equal(runs, 2, 'nothing runs after stop');
  });
});

describe('cleanup', () => {
  const save = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':DOCKER - [0:0]',
    ':KUBE-SERVICES - [0:0]',
    ':KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]',
    ':KUBE-POSTROUTING - [0:0]',
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    '-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -j KUBE-SVC-XPGD46QRK7WJZT7O',
    '-A DOCKER -i docker0 -j RETURN',
    'COMMIT',
  ].join('\n');

  it('flushes and removes every KUBE-* chain and the jumps into them, and nothing else', () => {
    const { data, chains, jumps } = cleanupRestoreData('nat', save);
    assert.deepEqual(chains, ['KUBE-SERVICES', 'KUBE-SVC-XPGD46QRK7WJZT7O', 'KUBE-POSTROUTING']);
    assert.deepEqual(jumps.length, 2);
    assert.deepEqual(data.trim().split('\n'), [
      '*nat',
      ':KUBE-SERVICES - [0:0]',
      ':KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]',
      ':KUBE-POSTROUTING - [0:0]',
      '-D PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-D POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
      '-X KUBE-SERVICES',
      '-X KUBE-SVC-XPGD46QRK7WJZT7O',
      '-X KUBE-POSTROUTING',
      'COMMIT',
    ]);
  });

  it('writes nothing for a table without KUBE-* chains', () => {
    assert.equal(cleanupRestoreData('filter', '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n').data, '');
  });
});

function sysctlRunner(values: Record<string, string>, writable: boolean): CommandRunner & { writes: string[] } {
  const writes: string[] = [];
  return {
    description: 'ip netns exec test',
    writes,
    async run(cmd, args) {
      assert.equal(cmd, 'sysctl');
      if (args[0] === '-n')
        return values[args[1]] === undefined
          ? { code: 255, stdout: '', stderr: `sysctl: cannot stat /proc/sys/${args[1].replace(/\./g, '/')}: No such file or directory` }
          : { code: 0, stdout: values[args[1]] + '\n', stderr: '' };
      writes.push(args[1]);
      return writable ? { code: 0, stdout: '', stderr: '' } : { code: 255, stdout: '', stderr: 'sysctl: permission denied on key "net.ipv4.ip_forward"' };
    },
  };
}

describe('sysctls', () => {
  it('sets a setting only when it differs', async () => {
    const on = sysctlRunner({ 'net.ipv4.ip_forward': '1' }, true);
    assert.equal(await ensureSysctl(on, IP_FORWARD), 'unchanged');
    assert.deepEqual(on.writes, []);
    const off = sysctlRunner({ 'net.ipv4.ip_forward': '0' }, true);
    assert.equal(await ensureSysctl(off, IP_FORWARD), 'set');
    assert.deepEqual(off.writes, ['net.ipv4.ip_forward=1']);
  });

  it('says which setting, why, and what to do when it cannot set it', async () => {
    await assert.rejects(ensureSysctl(sysctlRunner({ 'net.ipv4.ip_forward': '0' }, false), IP_FORWARD), (err: Error) => {
      assert.match(err.message, /cannot set sysctl net\.ipv4\.ip_forward=1 \(in ip netns exec test\): sysctl: permission denied/);
      assert.match(err.message, /forwarded/);
      assert.match(err.message, /sysctl -w net\.ipv4\.ip_forward=1/);
      return true;
    });
    await assert.rejects(ensureSysctl(sysctlRunner({}, true), IP_FORWARD), /cannot read sysctl net\.ipv4\.ip_forward .*No such file/);
  });
});

describe('/healthz', () => {
  it('is healthy until a queued update waits longer than the timeout', () => {
    let now = 1000;
    const h = new ProxierHealthServer(60_000, () => now);
    h.updated();
    assert.ok(h.isHealthy());
    h.queuedUpdate();
    now += 59_000;
    assert.ok(h.isHealthy());
    now += 2000;
    assert.ok(!h.isHealthy());
    h.updated();
    assert.ok(h.isHealthy());
    assert.deepEqual(Object.keys(h.status()), ['lastUpdated', 'currentTime', 'nodeEligible']);
  });
});

describe('durations', () => {
  it('parses Go durations and rejects the rest', () => {
    assert.equal(parseDuration('1s'), 1000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration('0'), 0);
    assert.throws(() => parseDuration('10'), /bad duration "10"/);
    assert.throws(() => parseDuration('1x'), /bad duration/);
  });
});

describe('chain listing', () => {
  it("reads one table's chain names from `nft list chains ip`", async () => {
    const { chainsFromNftList } = await import('../../pkg/proxy/iptables/iptables.js');
    const text = [
      'table ip filter {',
      '\tchain INPUT {',
      '\t\ttype filter hook input priority filter; policy accept;',
      '\t}',
      '\tchain KUBE-SERVICES {',
      '\t}',
      '}',
      'table ip nat {',
      '\tchain KUBE-SERVICES {',
      '\t}',
      '\tchain KUBE-SVC-XPGD46QRK7WJZT7O {',
      '\t}',
      '}',
    ].join('\n');
    assert.deepEqual(chainsFromNftList(text, 'nat'), ['KUBE-SERVICES', 'KUBE-SVC-XPGD46QRK7WJZT7O']);
    assert.deepEqual(chainsFromNftList(text, 'filter'), ['INPUT', 'KUBE-SERVICES']);
  });
});
