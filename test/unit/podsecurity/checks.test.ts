// Each Pod Security Standards check on pods that pass and pods that fail, with the
// exact reason and detail upstream's checks give (k8s.io/pod-security-admission/policy).
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { Container, PodSpec, SecurityContext, Volume } from '../../../api/core/v1/types.js';
import type { ObjectMeta } from '../../../api/meta/v1/types.js';
import type { Check, CheckResult } from '../../../pkg/podsecurity/policy/check.js';
import { allowPrivilegeEscalation } from '../../../pkg/podsecurity/policy/allowPrivilegeEscalation.js';
import { appArmorProfile } from '../../../pkg/podsecurity/policy/appArmorProfile.js';
import { capabilitiesBaseline } from '../../../pkg/podsecurity/policy/capabilitiesBaseline.js';
import { capabilitiesRestricted } from '../../../pkg/podsecurity/policy/capabilitiesRestricted.js';
import { hostNamespaces } from '../../../pkg/podsecurity/policy/hostNamespaces.js';
import { hostPathVolumes } from '../../../pkg/podsecurity/policy/hostPathVolumes.js';
import { hostPorts } from '../../../pkg/podsecurity/policy/hostPorts.js';
import { privileged } from '../../../pkg/podsecurity/policy/privileged.js';
import { procMount } from '../../../pkg/podsecurity/policy/procMount.js';
import { restrictedVolumes } from '../../../pkg/podsecurity/policy/restrictedVolumes.js';
import { runAsNonRoot } from '../../../pkg/podsecurity/policy/runAsNonRoot.js';
import { runAsUser } from '../../../pkg/podsecurity/policy/runAsUser.js';
import { seccompProfileBaseline } from '../../../pkg/podsecurity/policy/seccompProfileBaseline.js';
import { seccompProfileRestricted } from '../../../pkg/podsecurity/policy/seccompProfileRestricted.js';
import { seLinuxOptions } from '../../../pkg/podsecurity/policy/seLinuxOptions.js';
import { sysctls } from '../../../pkg/podsecurity/policy/sysctls.js';
import { windowsHostProcess } from '../../../pkg/podsecurity/policy/windowsHostProcess.js';

const c = (name: string, securityContext?: SecurityContext, extra: Partial<Container> = {}): Container => ({
  name,
  image: 'busybox',
  securityContext,
  ...extra,
});

/** The newest revision of a check, or the one in force at v1.<minor>. */
function run(check: Check, spec: PodSpec, meta: ObjectMeta = {}, minor = Infinity): CheckResult {
  const revision = check.versions.filter((v) => v.minimumVersion <= minor).at(-1);
  assert.ok(revision, `${check.id} has no revision at v1.${minor}`);
  return revision.checkPod(meta, spec);
}

interface Case {
  name: string;
  spec: PodSpec;
  meta?: ObjectMeta;
  minor?: number;
  /** [reason, detail] when refused; undefined when allowed. */
  want?: [string, string];
}

function table(check: Check, cases: Case[]): void {
  describe(check.id, () => {
    for (const tc of cases) {
      it(tc.name, () => {
        const r = run(check, tc.spec, tc.meta, tc.minor);
        if (!tc.want) assert.deepEqual(r, { allowed: true });
        else assert.deepEqual([r.allowed, r.forbiddenReason, r.forbiddenDetail], [false, ...tc.want]);
      });
    }
  });
}

table(windowsHostProcess, [
  { name: 'unset or false is allowed', spec: { containers: [c('a'), c('b', { windowsOptions: { hostProcess: false } })] } },
  {
    name: 'pod and containers',
    spec: {
      securityContext: { windowsOptions: { hostProcess: true } },
      containers: [c('a', { windowsOptions: { hostProcess: true } }), c('b'), c('c', { windowsOptions: { hostProcess: true } })],
    },
    want: ['hostProcess', 'pod and containers "a", "c" must not set securityContext.windowsOptions.hostProcess=true'],
  },
  {
    name: 'one container',
    spec: { containers: [c('a', { windowsOptions: { hostProcess: true } })] },
    want: ['hostProcess', 'container "a" must not set securityContext.windowsOptions.hostProcess=true'],
  },
]);

