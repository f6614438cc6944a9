#!/usr/bin/env node
// timonel: the launcher. `up` starts a cluster on this machine, `down` stops it,
// `images` imports images into its registry and lists what the registry holds, `token create`
// makes a bootstrap token and prints the command that joins a machine with it, `dashboard` opens
// the web view.
import { parseArgs } from 'node:util';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { importImages } from '../../pkg/cluster/imageimport.js';
import { formatImageTable, listRegistryImages } from '../../pkg/cluster/imagelist.js';
import { registryCredentials } from '../../pkg/cluster/registry.js';
import { ADDONS } from '../../pkg/cluster/addons.js';
import { openDashboard } from '../../pkg/cluster/dashboard.js';
import { RegistryClient } from '../../pkg/cluster/registryclient.js';
import { DEFAULT_CNI_BRIDGE, DEFAULT_DATA_DIR, DEFAULT_IMAGE_CACHE_DIR, DEFAULT_POD_CIDR, down, layout, up } from '../../pkg/cluster/up.js';
import { DEFAULT_TOKEN_GROUPS, DEFAULT_TOKEN_USAGES, createToken } from '../../pkg/cluster/token.js';
import { Client } from '../../pkg/client/rest.js';
import { parseDuration } from '../../pkg/util/duration.js';

const USAGE = `usage:
  timonel up   [--data-dir DIR] [--etcd-servers URLS [--etcd-cafile F --etcd-certfile F --etcd-keyfile F]] [--bind-address IP] [--secure-port PORT] [--service-cluster-ip-range CIDR]
               [--pod-cidr CIDR] [--cni-bridge NAME] [--cache-dir DIR] [--registry-port PORT] [--registry-upstream] [--node-name NAME] [--audit-log-path FILE] [--audit-policy-file FILE]
               [--proxy-mode iptables|nftables] [--addons prometheus] (the web view, manifests/dashboard, is always deployed)
  timonel down [--data-dir DIR] [--purge]
  timonel dashboard [--data-dir DIR] [--port PORT] [--address IP]   (the web view, deployed by up; port 0: any free one)
  timonel images import FILE...|- [--name NAME] [--cache-dir DIR] [--registry-port PORT]
  timonel images ls [--cache-dir DIR] [--registry-port PORT]
  timonel token create [TOKEN] [--ttl 24h] [--usages signing,authentication] [--groups GROUP,...] [--description TEXT] [--data-dir DIR | --kubeconfig FILE]`;

/** `timonel token create`: a bootstrap token and the command that joins a machine with it. */
async function token(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ttl: { type: 'string', default: '24h0m0s' },
      usages: { type: 'string', default: DEFAULT_TOKEN_USAGES.join(',') },
      groups: { type: 'string', default: DEFAULT_TOKEN_GROUPS.join(',') },
      description: { type: 'string' },
      'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
      kubeconfig: { type: 'string' },
    },
    strict: true,
  });
  const [verb, given, ...extra] = positionals;
  if (verb !== 'create' || extra.length) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const list = (v: string) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const client = Client.fromFile(values.kubeconfig ?? layout(values['data-dir'] as string).kubeconfig, { userAgent: 'timonel-token' });
  try {
    const created = await createToken(client, {
      token: given,
      ttlMs: parseDuration(values.ttl as string),
      usages: list(values.usages as string),
      groups: list(values.groups as string),
      description: values.description,
    });
    process.stdout.write(`${created.token}\n${created.joinCommand}\n`);
  } finally {
    client.close();
  }
}

