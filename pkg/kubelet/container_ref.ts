// References to a container in Events (upstream kubecontainer.GenerateContainerRef): the
// pod, with fieldPath naming the container as spec.containers{name},
// spec.initContainers{name} or spec.ephemeralContainers{name}, so `kubectl get events`
// and field selectors tell the containers of one pod apart.
import type { ObjectReference, Pod } from '../../api/core/v1/types.js';

/** Where the named container is in the pod's spec; a container the spec does not list is "implicitly required". */
export function containerFieldPath(pod: Pod, name: string): string {
  const lists: Array<[string, Array<{ name: string }> | undefined]> = [
    ['containers', pod.spec?.containers],
    ['initContainers', pod.spec?.initContainers],
    ['ephemeralContainers', pod.spec?.ephemeralContainers],
  ];
  for (const [field, list] of lists) {
    const i = (list ?? []).findIndex((c) => c?.name === name);
    if (i >= 0) return name === '' ? `spec.${field}[${i}]` : `spec.${field}{${name}}`;
  }
  return `implicitly required container ${name}`;
}

/** The ObjectReference an Event about one container of pod carries. */
export function containerRef(pod: Pod, name: string): ObjectReference {
  return JSON.parse(
    JSON.stringify({
      kind: 'Pod',
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
      uid: pod.metadata.uid,
      apiVersion: 'v1',
      resourceVersion: pod.metadata.resourceVersion,
      fieldPath: containerFieldPath(pod, name),
    }),
  ) as ObjectReference;
}
