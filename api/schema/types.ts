// A resolved, in-memory schema tree for the served types. Built from the
// @kubernetes/client-node models (see api/README.md); cycles are allowed
// (JSONSchemaProps refers to itself), so walk it lazily, never serialise it whole.

export type SchemaType =
  | 'object' // a struct with known properties
  | 'map' // string keys, values described by additionalProperties
  | 'array'
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'int-or-string' // intstr.IntOrString
  | 'quantity' // resource.Quantity (a string on the wire; numbers accepted)
  | 'date-time' // metav1.Time / MicroTime
  | 'any'; // free-form JSON (RawExtension, JSON in CRD schemas)

export interface SchemaNode {
  type: SchemaType;
  /** The definition name, e.g. io.k8s.api.apps.v1.DeploymentSpec, when this node is a named type. */
  ref?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  additionalProperties?: SchemaNode;
  format?: string;
  /** x-kubernetes-patch-strategy, e.g. 'merge' or 'merge,retainKeys' or 'retainKeys'. */
  patchStrategy?: string;
  /** x-kubernetes-patch-merge-key */
  patchMergeKey?: string;
  /** x-kubernetes-list-type */
  listType?: 'atomic' | 'set' | 'map';
  /** x-kubernetes-list-map-keys */
  listMapKeys?: string[];
  /** x-kubernetes-map-type */
  mapType?: 'atomic' | 'granular';
  /** x-kubernetes-unions and other markers are not needed yet. */
}