table(hostNamespaces, [
  { name: 'false is allowed', spec: { containers: [c('a')], hostNetwork: false } },
  { name: 'hostNetwork', spec: { containers: [c('a')], hostNetwork: true }, want: ['host namespaces', 'hostNetwork=true'] },
  {
    name: 'all three, in upstream order',
    spec: { containers: [c('a')], hostIPC: true, hostPID: true, hostNetwork: true },
    want: ['host namespaces', 'hostNetwork=true, hostPID=true, hostIPC=true'],
  },
]);

table(privileged, [
  { name: 'false is allowed', spec: { containers: [c('a', { privileged: false })] } },
  {
    name: 'one container',
    spec: { containers: [c('x', { privileged: true })] },
    want: ['privileged', 'container "x" must not set securityContext.privileged=true'],
  },
  {
    name: 'init, regular and ephemeral containers',
    spec: {
      initContainers: [c('i', { privileged: true })],
      containers: [c('a', { privileged: true })],
      ephemeralContainers: [{ name: 'e', securityContext: { privileged: true } }],
    },
    want: ['privileged', 'containers "i", "a", "e" must not set securityContext.privileged=true'],
  },
]);

table(capabilitiesBaseline, [
  { name: 'default capabilities are allowed', spec: { containers: [c('a', { capabilities: { add: ['CHOWN', 'NET_BIND_SERVICE', 'SYS_CHROOT'] } })] } },
  {
    name: 'NET_RAW and SYS_ADMIN, sorted and deduplicated',
    spec: { containers: [c('a', { capabilities: { add: ['SYS_ADMIN', 'NET_RAW'] } }), c('b', { capabilities: { add: ['NET_RAW', 'CHOWN'] } })] },
    want: ['non-default capabilities', 'containers "a", "b" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add'],
  },
]);

table(hostPathVolumes, [
  { name: 'emptyDir is allowed', spec: { containers: [c('a')], volumes: [{ name: 'v', emptyDir: {} }] } },
  {
    name: 'two hostPath volumes',
    spec: {
      containers: [c('a')],
      volumes: [
        { name: 'a', hostPath: { path: '/' } },
        { name: 'b', emptyDir: {} },
        { name: 'c', hostPath: { path: '/etc' } },
      ],
    },
    want: ['hostPath volumes', 'volumes "a", "c"'],
  },
  { name: 'one', spec: { containers: [c('a')], volumes: [{ name: 'h', hostPath: { path: '/' } }] }, want: ['hostPath volumes', 'volume "h"'] },
]);

table(hostPorts, [
  {
    name: 'container ports without hostPort are allowed',
    spec: { containers: [c('a', undefined, { ports: [{ containerPort: 80 }, { containerPort: 81, hostPort: 0 }] })] },
  },
  {
    name: 'one',
    spec: { containers: [c('a'), c('b', undefined, { ports: [{ containerPort: 80, hostPort: 20 }] })] },
    want: ['hostPort', 'container "b" uses hostPort 20'],
  },
  {
    name: 'several, listed as strings',
    spec: {
      containers: [
        c('b', undefined, {
          ports: [
            { containerPort: 1, hostPort: 8080 },
            { containerPort: 2, hostPort: 10 },
          ],
        }),
        c('c', undefined, { ports: [{ containerPort: 3, hostPort: 9 }] }),
      ],
    },
    want: ['hostPort', 'containers "b", "c" use hostPorts 10, 8080, 9'],
  },
]);

table(appArmorProfile, [
  {
    name: 'RuntimeDefault, Localhost and allowed annotations',
    spec: {
      securityContext: { appArmorProfile: { type: 'RuntimeDefault' } },
      containers: [c('a', { appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } })],
    },
    meta: {
      annotations: { 'container.apparmor.security.beta.kubernetes.io/a': 'runtime/default', 'container.apparmor.security.beta.kubernetes.io/b': 'localhost/p' },
    },
  },
  {
    name: 'unconfined pod',
    spec: { securityContext: { appArmorProfile: { type: 'Unconfined' } }, containers: [c('a')] },
    want: ['forbidden AppArmor profile', 'pod must not set AppArmor profile type to "Unconfined"'],
  },
  {
    name: 'unconfined container and annotations',
    spec: { containers: [c('foo', { appArmorProfile: { type: 'Unconfined' } })] },
    meta: { annotations: { 'container.apparmor.security.beta.kubernetes.io/b': 'unconfined', 'container.apparmor.security.beta.kubernetes.io/a': 'bogus' } },
    want: [
      'forbidden AppArmor profiles',
      // The annotations are quoted as they are, quotes and all.
      'container "foo" and annotations must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/a="bogus"", "container.apparmor.security.beta.kubernetes.io/b="unconfined""',
    ],
  },
]);

