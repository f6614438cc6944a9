// The /etc/hosts the kubelet writes for a pod, byte for byte as upstream's.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostsFileContent, podHostnameAndDomain } from '../../pkg/kubelet/hosts.js';
import type { Pod } from '../../api/core/v1/types.js';

function pod(spec: Partial<Pod['spec']> = {}, name = 'nginx-7c5ddbdf54-x2v9k'): Pod {
  return { metadata: { name, namespace: 'web', uid: 'u' }, spec: { containers: [], ...spec } };
}

const HEADER =
  [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ].join('\n') + '\n';

describe('hostsFileContent', () => {
  it('writes the managed file with the pod IP and name', () => {
    assert.equal(hostsFileContent(pod(), ['10.244.0.12']), HEADER + '10.244.0.12\tnginx-7c5ddbdf54-x2v9k\n');
  });

  it('uses hostname.subdomain.namespace.svc.domain when a subdomain is set, one line per pod IP', () => {
    const p = pod({ hostname: 'db-0', subdomain: 'db' });
    assert.equal(
      hostsFileContent(p, ['10.244.0.12', 'fd00::c'], undefined, { clusterDomain: 'k8s.test' }),
      HEADER + '10.244.0.12\tdb-0.db.web.svc.k8s.test\tdb-0\nfd00::c\tdb-0.db.web.svc.k8s.test\tdb-0\n',
    );
  });

  it('appends HostAliases, one tab-separated line per IP', () => {
    const p = pod({
      hostAliases: [
        { ip: '127.0.0.1', hostnames: ['foo.local', 'bar.local'] },
        { ip: '10.1.2.3', hostnames: ['foo.remote'] },
      ],
    });
    assert.equal(
      hostsFileContent(p, ['10.244.0.12']),
      HEADER + '10.244.0.12\tnginx-7c5ddbdf54-x2v9k\n\n# Entries added by HostAliases.\n127.0.0.1\tfoo.local\tbar.local\n10.1.2.3\tfoo.remote\n',
    );
  });

  it('copies the node file for host-network pods, under its own header', () => {
    const dir = mkdtempSync(join(tmpdir(), 'timonel-hosts-'));
    try {
      const nodeHosts = join(dir, 'hosts');
      writeFileSync(nodeHosts, '127.0.0.1 localhost\n192.168.1.10 node-a\n');
      const p = pod({ hostNetwork: true, hostAliases: [{ ip: '1.2.3.4', hostnames: ['x'] }] });
      assert.equal(
        hostsFileContent(p, ['192.168.1.10'], undefined, { nodeHostsFile: nodeHosts }),
        '# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n192.168.1.10 node-a\n\n# Entries added by HostAliases.\n1.2.3.4\tx\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('podHostnameAndDomain', () => {
  it('truncates long pod names to 63 characters without a trailing - or .', () => {
    const name = 'a'.repeat(62) + '-bcd';
    assert.equal(podHostnameAndDomain(pod({}, name)).hostname, 'a'.repeat(62));
    assert.deepEqual(podHostnameAndDomain(pod({ hostname: 'h', subdomain: 's' })), { hostname: 'h', domain: 's.web.svc.cluster.local' });
  });

  it('rejects hostnames and subdomains that are not DNS labels', () => {
    assert.throws(() => podHostnameAndDomain(pod({ hostname: 'Bad_Name' })), /^Error: pod Hostname "Bad_Name" is not a valid DNS label: /);
    assert.throws(() => podHostnameAndDomain(pod({ subdomain: 'a.b' })), /^Error: pod Subdomain "a.b" is not a valid DNS label: /);
  });
});
