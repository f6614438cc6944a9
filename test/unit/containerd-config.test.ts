import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerdConfigText, containerdPaths, hostsToml, writeContainerdConfig } from '../../pkg/cluster/containerd.js';

type TomlValue = string | number | boolean | string[];
type TomlTable = { [k: string]: TomlValue | TomlTable };

/** Enough TOML for what the writer emits: [a."b.c".d] headers, key = string | bool | int | [strings]. */
function parseToml(text: string): TomlTable {
  const root: TomlTable = {};
  let cur = root;
  const splitKey = (s: string) =>
    [...s.matchAll(/"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_-]+)/g)].map((m) => (m[1] !== undefined ? (JSON.parse(`"${m[1]}"`) as string) : m[2]));
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      cur = root;
      for (const k of splitKey(header[1])) cur = (cur[k] ??= {}) as TomlTable;
      continue;
    }
    const kv = /^("[^"]*"|[A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(line);
    assert.ok(kv, `unparsable line: ${line}`);
    const key = splitKey(kv[1])[0];
    assert.equal(cur[key], undefined, `duplicate key ${key}`);
    cur[key] = JSON.parse(kv[2]) as TomlValue;
  }
  return root;
}

function table(t: TomlTable, ...path: string[]): TomlTable {
  let cur: TomlTable = t;
  for (const k of path) {
    const next = cur[k];
    assert.ok(next && typeof next === 'object' && !Array.isArray(next), `missing table ${path.join('.')}`);
    cur = next;
  }
  return cur;
}

test('containerdPaths keeps everything under the state dir', () => {
  const p = containerdPaths('/var/lib/timonel');
  assert.equal(p.socket, '/var/lib/timonel/containerd/containerd.sock');
  assert.equal(p.cniConfDir, '/var/lib/timonel/cni/net.d');
  assert.equal(p.cniBinDir, '/usr/lib/cni');
  for (const d of [p.root, p.state, p.configFile, p.certsDir]) assert.ok(d.startsWith('/var/lib/timonel/containerd/'), d);
});

test('config: own root/state/socket and the CRI settings this machine needs', () => {
  const p = containerdPaths('/srv/st');
  const cfg = parseToml(containerdConfigText(p, { snapshotter: 'native' }));
  assert.equal(cfg.version, 2);
  assert.equal(cfg.root, p.root);
  assert.equal(cfg.state, p.state);
  assert.equal(table(cfg, 'grpc').address, p.socket);
  assert.ok(Array.isArray(cfg.disabled_plugins));
  assert.ok(!JSON.stringify(cfg).includes('/run/containerd'), 'nothing may point at the system containerd');

  const cri = table(cfg, 'plugins', 'io.containerd.grpc.v1.cri');
  assert.equal(cri.restrict_oom_score_adj, true);
  assert.equal(cri.sandbox_image, 'registry.k8s.io/pause:3.9');
  assert.equal(cri.netns_mounts_under_state_dir, true);
  assert.equal(table(cri, 'containerd').snapshotter, 'native');
  assert.equal(table(cri, 'containerd', 'runtimes', 'runc').runtime_type, 'io.containerd.runc.v2');
  assert.equal(table(cri, 'containerd', 'runtimes', 'runc', 'options').Root, `${p.state}/runc`);
  assert.deepEqual(table(cri, 'cni'), { bin_dir: '/usr/lib/cni', conf_dir: '/srv/st/cni/net.d', max_conf_num: 1 });
  assert.equal(table(cri, 'registry').config_path, p.certsDir);
  assert.equal(table(cfg, 'plugins', 'io.containerd.internal.v1.opt').path, `${p.root}/opt`);
});

