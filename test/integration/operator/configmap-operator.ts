// An operator as users write them against the Kubernetes watch API, run as its own
// process: it reconciles each ConfigTemplate (templates.example.timonel.dev/v1) into a
// ConfigMap named after it with the template's data, reports the ConfigMap and the
// generation it saw in the template's status, and removes the ConfigMap through its
// finalizer when the template is deleted.
//
// Built on @kubernetes/client-node's own informer (makeInformer) and typed APIs. The one
// operator framework on npm for Node (@dot-i/k8s-operator, last released 1.3.9)
// depends on @kubernetes/client-node ^0.20, whose API the 1.x client replaced (object
// parameters, a fetch-based transport), so it does not work with client-node 1.x.
//
// Usage: node configmap-operator.js <kubeconfig> <namespace>
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, makeInformer, type KubernetesObject, type V1ConfigMap } from '@kubernetes/client-node';

const GROUP = 'templates.example.timonel.dev';
const VERSION = 'v1';
const PLURAL = 'configtemplates';
const FINALIZER = 'templates.example.timonel.dev/configmap';

interface ConfigTemplate extends KubernetesObject {
  spec?: { data?: Record<string, string> };
  status?: { configMap?: string; observedGeneration?: number };
}

const [kubeconfig, namespace] = process.argv.slice(2);
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
const objects = kc.makeApiClient(CustomObjectsApi);
const base = { group: GROUP, version: VERSION, namespace, plural: PLURAL };

function log(msg: string): void {
  process.stdout.write(`${msg}\n`);
}

function isNotFound(err: unknown): boolean {
  return err instanceof ApiException && err.code === 404;
}

async function readConfigMap(name: string): Promise<V1ConfigMap | undefined> {
  try {
    return await core.readNamespacedConfigMap({ name, namespace });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** One reconcile of the template named name, from what the API server has now. */
async function reconcile(name: string): Promise<void> {
  let template: ConfigTemplate;
  try {
    template = (await objects.getNamespacedCustomObject({ ...base, name })) as ConfigTemplate;
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  const meta = template.metadata ?? {};
  const finalizers = meta.finalizers ?? [];
  const configMapName = `${name}-config`;
  if (meta.deletionTimestamp) {
    if (!finalizers.includes(FINALIZER)) return;
    try {
      await core.deleteNamespacedConfigMap({ name: configMapName, namespace });
      log(`deleted configmap ${configMapName}`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const rest = finalizers.filter((f) => f !== FINALIZER);
    await objects.patchNamespacedCustomObject({
      ...base,
      name,
      body: [
        { op: 'test', path: '/metadata/resourceVersion', value: meta.resourceVersion },
        { op: 'replace', path: '/metadata/finalizers', value: rest },
      ],
    });
    log(`released ${name}`);
    return;
  }
  if (!finalizers.includes(FINALIZER)) {
    const op = meta.finalizers
      ? { op: 'add', path: '/metadata/finalizers/-', value: FINALIZER }
      : { op: 'add', path: '/metadata/finalizers', value: [FINALIZER] };
    await objects.patchNamespacedCustomObject({ ...base, name, body: [op] });
    return; // the update brings another reconcile
  }
  const data = template.spec?.data ?? {};
  const existing = await readConfigMap(configMapName);
  const body: V1ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: configMapName, namespace, labels: { 'app.kubernetes.io/managed-by': 'configmap-operator' } },
    data,
  };
  if (!existing) {
    await core.createNamespacedConfigMap({ namespace, body });
    log(`created configmap ${configMapName}`);
  } else if (JSON.stringify(existing.data ?? {}) !== JSON.stringify(data)) {
    body.metadata = { ...body.metadata, resourceVersion: existing.metadata?.resourceVersion };
    await core.replaceNamespacedConfigMap({ name: configMapName, namespace, body });
    log(`updated configmap ${configMapName}`);
  }
  const generation = meta.generation ?? 0;
  if (template.status?.configMap !== configMapName || template.status?.observedGeneration !== generation) {
    await objects.patchNamespacedCustomObjectStatus({
      ...base,
      name,
      body: [{ op: 'add', path: '/status', value: { configMap: configMapName, observedGeneration: generation } }],
    });
    log(`status ${name} generation ${generation}`);
  }
}

// A minimal work queue: one reconcile per key at a time, a key queued again while it runs is run once more.
const running = new Set<string>();
const again = new Set<string>();
function enqueue(name: string): void {
  if (running.has(name)) {
    again.add(name);
    return;
  }
  running.add(name);
  reconcile(name)
    .catch((err: unknown) => {
      log(`error ${name}: ${err instanceof Error ? err.message : String(err)}`);
      again.add(name);
    })
    .finally(() => {
      running.delete(name);
      if (again.delete(name)) setTimeout(() => enqueue(name), 50);
    });
}

const informer = makeInformer<ConfigTemplate>(
  kc,
  `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`,
  () => objects.listNamespacedCustomObject(base) as Promise<{ metadata: object; items: ConfigTemplate[] }>,
);
for (const event of ['add', 'update'] as const) informer.on(event, (obj) => enqueue(obj.metadata?.name ?? ''));
informer.on('error', (err: unknown) => {
  log(`watch error: ${String(err)}`);
  setTimeout(() => void informer.start(), 500);
});
informer.on('connect', () => log('watching'));
await informer.start();
log('started');
process.on('SIGTERM', () => {
  void informer.stop();
  process.exit(0);
});
