// generateContainerConfig (upstream kuberuntime_container.go and _linux.go): the
// CRI ContainerConfig of one container instance — image, expanded command/args,
// env, mounts, log path, labels/annotations that let a restarted kubelet adopt it,
// Linux resources and the security context.
import type { ContainerConfig__Input, KeyValue, LinuxContainerSecurityContext__Input, Mount__Input } from '../../cri/client.js';
import { KubeletPaths } from '../paths.js';
import type { Container, Pod } from '../../../api/core/v1/types.js';
import { expandVars, mappingFuncFor } from '../envvars.js';
import { newContainerAnnotations, newContainerLabels } from './labels.js';
import { linuxContainerResources } from './resources.js';
import { namespaceModes } from './sandbox_config.js';

/** /proc and /sys paths hidden or read-only in unprivileged containers (securitycontext's defaults for procMount Default). */
export const DEFAULT_MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface ContainerConfigInput {
  pod: Pod;
  container: Container;
  restartCount: number;
  /** The runtime's image ID or the image name to create from. */
  imageRef: string;
  hash: string;
  envs: KeyValue[];
  mounts: Mount__Input[];
  memoryCapacityBytes: number;
}

export function containerSecurityContext(pod: Pod, container: Container): LinuxContainerSecurityContext__Input {
  const psc = pod.spec.securityContext ?? {};
  const sc = container.securityContext ?? {};
  const privileged = !!sc.privileged;
  const out: LinuxContainerSecurityContext__Input = {
    privileged,
    readonlyRootfs: !!sc.readOnlyRootFilesystem,
    namespaceOptions: namespaceModes(pod),
    supplementalGroups: [...(psc.supplementalGroups ?? []), ...(psc.fsGroup !== undefined ? [psc.fsGroup] : [])],
    noNewPrivs: sc.allowPrivilegeEscalation === false,
    seccomp: { profileType: 'Unconfined' },
  };
  const runAsUser = sc.runAsUser ?? psc.runAsUser;
  const runAsGroup = sc.runAsGroup ?? psc.runAsGroup;
  if (runAsUser !== undefined) out.runAsUser = { value: runAsUser };
  if (runAsGroup !== undefined) out.runAsGroup = { value: runAsGroup };
  if (sc.capabilities) out.capabilities = { addCapabilities: sc.capabilities.add ?? [], dropCapabilities: sc.capabilities.drop ?? [] };
  if (!privileged) {
    out.maskedPaths = DEFAULT_MASKED_PATHS;
    out.readonlyPaths = DEFAULT_READONLY_PATHS;
  }
  return out;
}

/** kubecontainer.ExpandContainerCommandAndArgs: $(VAR) in command and args from the container's env. */
export function expandCommandAndArgs(command: string[] | undefined, args: string[] | undefined, env: KeyValue[]): { command: string[]; args: string[] } {
  const mapping = mappingFuncFor(new Map(env.map((e) => [e.key, e.value])));
  return { command: (command ?? []).map((c) => expandVars(c, mapping)), args: (args ?? []).map((a) => expandVars(a, mapping)) };
}

export function generateContainerConfig(i: ContainerConfigInput): ContainerConfig__Input {
  const { pod, container } = i;
  const { command, args } = expandCommandAndArgs(container.command, container.args, i.envs);
  const r = linuxContainerResources(pod, container, i.memoryCapacityBytes);
  return {
    metadata: { name: container.name, attempt: i.restartCount },
    image: { image: i.imageRef, userSpecifiedImage: container.image ?? '' },
    command,
    args,
    workingDir: container.workingDir ?? '',
    envs: i.envs,
    mounts: i.mounts,
    labels: newContainerLabels(container, pod),
    annotations: newContainerAnnotations(container, pod, i.restartCount, i.hash),
    logPath: KubeletPaths.containerLogPath(container.name, i.restartCount),
    stdin: !!container.stdin,
    stdinOnce: !!container.stdinOnce,
    tty: !!container.tty,
    linux: {
      resources: {
        cpuShares: r.cpuShares,
        cpuQuota: r.cpuQuota,
        cpuPeriod: r.cpuPeriod,
        memoryLimitInBytes: r.memoryLimitInBytes,
        oomScoreAdj: r.oomScoreAdj,
      },
      securityContext: containerSecurityContext(pod, container),
    },
  };
}
