// The apiserver pod source (upstream's pkg/kubelet/config/apiserver.go): the pods
// bound to this node, listed and watched with fieldSelector=spec.nodeName=<node>,
// which is the only way the Node authorizer lets a kubelet list or watch pods.
import { escapeValue } from '../../../api/fields/selector.js';
import type { Pod } from '../../../api/core/v1/types.js';
import { SharedInformerFactory } from '../../client/factory.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import type { Client } from '../../client/rest.js';

export interface APIPodSource {
  factory: SharedInformerFactory;
  pods: SharedIndexInformer<Pod>;
}

export function newSourceApiserver(client: Client, nodeName: string, log?: (msg: string) => void): APIPodSource {
  const factory = new SharedInformerFactory(client, { fieldSelector: `spec.nodeName=${escapeValue(nodeName)}`, log });
  return { factory, pods: factory.forResource<Pod>('v1', 'pods') };
}
