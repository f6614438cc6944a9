// VolumeBinding: pods using PersistentVolumeClaims go where their volumes are.
// A bound claim's PV node affinity limits the nodes; an unbound claim of an
// Immediate class waits for the PV controller; a WaitForFirstConsumer claim
// needs an available matching PV on the node unless its class provisions.
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from '../../../../api/core/v1/types.js';
import type { StorageClass } from '../../../../api/storage/v1/types.js';
import { Code, CycleState, SUCCESS, unresolvable } from '../../framework/types.js';
import type { ClusterLister, FilterPlugin, NodeInfo, PreFilterPlugin, Status } from '../../framework/types.js';
import { nodeSelectorMatches } from '../helper/nodeaffinity.js';
import { quantityToAmount } from '../helper/resources.js';

export const NAME = 'VolumeBinding';
export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const ERR_UNBOUND_IMMEDIATE_PVC = 'pod has unbound immediate PersistentVolumeClaims';
const STATE_KEY = 'PreFilter' + NAME;
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

interface State {
  boundPVs: PersistentVolume[];
  delayed: Array<{ claim: PersistentVolumeClaim; canProvision: boolean }>;
  missingPV: boolean;
}

function claimNames(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    const claimName = v.persistentVolumeClaim?.claimName;
    if (claimName) out.push(claimName);
    // Generic ephemeral volumes get a claim named <pod>-<volume>.
    else if (v.ephemeral) out.push(`${pod.metadata.name}-${String(v.name)}`);
  }
  return out;
}

function storageClassOf(pvc: PersistentVolumeClaim): string {
  return pvc.spec?.storageClassName ?? pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

function pvMatchesNode(pv: PersistentVolume, node: Node): boolean {
  const req = pv.spec?.nodeAffinity?.required;
  return !req || nodeSelectorMatches(req, node);
}

/** An Available (unclaimed or pre-bound to this claim) PV of the claim's class, size, access and volume modes, reachable from the node. */
function findMatchingPV(claim: PersistentVolumeClaim, pvs: PersistentVolume[], node: Node): PersistentVolume | undefined {
  const want = quantityToAmount('storage', claim.spec?.resources?.requests?.storage ?? 0);
  const cls = storageClassOf(claim);
  const modes = claim.spec?.accessModes ?? [];
  const volumeMode = claim.spec?.volumeMode ?? 'Filesystem';
  return pvs.find((pv) => {
    const ref = pv.spec?.claimRef;
    if (ref && !(ref.namespace === claim.metadata.namespace && ref.name === claim.metadata.name)) return false;
    if (pv.status?.phase && pv.status.phase !== 'Available') return false;
    if ((pv.spec?.storageClassName ?? '') !== cls) return false;
    if ((pv.spec?.volumeMode ?? 'Filesystem') !== volumeMode) return false;
    if (quantityToAmount('storage', pv.spec?.capacity?.storage ?? 0) < want) return false;
    if (!modes.every((m) => (pv.spec?.accessModes ?? []).includes(m))) return false;
    return pvMatchesNode(pv, node);
  });
}

export class VolumeBinding implements PreFilterPlugin, FilterPlugin {
  readonly name = NAME;
  constructor(private readonly lister: ClusterLister) {}

  preFilter(state: CycleState, pod: Pod): { status: Status } {
    const names = claimNames(pod);
    if (names.length === 0) {
      state.write(STATE_KEY, undefined);
      return { status: { code: Code.Skip, reasons: [] } };
    }
    const ns = pod.metadata.namespace ?? 'default';
    const s: State = { boundPVs: [], delayed: [], missingPV: false };
    const immediateUnbound: string[] = [];
    for (const name of names) {
      const claim = this.lister.get('v1', 'persistentvolumeclaims', ns, name) as PersistentVolumeClaim | undefined;
      if (!claim) return { status: { ...unresolvable(`persistentvolumeclaim "${name}" not found`), plugin: NAME } };
      if (claim.metadata.deletionTimestamp) return { status: { ...unresolvable(`persistentvolumeclaim "${name}" is being deleted`), plugin: NAME } };
      const volumeName = claim.spec?.volumeName;
      if (volumeName) {
        const pv = this.lister.get('v1', 'persistentvolumes', undefined, volumeName) as PersistentVolume | undefined;
        if (!pv) s.missingPV = true;
        else s.boundPVs.push(pv);
        continue;
      }
      const clsName = storageClassOf(claim);
      const cls = clsName ? (this.lister.get('storage.k8s.io/v1', 'storageclasses', undefined, clsName) as StorageClass | undefined) : undefined;
      if (cls?.volumeBindingMode === 'WaitForFirstConsumer') s.delayed.push({ claim, canProvision: !!cls.provisioner && cls.provisioner !== NO_PROVISIONER });
      else immediateUnbound.push(name);
    }
    if (immediateUnbound.length > 0) return { status: { ...unresolvable(ERR_UNBOUND_IMMEDIATE_PVC), plugin: NAME } };
    state.write(STATE_KEY, s);
    return { status: SUCCESS };
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const s = state.read<State>(STATE_KEY);
    if (!s) return SUCCESS;
    if (s.missingPV) return { ...unresolvable(ERR_REASON_PV_NOT_EXIST), plugin: NAME };
    const reasons: string[] = [];
    if (s.boundPVs.some((pv) => !pvMatchesNode(pv, nodeInfo.node))) reasons.push(ERR_REASON_NODE_CONFLICT);
    if (s.delayed.length > 0) {
      const pvs = this.lister.list('v1', 'persistentvolumes') as PersistentVolume[];
      const taken = new Set<PersistentVolume>();
      for (const { claim, canProvision } of s.delayed) {
        const pv = findMatchingPV(
          claim,
          pvs.filter((p) => !taken.has(p)),
          nodeInfo.node,
        );
        if (pv) taken.add(pv);
        else if (!canProvision) {
          reasons.push(ERR_REASON_BIND_CONFLICT);
          break;
        }
      }
    }
    return reasons.length === 0 ? SUCCESS : { ...unresolvable(...reasons), plugin: NAME };
  }
}
