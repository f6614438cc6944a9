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

/** SetDefaults_MatchResources: the policy's matchConstraints and a binding's matchResources. */
function setDefaultsMatchResources(m: Obj | undefined): void {
  if (!m) return;
  setIfAbsent(m, 'matchPolicy', 'Equivalent');
  if (m.namespaceSelector === undefined || m.namespaceSelector === null) m.namespaceSelector = {};
  if (m.objectSelector === undefined || m.objectSelector === null) m.objectSelector = {};
  for (const rule of [...objs(m, 'resourceRules'), ...objs(m, 'excludeResourceRules')]) setIfAbsent(rule, 'scope', '*');
}

export function setDefaultsValidatingAdmissionPolicy(obj: KubeObject): void {
  const spec = objAt(obj as Obj, 'spec');
  if (!spec) return;
  setIfAbsent(spec, 'failurePolicy', 'Fail');
  setDefaultsMatchResources(objAt(spec, 'matchConstraints'));
}

export function setDefaultsValidatingAdmissionPolicyBinding(obj: KubeObject): void {
  setDefaultsMatchResources(objAt(objAt(obj as Obj, 'spec'), 'matchResources'));
}