/** `timonel images import|ls`: the cluster's registry, with the push credentials `timonel up` wrote under the cache dir. */
async function images(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      'cache-dir': { type: 'string', default: DEFAULT_IMAGE_CACHE_DIR },
      'registry-port': { type: 'string', default: '5000' },
      name: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [verb, ...files] = positionals;
  const registry = `127.0.0.1:${values['registry-port']}`;
  const cacheDir = values['cache-dir'] as string;
  switch (verb) {
    case 'import': {
      if (files.length === 0) throw new Error('images import: name a docker save archive, an OCI layout or archive, or - for stdin');
      const creds = registryCredentials(cacheDir);
      if (!creds) throw new Error(`images import: no registry credentials under ${cacheDir}; start a cluster with timonel up first`);
      const done = await importImages(files, { registry, credentials: creds.push, name: values.name });
      for (const d of done) process.stdout.write(`imported ${d.name} (${d.digest})\n`);
      return;
    }
    case 'ls':
      process.stdout.write(formatImageTable(await listRegistryImages(new RegistryClient(registry))));
      return;
    default:
      process.stderr.write(`${USAGE}\n`);
      process.exit(2);
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'images') return images(rest);
  if (command === 'token') return token(rest);
  const { values } = parseArgs({
    args: rest,
    options: {
      'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
      'etcd-servers': { type: 'string' },
      'etcd-cafile': { type: 'string' },
      'etcd-certfile': { type: 'string' },
      'etcd-keyfile': { type: 'string' },
      // All addresses, so pods reach the apiserver on the node's bridge address (pkg/cluster/up.ts).
      'bind-address': { type: 'string', default: '0.0.0.0' },
      'secure-port': { type: 'string', default: '6443' },
      'etcd-client-port': { type: 'string', default: '2379' },
      'etcd-peer-port': { type: 'string', default: '2380' },
      'service-cluster-ip-range': { type: 'string', default: '10.96.0.0/12' },
      'pod-cidr': { type: 'string', default: DEFAULT_POD_CIDR },
      'cni-bridge': { type: 'string', default: DEFAULT_CNI_BRIDGE },
      'cache-dir': { type: 'string', default: DEFAULT_IMAGE_CACHE_DIR },
      'registry-port': { type: 'string', default: '5000' },
      // Off by default: no image pull leaves this machine.
      'registry-upstream': { type: 'boolean', default: false },
      'node-name': { type: 'string', default: hostname().toLowerCase() },
      'audit-log-path': { type: 'string' },
      'audit-policy-file': { type: 'string' },
      'proxy-mode': { type: 'string', default: 'iptables' },
      addons: { type: 'string', default: '' },
      purge: { type: 'boolean', default: false },
      // timonel dashboard: where the port-forward listens.
      port: { type: 'string', default: '8080' },
      address: { type: 'string', default: '127.0.0.1' },
    },
    strict: true,
  });
  const dataDir = values['data-dir'] as string;
  const progress = (msg: string) => process.stdout.write(`${msg}\n`);
  switch (command) {
    case 'up': {
      const proxyMode = values['proxy-mode'] as string;
      if (proxyMode !== 'iptables' && proxyMode !== 'nftables') throw new Error(`--proxy-mode must be iptables or nftables, got ${JSON.stringify(proxyMode)}`);
      const addons = (values.addons as string).split(',').filter(Boolean);
      const unknown = addons.filter((a) => !ADDONS.includes(a));
      if (unknown.length) throw new Error(`--addons: unknown ${unknown.join(', ')}; known: ${ADDONS.join(', ')}`);
      const { kubeconfig } = await up({
        dataDir,
        etcdServers: values['etcd-servers'],
        etcdTLS: { caFile: values['etcd-cafile'], certFile: values['etcd-certfile'], keyFile: values['etcd-keyfile'] },
        bindAddress: values['bind-address'] as string,
        securePort: Number(values['secure-port']),
        etcdClientPort: Number(values['etcd-client-port']),
        etcdPeerPort: Number(values['etcd-peer-port']),
        serviceClusterIPRange: values['service-cluster-ip-range'] as string,
        podCIDR: values['pod-cidr'] as string,
        cniBridge: values['cni-bridge'] as string,
        cacheDir: values['cache-dir'] as string,
        registryPort: Number(values['registry-port']),
        registryUpstream: values['registry-upstream'] as boolean,
        nodeName: values['node-name'] as string,
        auditLogPath: values['audit-log-path'] && resolve(values['audit-log-path']),
        auditPolicyFile: values['audit-policy-file'] && resolve(values['audit-policy-file']),
        proxyMode,
        addons,
        progress,
      });
      process.stdout.write(`\nTimonel is running. To use it:\n  export KUBECONFIG=${kubeconfig}\n  kubectl get nodes\n`);
      return;
    }
    case 'down':
      await down(dataDir, values.purge as boolean, progress);
      return;
    case 'dashboard': {
      const port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0 to 65535, got ${JSON.stringify(values.port)}`);
      const { url, child } = await openDashboard({ kubeconfig: layout(dataDir).kubeconfig, address: values.address as string, port });
      process.stdout.write(`The cluster's web view: ${url}\n(forwarding with kubectl port-forward; Ctrl-C to stop)\n`);
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill('SIGTERM'));
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      process.exit(code ?? 0);
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      process.exit(command ? 2 : 0);
  }
}

main().catch((err: Error) => {
  process.stderr.write(`timonel: ${err.message}\n`);
  process.exit(1);
});