table(seLinuxOptions, [
  {
    name: 'container types are allowed',
    spec: { securityContext: { seLinuxOptions: { type: 'container_t' } }, containers: [c('a', { seLinuxOptions: { type: 'container_init_t', level: 's0' } })] },
  },
  {
    name: 'pod and containers',
    spec: {
      securityContext: { seLinuxOptions: { type: 'foo', user: 'u', role: 'r' } },
      containers: [c('e', { seLinuxOptions: { type: 'bar' } }), c('f', { seLinuxOptions: { user: 'u' } }), c('g', { seLinuxOptions: { role: 'r' } })],
    },
    want: [
      'seLinuxOptions',
      'pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set',
    ],
  },
  { name: 'container_engine_t from v1.31', spec: { containers: [c('a', { seLinuxOptions: { type: 'container_engine_t' } })] } },
  {
    name: 'container_engine_t before v1.31',
    spec: { containers: [c('a', { seLinuxOptions: { type: 'container_engine_t' } })] },
    minor: 30,
    want: ['seLinuxOptions', 'container "a" set forbidden securityContext.seLinuxOptions: type "container_engine_t"'],
  },
]);

table(procMount, [
  { name: 'Default is allowed', spec: { containers: [c('a', { procMount: 'Default' })] } },
  {
    name: 'Unmasked',
    spec: { containers: [c('a', { procMount: 'Unmasked' })] },
    want: ['procMount', 'container "a" must not set securityContext.procMount to "Unmasked"'],
  },
]);

table(seccompProfileBaseline, [
  {
    name: 'RuntimeDefault and unset are allowed',
    spec: {
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containers: [c('a'), c('b', { seccompProfile: { type: 'Localhost', localhostProfile: 'p' } })],
    },
  },
  {
    name: 'Unconfined pod and container',
    spec: { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [c('a', { seccompProfile: { type: 'Unconfined' } })] },
    want: ['seccompProfile', 'pod and container "a" must not set securityContext.seccompProfile.type to "Unconfined"'],
  },
  {
    name: 'annotations before v1.19',
    spec: { containers: [c('a'), c('b')] },
    meta: { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined', 'container.seccomp.security.alpha.kubernetes.io/b': 'docker/default' } },
    minor: 18,
    want: ['seccompProfile', 'forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined"'],
  },
]);

table(sysctls, [
  {
    name: 'safe sysctls are allowed',
    spec: {
      containers: [c('a')],
      securityContext: {
        sysctls: [
          { name: 'net.ipv4.tcp_rmem', value: '1' },
          { name: 'kernel.shm_rmid_forced', value: '0' },
        ],
      },
    },
  },
  {
    name: 'unsafe ones, in the pod order',
    spec: {
      containers: [c('a')],
      securityContext: {
        sysctls: [
          { name: 'kernel.msgmax', value: '1' },
          { name: 'net.ipv4.ip_forward', value: '1' },
        ],
      },
    },
    want: ['forbidden sysctls', 'kernel.msgmax, net.ipv4.ip_forward'],
  },
  {
    name: 'tcp_rmem before v1.32',
    spec: { containers: [c('a')], securityContext: { sysctls: [{ name: 'net.ipv4.tcp_rmem', value: '1' }] } },
    minor: 31,
    want: ['forbidden sysctls', 'net.ipv4.tcp_rmem'],
  },
]);

const emptyDir = (name: string): Volume => ({ name, emptyDir: {} });
table(restrictedVolumes, [
  {
    name: 'the allowed kinds',
    spec: {
      containers: [c('a')],
      volumes: [
        emptyDir('a'),
        { name: 'b', configMap: { name: 'x' } },
        { name: 'c', secret: {} },
        { name: 'd', persistentVolumeClaim: { claimName: 'x' } },
        { name: 'e', projected: {} },
        { name: 'f', downwardAPI: {} },
      ],
    },
  },
  {
    name: 'hostPath, nfs and an unknown kind',
    spec: {
      containers: [c('a')],
      volumes: [
        { name: 'h', hostPath: { path: '/' } },
        emptyDir('ok'),
        { name: 'n', nfs: { server: 's', path: '/' } },
        { name: 'u' } as Volume,
        { name: 'h2', hostPath: { path: '/x' } },
      ],
    },
    want: ['restricted volume types', 'volumes "h", "n", "u", "h2" use restricted volume types "hostPath", "nfs", "unknown"'],
  },
  {
    name: 'one',
    spec: { containers: [c('a')], volumes: [{ name: 'h', hostPath: { path: '/' } }] },
    want: ['restricted volume types', 'volume "h" uses restricted volume type "hostPath"'],
  },
]);

table(allowPrivilegeEscalation, [
  { name: 'false is allowed', spec: { containers: [c('a', { allowPrivilegeEscalation: false })] } },
  {
    name: 'unset and true',
    spec: { initContainers: [c('i')], containers: [c('a', { allowPrivilegeEscalation: true }), c('b', { allowPrivilegeEscalation: false })] },
    want: ['allowPrivilegeEscalation != false', 'containers "i", "a" must set securityContext.allowPrivilegeEscalation=false'],
  },
  { name: 'windows pods are exempt from v1.25', spec: { os: { name: 'windows' }, containers: [c('a')] } },
  {
    name: 'but not before',
    spec: { os: { name: 'windows' }, containers: [c('a')] },
    minor: 24,
    want: ['allowPrivilegeEscalation != false', 'container "a" must set securityContext.allowPrivilegeEscalation=false'],
  },
]);

table(capabilitiesRestricted, [
  { name: 'drop ALL, add NET_BIND_SERVICE is allowed', spec: { containers: [c('a', { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } })] } },
  {
    name: 'nothing set',
    spec: { containers: [c('a')] },
    want: ['unrestricted capabilities', 'container "a" must set securityContext.capabilities.drop=["ALL"]'],
  },
  {
    name: 'missing drop and forbidden adds',
    spec: {
      containers: [
        c('a', { capabilities: { add: ['SYS_TIME'] } }),
        c('b', { capabilities: { drop: ['ALL'], add: ['NET_RAW', 'CHOWN'] } }),
        c('c', { capabilities: {} }),
      ],
    },
    want: [
      'unrestricted capabilities',
      'containers "a", "c" must set securityContext.capabilities.drop=["ALL"]; containers "a", "b" must not include "CHOWN", "NET_RAW", "SYS_TIME" in securityContext.capabilities.add',
    ],
  },
]);

