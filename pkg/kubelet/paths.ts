// Where the kubelet keeps per-pod files under its root directory (upstream
// kubelet_getters.go and kuberuntime_logs): pods/<uid>/{volumes,containers,etc-hosts}
// and logs/<namespace>_<name>_<uid>/<container>/<restartCount>.log.
import { join } from 'node:path';

export const DEFAULT_ROOT_DIR = '/var/lib/timonel/kubelet';

export class KubeletPaths {
  constructor(readonly root: string) {}

  podsDir(): string {
    return join(this.root, 'pods');
  }

  podDir(uid: string): string {
    return join(this.root, 'pods', uid);
  }

  podVolumesDir(uid: string): string {
    return join(this.podDir(uid), 'volumes');
  }

  /** Per-container files of the kubelet's own, such as termination-log files. */
  podContainerDir(uid: string, containerName: string): string {
    return join(this.podDir(uid), 'containers', containerName);
  }

  podEtcHostsPath(uid: string): string {
    return join(this.podDir(uid), 'etc-hosts');
  }

  logsDir(): string {
    return join(this.root, 'logs');
  }

  /** The sandbox's log_directory. */
  podLogsDir(namespace: string, name: string, uid: string): string {
    return join(this.root, 'logs', `${namespace}_${name}_${uid}`);
  }

  /** A container's log path relative to podLogsDir (ContainerConfig.log_path). */
  static containerLogPath(containerName: string, restartCount: number): string {
    return join(containerName, `${restartCount}.log`);
  }

  /** host-local's address allocations for this node's pod network. */
  cniIpamDir(): string {
    return join(this.root, 'cni', 'networks');
  }
}
