// admissionregistration.k8s.io/v1 defaulting, after k8s pkg/apis/admissionregistration/v1/defaults.go.
import type { KubeObject } from '../../meta/v1/types.js';
import { type Obj, objAt, objs, setIfAbsent } from '../../validation/field.js';

function setDefaultsWebhook(hook: Obj, mutating: boolean): void {
  setIfAbsent(hook, 'failurePolicy', 'Fail');
  setIfAbsent(hook, 'matchPolicy', 'Equivalent');
  if (hook.namespaceSelector === undefined || hook.namespaceSelector === null) hook.namespaceSelector = {};
  if (hook.objectSelector === undefined || hook.objectSelector === null) hook.objectSelector = {};
  setIfAbsent(hook, 'timeoutSeconds', 10);
  if (mutating) setIfAbsent(hook, 'reinvocationPolicy', 'Never');
  for (const rule of objs(hook, 'rules')) setIfAbsent(rule, 'scope', '*');
  const service = objAt(objAt(hook, 'clientConfig'), 'service');
  if (service) setIfAbsent(service, 'port', 443);
}

export function setDefaultsValidatingWebhookConfiguration(obj: KubeObject): void {
  for (const hook of objs(obj as Obj, 'webhooks')) setDefaultsWebhook(hook, false);
}

export function setDefaultsMutatingWebhookConfiguration(obj: KubeObject): void {
  for (const hook of objs(obj as Obj, 'webhooks')) setDefaultsWebhook(hook, true);
}
