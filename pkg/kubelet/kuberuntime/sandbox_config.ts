// generatePodSandboxConfig (upstream kuberuntime_sandbox.go): the CRI
// PodSandboxConfig of a pod — metadata with the attempt number, hostname, log
// directory, DNS, hostPort mappings, labels/annotations, and the Linux part
// (cgroup parent, namespaces, sysctls, sandbox security context).
import type { DNSConfig__Input, NamespaceMode, PodSandboxConfig__Input, PortMapping__Input, Protocol } from '../../cri/client.js';
import { allContainers } from '../../../api/core/v1/pod.js';
import type { Pod } from '../../../api/core/v1/types.js';
import { podHostnameAndDomain } from '../hosts.js';
import { newPodAnnotations, newPodLabels } from './labels.js';

/** toRuntimeProtocol: the CRI protocol of a container port (TCP when unset or unknown). */
function toRuntimeProtocol(protocol: string | undefined): Protocol {
  return protocol === 'UDP' || protocol === 'SCTP' ? protocol : 'TCP';
}

/** hostPort mappings of every container port that asks for one. */
export function portMappings(pod: Pod): PortMapping__Input[] {
  const out: PortMapping__Input[] = [];
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push({ protocol: toRuntimeProtocol(p.protocol), containerPort: p.containerPort, hostPort: p.hostPort, hostIp: p.hostIP ?? '' });
    }
  }
  return out;
}

export interface SandboxConfigInput {
  pod: Pod;
  attempt: number;
  logDirectory: string;
  cgroupParent: string;
  clusterDomain: string;
  dnsConfig?: DNSConfig__Input;
}

export function namespaceModes(pod: Pod): { network: NamespaceMode; pid: NamespaceMode; ipc: NamespaceMode } {
  return {
    network: pod.spec.hostNetwork ? 'NODE' : 'POD',
    pid: pod.spec.hostPID ? 'NODE' : pod.spec.shareProcessNamespace ? 'POD' : 'CONTAINER',
    ipc: pod.spec.hostIPC ? 'NODE' : 'POD',
  };
}

export function generatePodSandboxConfig(i: SandboxConfigInput): PodSandboxConfig__Input {
  const { pod } = i;
  const sc = pod.spec.securityContext ?? {};
  const cfg: PodSandboxConfig__Input = {
    metadata: { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? '', uid: pod.metadata.uid ?? '', attempt: i.attempt },
    labels: newPodLabels(pod),
    annotations: newPodAnnotations(pod),
    logDirectory: i.logDirectory,
    portMappings: portMappings(pod),
    linux: {
      cgroupParent: i.cgroupParent,
      sysctls: Object.fromEntries((sc.sysctls ?? []).map((s) => [s.name, s.value])),
      securityContext: {
        namespaceOptions: namespaceModes(pod),
        privileged: allContainers(pod.spec).some((c) => c.securityContext?.privileged),
        supplementalGroups: [...(sc.supplementalGroups ?? []), ...(sc.fsGroup !== undefined ? [sc.fsGroup] : [])],
        seccomp: { profileType: 'Unconfined' },
        ...(sc.runAsUser !== undefined ? { runAsUser: { value: sc.runAsUser } } : {}),
        ...(sc.runAsGroup !== undefined ? { runAsGroup: { value: sc.runAsGroup } } : {}),
      },
    },
  };
  // hostNetwork pods keep the node's hostname and resolver.
  if (!pod.spec.hostNetwork) {
    const { hostname, domain } = podHostnameAndDomain(pod, i.clusterDomain);
    cfg.hostname = pod.spec.setHostnameAsFQDN && domain ? `${hostname}.${domain}`.slice(0, 64) : hostname;
  }
  if (i.dnsConfig) cfg.dnsConfig = i.dnsConfig;
  return cfg;
}
