// Subresources other than status: scale, pods/binding, pods/eviction,
// namespaces/finalize, and the node-proxied ones (log, exec, ...), which need a
// kubelet to answer.
import type { Request, Response } from 'express';
import type { KubeObject } from '../../api/meta/v1/types.js';
import { StatusError, newBadRequest, newConflict, newInvalid, newMethodNotSupported, newNotFound } from '../../api/meta/v1/status.js';
import { labelSelectorAsString, type LabelSelector } from '../util/labels/selector.js';
import { nowRFC3339, type PatchType, type RequestContext } from '../registry/store.js';
import { applyJSONPatch } from './patch/jsonpatch.js';
import { applyMergePatch } from './patch/mergepatch.js';
import { decodeBody, decodePatch, patchTypeOf, responseFormat } from './negotiation.js';
import { sendObject, type ResourceRoute } from './handlers.js';
import type { Evictions } from './eviction.js';
import type { NodeProxy } from './nodeproxy.js';

type Query = Record<string, string | undefined>;

interface Scale extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

function successStatus(code: number): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
}

function ctxOf(route: ResourceRoute, q: Query): RequestContext {
  return { namespace: route.namespace, dryRun: q.dryRun === 'All', fieldManager: q.fieldManager, fieldValidation: 'Ignore', warnings: [] };
}

export class SubresourceHandlers {
  constructor(
    private readonly evictions: () => Evictions,
    private readonly nodeProxy: () => NodeProxy | undefined = () => undefined,
  ) {}

  async handle(req: Request, res: Response, route: ResourceRoute, q: Query): Promise<void> {
    const method = req.method.toUpperCase();
    switch (route.subresource) {
      case 'scale': return this.scale(req, res, route, q, method);
      case 'binding':
        if (method !== 'POST') throw newMethodNotSupported('pods/binding', method);
        return this.binding(req, res, route, q);
      case 'eviction':
        if (method !== 'POST') throw newMethodNotSupported('pods/eviction', method);
        return this.eviction(req, res, route, q);
      case 'finalize':
        if (method !== 'PUT') throw newMethodNotSupported('namespaces/finalize', method);
        return this.finalize(req, res, route);
      default:
        return this.nodeProxied(req, res, route, method);
    }
  }

  // ---- scale (autoscaling/v1 Scale) ----

