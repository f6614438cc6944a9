// Validation of apps/v1 workloads after k8s pkg/apis/apps/validation.
import type { KubeObject } from '../../meta/v1/types.js';
import {
  type ErrorList,
  type Obj,
  FIELD_IMMUTABLE,
  forbidden,
  invalid,
  notSupported,
  num,
  objAt,
  objs,
  required,
  validateImmutableField,
  validateNonnegative,
  deepEqual,
} from '../../validation/field.js';
import { PERCENT_ERROR, isPercent, nameIsDNSSubdomain } from '../../validation/names.js';
import {
  type LabelSelector,
  asLabelSelector,
  formatLabelSelector,
  selectorIsEmpty,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateSelectorMatchesTemplate,
} from '../../validation/objectmeta.js';
import { validatePodTemplateSpec } from '../../core/v1/podvalidation.js';
import { validatePersistentVolumeClaim } from '../../core/v1/validation.js';

type Kind = 'deployment' | 'replicaset' | 'daemonset' | 'statefulset';
const KIND_NAME: Record<Kind, string> = { deployment: 'ReplicaSet', replicaset: 'ReplicaSet', daemonset: 'DaemonSet', statefulset: 'StatefulSet' };

/** The selector checks every workload shares: required, valid, not empty. */
function validateWorkloadSelector(spec: Obj, kind: Kind): { errs: ErrorList; selector?: LabelSelector } {
  const selector = asLabelSelector(spec.selector);
  if (!selector) return { errs: [required('spec.selector', '')] };
  const errs = validateLabelSelector(selector, 'spec.selector');
  if (selectorIsEmpty(selector))
    errs.push(invalid('spec.selector', { raw: formatLabelSelector(selector) }, `empty selector is invalid for ${kind === 'replicaset' ? 'deployment' : kind}`));
  return { errs, selector };
}

/** ValidatePodTemplateSpecForReplicaSet (and its DaemonSet / StatefulSet twins). */
export function validateWorkloadTemplate(template: Obj | undefined, selector: LabelSelector | undefined, kind: Kind, field = 'spec.template'): ErrorList {
  if (!template) return [required(field, '')];
  const errs: ErrorList = [];
  const labels = objAt(objAt(template, 'metadata'), 'labels') as Record<string, string> | undefined;
  errs.push(...validateSelectorMatchesTemplate(selector, labels, `${field}.metadata.labels`));
  errs.push(...validatePodTemplateSpec(template, field));
  const spec = objAt(template, 'spec') ?? {};
  if (spec.restartPolicy !== undefined && spec.restartPolicy !== 'Always')
    errs.push(notSupported(`${field}.spec.restartPolicy`, spec.restartPolicy, ['Always']));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null)
    errs.push(forbidden(`${field}.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${KIND_NAME[kind]} is not Supported`));
  return errs;
}

/** ValidatePositiveIntOrPercent + IsNotMoreThan100Percent. */
export function validateIntOrPercent(v: unknown, field: string, max100 = false): ErrorList {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') {
    if (!isPercent(v)) return [invalid(field, v, PERCENT_ERROR)];
    if (max100 && Number(v.slice(0, -1)) > 100) return [invalid(field, v, 'must not be greater than 100%')];
    return [];
  }
  if (typeof v === 'number') return validateNonnegative(v, field);
  return [invalid(field, v, "must be an integer or percentage (e.g '5%')")];
}

function intOrPercentIsZero(v: unknown): boolean {
  return v === 0 || v === '0%' || v === '0';
}

