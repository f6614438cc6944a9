// Hand-built SchemaNode fixtures carrying the same patch metadata as the
// Kubernetes types they imitate (core/v1 Pod, apps/v1 Deployment).
import type { SchemaNode } from '../../../api/schema/types.js';

const str: SchemaNode = { type: 'string' };
const int: SchemaNode = { type: 'integer' };
const strMap: SchemaNode = { type: 'map', additionalProperties: str };

export const objectMeta: SchemaNode = {
  type: 'object',
  properties: {
    name: str,
    namespace: str,
    uid: str,
    resourceVersion: str,
    generation: int,
    creationTimestamp: { type: 'date-time' },
    labels: strMap,
    annotations: strMap,
    finalizers: { type: 'array', items: str, patchStrategy: 'merge', listType: 'set' },
    managedFields: { type: 'array', items: { type: 'any' }, listType: 'atomic' },
  },
};

export const containerPort: SchemaNode = {
  type: 'object',
  properties: { name: str, containerPort: int, protocol: str, hostPort: int },
};

export const container: SchemaNode = {
  type: 'object',
  properties: {
    name: str,
    image: str,
    imagePullPolicy: str,
    args: { type: 'array', items: str, listType: 'atomic' },
    ports: {
      type: 'array',
      items: containerPort,
      patchStrategy: 'merge',
      patchMergeKey: 'containerPort',
      listType: 'map',
      listMapKeys: ['containerPort', 'protocol'],
    },
    env: {
      type: 'array',
      items: { type: 'object', properties: { name: str, value: str } },
      patchStrategy: 'merge',
      patchMergeKey: 'name',
      listType: 'map',
      listMapKeys: ['name'],
    },
    resources: { type: 'object', properties: { limits: { type: 'map', additionalProperties: { type: 'quantity' } } } },
  },
};

export const volume: SchemaNode = {
  type: 'object',
  properties: {
    name: str,
    hostPath: { type: 'object', properties: { path: str, type: str } },
    emptyDir: { type: 'object', properties: { medium: str } },
    configMap: { type: 'object', properties: { name: str } },
  },
};

export const toleration: SchemaNode = { type: 'object', properties: { key: str, effect: str, value: str, operator: str } };

export const podSpec: SchemaNode = {
  type: 'object',
  properties: {
    containers: { type: 'array', items: container, patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    volumes: { type: 'array', items: volume, patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    tolerations: { type: 'array', items: toleration, listType: 'atomic' },
    nodeSelector: strMap,
    restartPolicy: str,
  },
};

export const podSchema: SchemaNode = {
  type: 'object',
  properties: {
    apiVersion: str,
    kind: str,
    metadata: objectMeta,
    spec: podSpec,
    status: { type: 'object', properties: { phase: str, podIP: str } },
  },
};

const labelSelector: SchemaNode = {
  type: 'object',
  mapType: 'atomic',
  properties: { matchLabels: strMap },
};

export const deploymentSchema: SchemaNode = {
  type: 'object',
  properties: {
    apiVersion: str,
    kind: str,
    metadata: objectMeta,
    spec: {
      type: 'object',
      properties: {
        replicas: int,
        selector: labelSelector,
        strategy: {
          type: 'object',
          patchStrategy: 'retainKeys',
          properties: {
            type: str,
            rollingUpdate: { type: 'object', properties: { maxSurge: { type: 'int-or-string' }, maxUnavailable: { type: 'int-or-string' } } },
          },
        },
        template: { type: 'object', properties: { metadata: objectMeta, spec: podSpec } },
      },
    },
    status: { type: 'object', properties: { replicas: int, readyReplicas: int } },
  },
};

/** The patch-demo Deployment from the "Update API Objects in Place Using kubectl patch" task. */
export function patchDemo(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'patch-demo', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'patch-demo-ctr', image: 'nginx' }], tolerations: [{ effect: 'NoSchedule', key: 'dedicated', value: 'test-team' }] },
      },
    },
  };
}
