// What an admission request is about (upstream's admission.Attributes), as the
// webhook dispatcher sends it in an AdmissionReview.
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { UserInfo } from '../../../auth/user.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionAttributes {
  operation: Operation;
  group: string;
  version: string;
  resource: string;
  /** '' for the main resource. */
  subresource: string;
  kind: string;
  /** '' when the request has none (a create with generateName). */
  name: string;
  /** '' for cluster-scoped resources; a Namespace's own name for requests on namespaces. */
  namespace: string;
  object?: KubeObject;
  oldObject?: KubeObject;
  dryRun: boolean;
  user?: UserInfo;
  /** CreateOptions, UpdateOptions or DeleteOptions, as the request gave them. */
  options?: Record<string, unknown>;
}