function validateRollingUpdate(ru: Obj | undefined, field: string): ErrorList {
  if (!ru) return [];
  const errs = [...validateIntOrPercent(ru.maxUnavailable, `${field}.maxUnavailable`, true), ...validateIntOrPercent(ru.maxSurge, `${field}.maxSurge`)];
  if (intOrPercentIsZero(ru.maxUnavailable ?? 0) && intOrPercentIsZero(ru.maxSurge ?? 0))
    errs.push(invalid(`${field}.maxUnavailable`, ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
  return errs;
}

function meta(obj: KubeObject): ErrorList {
  return validateObjectMeta(obj.metadata, { nameFn: nameIsDNSSubdomain });
}

export function validateDeployment(d: KubeObject): ErrorList {
  const errs = meta(d);
  const spec = objAt(d, 'spec') ?? {};
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  const { errs: selErrs, selector } = validateWorkloadSelector(spec, 'deployment');
  errs.push(...selErrs);
  errs.push(...validateWorkloadTemplate(objAt(spec, 'template'), selector, 'deployment'));
  const strategy = objAt(spec, 'strategy') ?? {};
  const type = strategy.type;
  if (type === 'Recreate') {
    if (strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null)
      errs.push(forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type === 'RollingUpdate') {
    if (!objAt(strategy, 'rollingUpdate')) errs.push(required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil'));
    else errs.push(...validateRollingUpdate(objAt(strategy, 'rollingUpdate'), 'spec.strategy.rollingUpdate'));
  } else {
    errs.push(notSupported('spec.strategy', type ?? '', ['Recreate', 'RollingUpdate']));
  }
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const pds = num(spec, 'progressDeadlineSeconds');
  if (pds !== undefined) {
    errs.push(...validateNonnegative(pds, 'spec.progressDeadlineSeconds'));
    if (pds <= (num(spec, 'minReadySeconds') ?? 0)) errs.push(invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

/** apps/v1 makes the selector immutable on every workload. */
function validateSelectorUpdate(obj: KubeObject, old: KubeObject): ErrorList {
  const sel = objAt(obj, 'spec')?.selector;
  const oldSel = objAt(old, 'spec')?.selector;
  if (deepEqual(sel, oldSel)) return [];
  return [invalid('spec.selector', { raw: formatLabelSelector(asLabelSelector(sel)) }, FIELD_IMMUTABLE)];
}

export function validateWorkloadUpdate(obj: KubeObject, old: KubeObject): ErrorList {
  return [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateSelectorUpdate(obj, old)];
}

export function validateReplicaSet(rs: KubeObject): ErrorList {
  const errs = meta(rs);
  const spec = objAt(rs, 'spec') ?? {};
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const { errs: selErrs, selector } = validateWorkloadSelector(spec, 'replicaset');
  errs.push(...selErrs);
  errs.push(...validateWorkloadTemplate(objAt(spec, 'template'), selector, 'replicaset'));
  return errs;
}

export function validateDaemonSet(ds: KubeObject): ErrorList {
  const errs = meta(ds);
  const spec = objAt(ds, 'spec') ?? {};
  const { errs: selErrs, selector } = validateWorkloadSelector(spec, 'daemonset');
  errs.push(...selErrs);
  errs.push(...validateWorkloadTemplate(objAt(spec, 'template'), selector, 'daemonset'));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const strategy = objAt(spec, 'updateStrategy') ?? {};
  if (strategy.type === 'RollingUpdate') errs.push(...validateRollingUpdate(objAt(strategy, 'rollingUpdate'), 'spec.updateStrategy.rollingUpdate'));
  else if (strategy.type !== 'OnDelete') errs.push(notSupported('spec.updateStrategy.type', strategy.type ?? '', ['OnDelete', 'RollingUpdate']));
  return errs;
}

export function validateStatefulSet(sts: KubeObject): ErrorList {
  const errs = meta(sts);
  const spec = objAt(sts, 'spec') ?? {};
  const pmp = spec.podManagementPolicy;
  if (pmp !== 'OrderedReady' && pmp !== 'Parallel') {
    errs.push(
      pmp === undefined || pmp === ''
        ? required('spec.podManagementPolicy', '')
        : invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"),
    );
  }
  const strategy = objAt(spec, 'updateStrategy') ?? {};
  if (strategy.type === 'OnDelete') {
    if (strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null)
      errs.push(invalid('spec.updateStrategy.rollingUpdate', strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (strategy.type === 'RollingUpdate') {
    const ru = objAt(strategy, 'rollingUpdate');
    errs.push(...validateNonnegative(ru?.partition, 'spec.updateStrategy.rollingUpdate.partition'));
    if (ru?.maxUnavailable !== undefined) errs.push(...validateIntOrPercent(ru.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable', true));
  } else if (strategy.type === undefined || strategy.type === '') {
    errs.push(required('spec.updateStrategy', ''));
  } else {
    errs.push(invalid('spec.updateStrategy', strategy, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention = objAt(spec, 'persistentVolumeClaimRetentionPolicy');
  for (const k of ['whenDeleted', 'whenScaled']) {
    const v = retention?.[k];
    if (v !== undefined && v !== 'Retain' && v !== 'Delete') errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, v, ['Retain', 'Delete']));
  }
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const ordinals = objAt(spec, 'ordinals');
  if (ordinals) errs.push(...validateNonnegative(ordinals.start, 'spec.ordinals.start'));
  const { errs: selErrs, selector } = validateWorkloadSelector(spec, 'statefulset');
  errs.push(...selErrs);
  // Containers may mount the claim templates by name, as if they were pod volumes.
  const template = objAt(spec, 'template');
  const claims = objs(spec, 'volumeClaimTemplates').map((c) => String(objAt(c, 'metadata')?.name ?? ''));
  let withClaims = template;
  if (template && claims.length) {
    withClaims = structuredClone(template);
    const podSpec = objAt(withClaims, 'spec');
    if (podSpec)
      podSpec.volumes = [
        ...objs(podSpec, 'volumes'),
        ...claims.filter((n) => !objs(podSpec, 'volumes').some((v) => v.name === n)).map((n) => ({ name: n, persistentVolumeClaim: { claimName: n } })),
      ];
  }
  errs.push(...validateWorkloadTemplate(withClaims, selector, 'statefulset'));
  objs(spec, 'volumeClaimTemplates').forEach((pvc, i) => {
    // Claim templates are PersistentVolumeClaims without their own namespace.
    const claim = { ...pvc, metadata: { ...(objAt(pvc, 'metadata') ?? {}) } } as KubeObject;
    for (const e of validatePersistentVolumeClaim(claim)) errs.push({ ...e, field: `spec.volumeClaimTemplates[${i}].${e.field ?? ''}`.replace(/\.$/, '') });
  });
  return errs;
}

export const STATEFULSET_SPEC_FORBIDDEN =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

export function validateStatefulSetUpdate(sts: KubeObject, old: KubeObject): ErrorList {
  const errs = validateObjectMetaUpdate(sts.metadata, old.metadata);
  const spec = { ...(objAt(sts, 'spec') ?? {}) };
  const oldSpec = { ...(objAt(old, 'spec') ?? {}) };
  for (const k of ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']) {
    delete spec[k];
    delete oldSpec[k];
  }
  if (!deepEqual(spec, oldSpec)) errs.push(forbidden('spec', STATEFULSET_SPEC_FORBIDDEN));
  return errs;
}

export function validateControllerRevision(cr: KubeObject): ErrorList {
  const errs = meta(cr);
  if (cr.data === undefined || cr.data === null) errs.push(required('data', ''));
  errs.push(...validateNonnegative(cr.revision, 'revision'));
  return errs;
}

export function validateControllerRevisionUpdate(cr: KubeObject, old: KubeObject): ErrorList {
  return [...validateObjectMetaUpdate(cr.metadata, old.metadata), ...validateImmutableField(cr.data, old.data, 'data')];
}
