// Well-known label keys of discovery.k8s.io/v1 (upstream's discovery/v1
// well_known_labels.go) that more than one component reads or writes.

/** The label that ties an EndpointSlice to its Service (discovery.LabelServiceName). */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** Who manages an EndpointSlice (discovery.LabelManagedBy). */
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** On an Endpoints object: the EndpointSlice mirroring controller leaves it alone (discovery.LabelSkipMirror). */
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
