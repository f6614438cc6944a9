// The bootstrap signer (upstream pkg/controller/bootstrap/bootstrapsigner.go):
// keeps kube-public/cluster-info signed with every bootstrap token that may sign.
// Each such token (a bootstrap-token-<id> Secret in kube-system that has not
// expired and has usage-bootstrap-signing=true) gets a key jws-kubeconfig-<id>
// holding a detached JWS of the ConfigMap's kubeconfig, keyed by the token's
// secret; signatures of tokens that are gone are removed. A joining node that
// holds a token checks with it that the cluster-info it read is the cluster's.
// Every change of a token or of the ConfigMap queues the one key; the worker
// writes only when a signature changes. Something else creates cluster-info
// (`timonel up`, as kubeadm does); the signer only updates it.
import type { ConfigMap, Secret } from '../../../api/core/v1/types.js';
import { SharedInformerFactory } from '../../client/factory.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { isStatus, type ResourceClient } from '../../client/rest.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import {
  BOOTSTRAP_TOKEN_ID_KEY,
  BOOTSTRAP_TOKEN_SECRET_KEY,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  BOOTSTRAP_TOKEN_USAGE_SIGNING_KEY,
  CLUSTER_INFO_NAME,
  CLUSTER_INFO_NAMESPACE,
  JWS_SIGNATURE_KEY_PREFIX,
  KUBECONFIG_KEY,
  getData,
  hasExpired,
  parseSecretName,
} from '../../util/bootstraptoken.js';
import { computeDetachedSignature } from '../../util/jws.js';
import type { Controller, ControllerContext } from '../context.js';

export const TOKEN_SECRET_NAMESPACE = 'kube-system';

/** validateSecretForSigning: the token id and secret of a Secret that may sign now; undefined otherwise. */
export function tokenForSigning(secret: Secret, now: number): { id: string; secret: string } | undefined {
  if (secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return undefined;
  const nameID = parseSecretName(secret.metadata.name ?? '');
  if (!nameID) return undefined;
  const id = getData(secret, BOOTSTRAP_TOKEN_ID_KEY);
  if (id === '' || id !== nameID) return undefined;
  const tokenSecret = getData(secret, BOOTSTRAP_TOKEN_SECRET_KEY);
  if (tokenSecret === '') return undefined;
  // The token cleaner removes expired tokens; until it has, they do not sign.
  if (hasExpired(secret, now)) return undefined;
  if (getData(secret, BOOTSTRAP_TOKEN_USAGE_SIGNING_KEY) !== 'true') return undefined;
  return { id, secret: tokenSecret };
}

/**
 * The data cluster-info should hold, signed by these tokens (id → secret); undefined when
 * it holds no kubeconfig or is signed that way already.
 */
export function signedData(data: ConfigMap['data'], tokens: ReadonlyMap<string, string>): Record<string, string> | undefined {
  const entries = new Map(Object.entries(data ?? {})); // keys are the ConfigMap writer's
  const content = entries.get(KUBECONFIG_KEY);
  if (content === undefined) return undefined;
  const old = new Map<string, string>();
  for (const [key, value] of entries) {
    if (!key.startsWith(JWS_SIGNATURE_KEY_PREFIX)) continue;
    old.set(key.slice(JWS_SIGNATURE_KEY_PREFIX.length), value);
    entries.delete(key);
  }
  let changed = false;
  for (const [id, tokenSecret] of tokens) {
    const sig = computeDetachedSignature(content, id, tokenSecret);
    if (old.get(id) !== sig) changed = true;
    old.delete(id);
    entries.set(JWS_SIGNATURE_KEY_PREFIX + id, sig);
  }
  if (old.size) changed = true;
  return changed ? Object.fromEntries(entries) : undefined;
}

export interface BootstrapSignerOptions {
  now?: () => number;
}

export class BootstrapSigner implements Controller {
  readonly queue = new RateLimitingQueue<string>(undefined, 'bootstrap_signer_queue');
  private readonly secretFactory: SharedInformerFactory;
  private readonly configMapFactory: SharedInformerFactory;
  private readonly secrets: SharedIndexInformer<Secret>;
  private readonly configMaps: SharedIndexInformer<ConfigMap>;
  private readonly configMapClient: ResourceClient<ConfigMap>;
  private readonly now: () => number;
  private readonly key = `${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_NAME}`;

  constructor(
    private readonly deps: ControllerContext,
    opts: BootstrapSignerOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    // Only what the signer's roles let it read: bootstrap tokens in kube-system, cluster-info in kube-public.
    const log = (m: string) => deps.log(m);
    this.secretFactory = new SharedInformerFactory(deps.client, {
      namespace: TOKEN_SECRET_NAMESPACE,
      fieldSelector: `type=${BOOTSTRAP_TOKEN_SECRET_TYPE}`,
      log,
    });
    this.configMapFactory = new SharedInformerFactory(deps.client, {
      namespace: CLUSTER_INFO_NAMESPACE,
      fieldSelector: `metadata.name=${CLUSTER_INFO_NAME}`,
      log,
    });
    this.secrets = this.secretFactory.forResource<Secret>('v1', 'secrets');
    this.configMaps = this.configMapFactory.forResource<ConfigMap>('v1', 'configmaps');
    this.configMapClient = deps.client.resource<ConfigMap>('v1', 'configmaps').namespace(CLUSTER_INFO_NAMESPACE);
    const poke = () => this.queue.add(this.key);
    this.secrets.addEventHandler({ onAdd: poke, onUpdate: poke, onDelete: poke });
    this.configMaps.addEventHandler({ onAdd: poke, onUpdate: poke });
  }

  async run(_workers: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    this.deps.log('starting bootstrap signer');
    this.secretFactory.start();
    this.configMapFactory.start();
    try {
      await Promise.all([this.secrets.waitForCacheSync(), this.configMaps.waitForCacheSync()]);
      // One worker: there is one key.
      await runWorkers(this.queue, 1, () => this.signConfigMap(), { log: (m) => this.deps.log(m) });
    } finally {
      await Promise.all([this.secretFactory.shutdown(), this.configMapFactory.shutdown()]);
    }
    this.deps.log('bootstrap signer stopped');
  }

  /** The tokens that may sign now, by id; of two Secrets for one id the first listed wins. */
  tokens(): Map<string, string> {
    const out = new Map<string, string>();
    for (const s of this.secrets.lister.list(TOKEN_SECRET_NAMESPACE)) {
      const t = tokenForSigning(s, this.now());
      if (t && !out.has(t.id)) out.set(t.id, t.secret);
    }
    return out;
  }

  /** signConfigMap: recompute the signatures of the cached cluster-info and write them if they changed. */
  async signConfigMap(): Promise<void> {
    const cm = this.configMaps.lister.get(CLUSTER_INFO_NAMESPACE, CLUSTER_INFO_NAME);
    if (!cm) return;
    const data = signedData(cm.data, this.tokens());
    if (!data) return;
    try {
      await this.configMapClient.update({ ...cm, data });
      this.deps.log.v(2)('signed cluster-info', {
        configmap: this.key,
        signatures: Object.keys(data).filter((k) => k.startsWith(JWS_SIGNATURE_KEY_PREFIX)).length,
      });
    } catch (err) {
      // A conflict or a deletion comes back as an informer event, which queues the key again.
      if (isStatus(err, 409) || isStatus(err, 404)) return;
      throw err;
    }
  }
}
