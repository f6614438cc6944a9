// The webhook configurations in memory (upstream's configuration managers): kept
// from the watch caches of both configuration kinds, each webhook with its
// parsed selectors, in the order upstream calls them (configurations sorted by
// name, webhooks in their configuration's order).
import type { MutatingWebhook, ValidatingWebhook } from '../../../../api/admissionregistration/v1/types.js';
import { selectorFromLabelSelector, type Selector } from '../../../../api/labels/selector.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { CacheInformer, CacheInformerHandlers } from '../../cacheinformer.js';
import type { Store } from '../../store.js';

export interface Webhook<W extends MutatingWebhook | ValidatingWebhook> {
  configuration: string;
  webhook: W;
  namespaceSelector: Selector;
  objectSelector: Selector;
}

class Configurations<W extends MutatingWebhook | ValidatingWebhook> implements CacheInformerHandlers {
  private readonly byName = new Map<string, KubeObject>();
  /** Rebuilt on every change (configurations change rarely; requests read this often). */
  hooks: Webhook<W>[] = [];

  onReplace(objects: KubeObject[]): void {
    this.byName.clear();
    for (const o of objects) this.byName.set(o.metadata.name ?? '', o);
    this.rebuild();
  }

  onEvent(type: string, obj: KubeObject): void {
    if (type === 'DELETED') this.byName.delete(obj.metadata.name ?? '');
    else this.byName.set(obj.metadata.name ?? '', obj);
    this.rebuild();
  }

  private rebuild(): void {
    const names = [...this.byName.keys()].sort();
    const hooks: Webhook<W>[] = [];
    for (const name of names) {
      for (const webhook of ((this.byName.get(name) as { webhooks?: W[] }).webhooks ?? []) as W[]) {
        hooks.push({
          configuration: name,
          webhook,
          namespaceSelector: selectorFromLabelSelector(webhook.namespaceSelector ?? {}),
          objectSelector: selectorFromLabelSelector(webhook.objectSelector ?? {}),
        });
      }
    }
    this.hooks = hooks;
  }
}

export class WebhookSource {
  private readonly mutatingConfigs = new Configurations<MutatingWebhook>();
  private readonly validatingConfigs = new Configurations<ValidatingWebhook>();
  private readonly informers: CacheInformer[];
  private synced?: Promise<void>;
  private ready = false;

  constructor(mutating: Store, validating: Store, informer: (store: Store, handlers: CacheInformerHandlers) => CacheInformer) {
    this.informers = [informer(mutating, this.mutatingConfigs), informer(validating, this.validatingConfigs)];
  }

  /** Resolves once both kinds are in memory (started at first use). */
  private async sync(): Promise<void> {
    if (this.ready) return;
    this.synced ??= Promise.all(this.informers.map((i) => i.start())).then(
      () => {
        this.ready = true;
      },
      (err: unknown) => {
        this.synced = undefined;
        throw err;
      },
    );
    await this.synced;
  }

  async mutating(): Promise<Webhook<MutatingWebhook>[]> {
    await this.sync();
    return this.mutatingConfigs.hooks;
  }

  async validating(): Promise<Webhook<ValidatingWebhook>[]> {
    await this.sync();
    return this.validatingConfigs.hooks;
  }
}
