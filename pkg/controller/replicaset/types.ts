// The kind this controller owns, as written into ownerReferences and Events.
export const REPLICASET_GVK = { apiVersion: 'apps/v1', kind: 'ReplicaSet' } as const;
