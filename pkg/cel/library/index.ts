// The Kubernetes CEL extension library: every function upstream's apiserver adds
// to CEL that the CEL library does not already have.
import type { Environment } from '@marcbachmann/cel-js';
import { registerAuthz } from './authz.js';
import { registerLists } from './lists.js';
import { registerQuantity } from './quantity.js';
import { registerRegex } from './regex.js';
import { registerStrings } from './strings.js';
import { registerURL } from './url.js';

export function registerKubernetesLibrary(env: Environment): void {
  registerStrings(env);
  registerLists(env);
  registerRegex(env);
  registerQuantity(env);
  registerURL(env);
  registerAuthz(env);
}
