// The kinds this controller writes and the labels it owns.

export const STATEFULSET_GVK = { apiVersion: 'apps/v1', kind: 'StatefulSet' } as const;
export const CONTROLLER_REVISION_GVK = { apiVersion: 'apps/v1', kind: 'ControllerRevision' } as const;
export const POD_GVK = { apiVersion: 'v1', kind: 'Pod' } as const;

/** apps.StatefulSetPodNameLabel */
export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** apps.PodIndexLabel */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** apps.StatefulSetRevisionLabel (= ControllerRevisionHashLabelKey) */
export const STATEFULSET_REVISION_LABEL = 'controller-revision-hash';