  private toScale(obj: KubeObject): Scale {
    const spec = (obj.spec ?? {}) as { replicas?: number; selector?: LabelSelector };
    const status = (obj.status ?? {}) as { replicas?: number };
    const m = obj.metadata;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
      spec: { replicas: spec.replicas ?? 0 },
      status: { replicas: status.replicas ?? 0, selector: labelSelectorAsString(spec.selector) },
    };
  }

  private async scale(req: Request, res: Response, route: ResourceRoute, q: Query, method: string): Promise<void> {
    const format = responseFormat(req.get('accept'), false);
    const ctx = ctxOf(route, q);
    const name = route.name as string;
    if (method === 'GET') return sendObject(res, 200, this.toScale(await route.store.get(ctx, name)), format);
    if (method !== 'PUT' && method !== 'PATCH') throw newMethodNotSupported(`${route.info.plural}/scale`, method);
    for (let attempt = 0; ; attempt++) {
      const current = await route.store.get(ctx, name);
      let scale: Scale;
      if (method === 'PUT') {
        scale = decodeBody(req.get('content-type'), req.body as Buffer) as Scale;
      } else {
        const type: PatchType = patchTypeOf(req.get('content-type'));
        const patch = decodePatch(type, req.body as Buffer);
        const base = this.toScale(current);
        scale = (type === 'json' ? applyJSONPatch(base, patch) : applyMergePatch(base, patch as Record<string, unknown>)) as Scale;
      }
      const replicas = scale?.spec?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw newInvalid('Scale', 'autoscaling', name, [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0` }]);
      }
      const wantRV = scale.metadata?.resourceVersion;
      if (method === 'PUT' && wantRV && wantRV !== current.metadata.resourceVersion) {
        throw newConflict({ group: route.info.group, resource: route.info.plural, name }, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      const next = structuredClone(current);
      next.spec = { ...(next.spec as object), replicas };
      try {
        const updated = await route.store.update(ctx, name, next);
        return sendObject(res, 200, this.toScale(updated), format);
      } catch (err) {
        if (err instanceof StatusError && err.reason === 'Conflict' && !wantRV && attempt < 5) continue;
        throw err;
      }
    }
  }

  // ---- pods/binding: the scheduler's write ----

  private async binding(req: Request, res: Response, route: ResourceRoute, q: Query): Promise<void> {
    const binding = decodeBody(req.get('content-type'), req.body as Buffer) as { metadata?: { name?: string }; target?: { kind?: string; name?: string } };
    const name = route.name as string;
    if (binding?.metadata?.name && binding.metadata.name !== name) throw newBadRequest('the name of the binding does not match the name of the pod');
    const node = binding?.target?.name;
    if (!node) throw newInvalid('Binding', '', name, [{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
    if (binding.target?.kind && binding.target.kind !== 'Node') throw newInvalid('Binding', '', name, [{ reason: 'FieldValueNotSupported', field: 'target.kind', message: `Unsupported value: "${binding.target.kind}": supported values: "Node"` }]);
    const storage = route.store.storage;
    for (let attempt = 0; ; attempt++) {
      // First try the watch cache's copy (upstream GuaranteedUpdate's cachedExistingObject):
      // the write is guarded on its resourceVersion, so a stale copy only costs a Conflict
      // and a retry from etcd. nodeName and deletionTimestamp are never unset, so a stale
      // copy that has them set is also right to refuse.
      const cached = attempt === 0 ? storage.cache.get(storage.key(route.namespace, name)) : undefined;
      const pod = cached ? { ...cached, spec: { ...(cached.spec as object) }, status: { ...(cached.status as object) } } : await storage.mustGet(route.namespace, name);
      const spec = (pod.spec ?? {}) as { nodeName?: string };
      if (pod.metadata.deletionTimestamp) throw newConflict({ group: '', resource: 'pods', name }, 'pod is being deleted, cannot be assigned to a host');
      if (spec.nodeName) throw newConflict({ group: '', resource: 'pods', name }, `pod ${name} is already assigned to node "${spec.nodeName}"`);
      spec.nodeName = node;
      pod.spec = spec;
      const status = (pod.status ?? {}) as { conditions?: Array<{ type: string; status: string; lastProbeTime?: string | null; lastTransitionTime?: string }> };
      const now = nowRFC3339();
      const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now });
      status.conditions = conditions;
      pod.status = status;
      if (q.dryRun === 'All') return sendObject(res, 201, successStatus(201));
      try {
        await storage.update(pod, Number(pod.metadata.resourceVersion));
        return sendObject(res, 201, successStatus(201));
      } catch (err) {
        if (err instanceof StatusError && err.reason === 'Conflict' && attempt < 5) continue;
        throw err;
      }
    }
  }

  // ---- pods/eviction: a delete that disruption budgets may refuse ----

  private async eviction(req: Request, res: Response, route: ResourceRoute, q: Query): Promise<void> {
    const eviction = decodeBody(req.get('content-type'), req.body as Buffer) as { metadata?: { name?: string }; deleteOptions?: { gracePeriodSeconds?: number } };
    const name = route.name as string;
    if (eviction?.metadata?.name && eviction.metadata.name !== name) throw newBadRequest('name in URL does not match name in Eviction object');
    await this.evictions().evict(ctxOf(route, q), name, eviction?.deleteOptions ?? {});
    sendObject(res, 201, successStatus(201));
  }

  // ---- namespaces/finalize: the namespace controller's last step ----

  private async finalize(req: Request, res: Response, route: ResourceRoute): Promise<void> {
    const body = decodeBody(req.get('content-type'), req.body as Buffer) as { spec?: { finalizers?: string[] } };
    const storage = route.store.storage;
    const name = route.name as string;
    const ns = await storage.mustGet(undefined, name);
    const wanted = body?.spec?.finalizers ?? [];
    ns.spec = { ...(ns.spec as object), finalizers: wanted };
    if (!wanted.length) delete (ns.spec as { finalizers?: string[] }).finalizers;
    if (ns.metadata.deletionTimestamp && !wanted.length && !(ns.metadata.finalizers ?? []).length) {
      const gone = await storage.delete(ns);
      return sendObject(res, 200, gone);
    }
    sendObject(res, 200, await storage.update(ns, Number(ns.metadata.resourceVersion)));
  }

  // ---- log, exec, attach, portforward, nodes/proxy: answered by a kubelet (nodeproxy.ts) ----

  private async nodeProxied(req: Request, res: Response, route: ResourceRoute, method: string): Promise<void> {
    const obj = await route.store.storage.get(route.namespace, route.name as string);
    if (!obj) throw newNotFound({ group: route.info.group, resource: route.info.plural, name: route.name });
    const proxy = this.nodeProxy();
    if (!proxy) throw new StatusError(503, 'ServiceUnavailable', 'the apiserver is not ready to reach kubelets yet');
    const sub = route.subresource;
    if (sub === 'log') {
      if (method !== 'GET') throw newMethodNotSupported('pods/log', method);
      return proxy.podLog(req, res, obj);
    }
    if (sub === 'exec' || sub === 'attach' || sub === 'portforward') {
      if (method !== 'GET' && method !== 'POST') throw newMethodNotSupported(`pods/${sub}`, method);
      return proxy.podStream(req, res, sub, obj);
    }
    return proxy.proxyToNode(req, res, obj, '/');
  }
}
