// Defaulting for apps/v1, after k8s pkg/apis/apps/v1/defaults.go.
import type { KubeObject } from '../../meta/v1/types.js';
import { child, objAt, objs, setIfAbsent } from '../../validation/field.js';
import { setDefaultsPodTemplateSpec } from '../../core/v1/defaults.js';

export function setDefaultsDeployment(d: KubeObject): void {
  const spec = child(d, 'spec');
  setIfAbsent(spec, 'replicas', 1);
  const strategy = child(spec, 'strategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    setIfAbsent(ru, 'maxUnavailable', '25%');
    setIfAbsent(ru, 'maxSurge', '25%');
  }
  setIfAbsent(spec, 'revisionHistoryLimit', 10);
  setIfAbsent(spec, 'progressDeadlineSeconds', 600);
  setDefaultsPodTemplateSpec(objAt(spec, 'template'));
}

export function setDefaultsReplicaSet(rs: KubeObject): void {
  const spec = child(rs, 'spec');
  setIfAbsent(spec, 'replicas', 1);
  setDefaultsPodTemplateSpec(objAt(spec, 'template'));
}

export function setDefaultsDaemonSet(ds: KubeObject): void {
  const spec = child(ds, 'spec');
  const strategy = child(spec, 'updateStrategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    setIfAbsent(ru, 'maxUnavailable', 1);
    setIfAbsent(ru, 'maxSurge', 0);
  }
  setIfAbsent(spec, 'revisionHistoryLimit', 10);
  setDefaultsPodTemplateSpec(objAt(spec, 'template'));
}

export function setDefaultsStatefulSet(sts: KubeObject): void {
  const spec = child(sts, 'spec');
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  const strategy = child(spec, 'updateStrategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    setIfAbsent(ru, 'partition', 0);
  }
  const retention = child(spec, 'persistentVolumeClaimRetentionPolicy');
  if (!retention.whenDeleted) retention.whenDeleted = 'Retain';
  if (!retention.whenScaled) retention.whenScaled = 'Retain';
  setIfAbsent(spec, 'replicas', 1);
  setIfAbsent(spec, 'revisionHistoryLimit', 10);
  for (const pvc of objs(spec, 'volumeClaimTemplates')) {
    // Claim templates get the PersistentVolumeClaim defaults (apiVersion/kind are filled too, as upstream serves them).
    const pvcSpec = child(pvc, 'spec');
    if (!pvcSpec.volumeMode) pvcSpec.volumeMode = 'Filesystem';
    const status = child(pvc, 'status');
    if (!status.phase) status.phase = 'Pending';
    setIfAbsent(pvc, 'apiVersion', 'v1');
    setIfAbsent(pvc, 'kind', 'PersistentVolumeClaim');
  }
  setDefaultsPodTemplateSpec(objAt(spec, 'template'));
}