test('config: sandbox image, snapshotter and stream server are configurable', () => {
  const p = containerdPaths('/srv/st');
  const cfg = parseToml(containerdConfigText(p, { snapshotter: 'overlayfs', sandboxImage: 'registry.k8s.io/pause:3.6', streamServerPort: 10010 }));
  const cri = table(cfg, 'plugins', 'io.containerd.grpc.v1.cri');
  assert.equal(cri.sandbox_image, 'registry.k8s.io/pause:3.6');
  assert.equal(cri.stream_server_port, '10010');
  assert.equal(cri.stream_server_address, '127.0.0.1');
  assert.equal(table(cri, 'containerd').snapshotter, 'overlayfs');
});

test('hosts.toml sends pulls to the local mirror and, by default, nowhere else', () => {
  const d = parseToml(hostsToml('docker.io', 'http://127.0.0.1:5000'));
  assert.equal(d.server, 'http://127.0.0.1:5000');
  assert.deepEqual(table(d, 'host', 'http://127.0.0.1:5000').capabilities, ['pull', 'resolve']);
});

test('hosts.toml with upstream fallback names the real registry; docker.io is registry-1', () => {
  assert.equal(parseToml(hostsToml('docker.io', 'http://127.0.0.1:5000', true)).server, 'https://registry-1.docker.io');
  const k8s = parseToml(hostsToml('registry.k8s.io', 'http://127.0.0.1:5001', true));
  assert.equal(k8s.server, 'https://registry.k8s.io');
  assert.deepEqual(table(k8s, 'host', 'http://127.0.0.1:5001').capabilities, ['pull', 'resolve']);
});

test('writeContainerdConfig writes config.toml and one hosts.toml per mirrored host', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctrd-cfg-'));
  try {
    const p = writeContainerdConfig({ stateDir: dir, registryMirror: 'http://127.0.0.1:5000', snapshotter: 'native', mirroredHosts: ['docker.io', 'quay.io'] });
    assert.equal(p.snapshotter, 'native');
    assert.equal(parseToml(readFileSync(p.configFile, 'utf8')).root, p.root);
    assert.equal(parseToml(readFileSync(join(p.certsDir, 'quay.io', 'hosts.toml'), 'utf8')).server, 'http://127.0.0.1:5000');
    assert.match(readFileSync(join(p.certsDir, 'docker.io', 'hosts.toml'), 'utf8'), /\[host\."http:\/\/127\.0\.0\.1:5000"\]/);
    // The registry by its own address (what a Dockerfile build pushes to) is plain HTTP.
    const local = parseToml(readFileSync(join(p.certsDir, '127.0.0.1:5000', 'hosts.toml'), 'utf8'));
    assert.equal(local.server, 'http://127.0.0.1:5000');
    assert.deepEqual(table(local, 'host', 'http://127.0.0.1:5000').capabilities, ['pull', 'resolve']);
    // Every other host (containerd's `_default`) is the mirror too, so no pull leaves the machine.
    assert.equal(parseToml(readFileSync(join(p.certsDir, '_default', 'hosts.toml'), 'utf8')).server, 'http://127.0.0.1:5000');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with upstream fallback there is no catch-all: hosts not listed go to their own registries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctrd-cfg-'));
  try {
    const opts = { stateDir: dir, registryMirror: 'http://127.0.0.1:5000', snapshotter: 'native' as const, mirroredHosts: ['docker.io'] };
    const p = writeContainerdConfig(opts);
    assert.ok(existsSync(join(p.certsDir, '_default', 'hosts.toml')));
    writeContainerdConfig({ ...opts, upstreamFallback: true });
    assert.ok(!existsSync(join(p.certsDir, '_default')), 'a restart with --registry-upstream removes the catch-all');
    assert.equal(parseToml(readFileSync(join(p.certsDir, 'docker.io', 'hosts.toml'), 'utf8')).server, 'https://registry-1.docker.io');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeContainerdConfig rejects a malformed mirror URL', () => {
  assert.throws(() => writeContainerdConfig({ stateDir: '/nonexistent', registryMirror: '127.0.0.1:5000' }), /registryMirror must look like/);
});
