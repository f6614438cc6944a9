// The annotation and label keys, condition types and reasons the deployment controller owns.

/** intstr.IntOrString on the wire (maxSurge, maxUnavailable). */
export type IntOrString = number | string;

export const DEPLOYMENT_GVK = { apiVersion: 'apps/v1', kind: 'Deployment' } as const;

/** apps/v1 DefaultDeploymentUniqueLabelKey. */
export const DefaultDeploymentUniqueLabelKey = 'pod-template-hash';
export const RevisionAnnotation = 'deployment.kubernetes.io/revision';
export const RevisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const DesiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const MaxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
/** The extensions/v1beta1 rollbackTo annotation; never copied between Deployment and ReplicaSet. */
export const DeprecatedRollbackTo = 'deprecated.deployment.rollback.to';
export const LastAppliedConfigAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

// Condition types and reasons, as in pkg/controller/deployment/util.
export const DeploymentAvailable = 'Available';
export const DeploymentProgressing = 'Progressing';
export const DeploymentReplicaFailure = 'ReplicaFailure';
export const ReplicaSetReplicaFailure = 'ReplicaFailure';

export const FailedRSCreateReason = 'ReplicaSetCreateError';
export const NewReplicaSetReason = 'NewReplicaSetCreated';
export const FoundNewRSReason = 'FoundNewReplicaSet';
export const NewRSAvailableReason = 'NewReplicaSetAvailable';
export const TimedOutReason = 'ProgressDeadlineExceeded';
export const PausedDeployReason = 'DeploymentPaused';
export const ResumedDeployReason = 'DeploymentResumed';
export const ReplicaSetUpdatedReason = 'ReplicaSetUpdated';
export const MinimumReplicasAvailable = 'MinimumReplicasAvailable';
export const MinimumReplicasUnavailable = 'MinimumReplicasUnavailable';
