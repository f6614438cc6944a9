// The kinds this controller owns, as written into ownerReferences, Events and revisions.

export const DAEMONSET_GVK = { apiVersion: 'apps/v1', kind: 'DaemonSet' } as const;
export const CONTROLLER_REVISION_GVK = { apiVersion: 'apps/v1', kind: 'ControllerRevision' } as const;