table(runAsNonRoot, [
  { name: 'pod level true is allowed', spec: { securityContext: { runAsNonRoot: true }, containers: [c('a'), c('b', { runAsNonRoot: true })] } },
  { name: 'every container true is allowed', spec: { containers: [c('a', { runAsNonRoot: true })] } },
  {
    name: 'unset',
    spec: { containers: [c('a'), c('b')] },
    want: ['runAsNonRoot != true', 'pod or containers "a", "b" must set securityContext.runAsNonRoot=true'],
  },
  {
    name: 'explicitly false wins over unset',
    spec: { securityContext: { runAsNonRoot: false }, containers: [c('a', { runAsNonRoot: false }), c('b')] },
    want: ['runAsNonRoot != true', 'pod and container "a" must not set securityContext.runAsNonRoot=false'],
  },
]);

table(runAsUser, [
  { name: 'non-zero is allowed', spec: { securityContext: { runAsUser: 1000 }, containers: [c('a', { runAsUser: 1 })] } },
  {
    name: 'zero',
    spec: { securityContext: { runAsUser: 0 }, containers: [c('a', { runAsUser: 0 }), c('b')] },
    want: ['runAsUser=0', 'pod and container "a" must not set runAsUser=0'],
  },
]);

table(seccompProfileRestricted, [
  { name: 'pod RuntimeDefault is allowed', spec: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [c('a')] } },
  {
    name: 'unset',
    spec: { containers: [c('a'), c('b', { seccompProfile: { type: 'Localhost', localhostProfile: 'p' } })] },
    want: ['seccompProfile', 'pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"'],
  },
  {
    name: 'Unconfined',
    spec: { containers: [c('a', { seccompProfile: { type: 'Unconfined' } }), c('b')] },
    want: ['seccompProfile', 'container "a" must not set securityContext.seccompProfile.type to "Unconfined"'],
  },
]);
