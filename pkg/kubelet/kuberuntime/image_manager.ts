// EnsureImageExists (upstream images/image_manager.go): applies imagePullPolicy,
// pulls through CRI PullImage with a per pod+image back-off, and records the same
// Events as upstream (Pulling, Pulled, Failed, BackOff, ErrImageNeverPull). The
// same image requested by many pods at once is pulled once.
import { GrpcStatus, type AuthConfig__Input, type CRIClient, type PodSandboxConfig__Input } from '../../cri/client.js';
import { pullSecretAuths } from '../credentialprovider/keyring.js';
import { Backoff } from '../backoff.js';
import { goDuration } from '../format.js';
import type { Container, Pod, Secret } from '../../../api/core/v1/types.js';

export type ImageError = 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName';

export type EnsureImageResult = { ok: true; imageRef: string } | { ok: false; reason: ImageError; message: string };

export type ContainerEventFn = (pod: Pod, container: Container, type: 'Normal' | 'Warning', reason: string, message: string) => void;

/** Appends ":latest" to an image without tag or digest, as the kubelet does before asking the runtime. */
export function applyDefaultImageTag(image: string): string {
  if (image.includes('@')) return image;
  const lastSlash = image.lastIndexOf('/');
  const last = image.slice(lastSlash + 1);
  return last.includes(':') ? image : `${image}:latest`;
}

/** A gRPC error worded as Go's status.Error prints it ("rpc error: code = NotFound desc = ..."). */
export function grpcErrorMessage(err: unknown): string {
  const e = err as { code?: number; details?: string; message?: string };
  if (typeof e?.code === 'number' && typeof e.details === 'string') {
    const names = GrpcStatus as unknown as Record<number, string>;
    const name = (names[e.code] ?? String(e.code)).toLowerCase().replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
    return `rpc error: code = ${name} desc = ${e.details}`;
  }
  return e?.message ?? String(err);
}

export interface ImageManagerOptions {
  cri: CRIClient;
  event: ContainerEventFn;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** The pod's imagePullSecrets that exist (missing ones are skipped, as upstream does). */
  pullSecrets?: (pod: Pod) => Promise<Secret[]>;
  /** Appended to the message of a pull the registry answered "not found" (where images come from on this node). */
  notFoundHint?: string;
}

export class ImageManager {
  readonly backoff: Backoff;
  private readonly pulls = new Map<string, Promise<{ imageRef: string; size: number; pullMs: number }>>();

  constructor(private readonly opts: ImageManagerOptions) {
    this.backoff = new Backoff(opts.backoffInitialMs ?? 10_000, opts.backoffMaxMs ?? 300_000);
  }

  /** The runtime's image ID for image, or '' when not present. */
  async imageRef(image: string): Promise<string> {
    const res = await this.opts.cri.image.imageStatus({ image: { image } });
    return res.image?.id ?? '';
  }

  async ensureImageExists(pod: Pod, container: Container, sandboxConfig: PodSandboxConfig__Input): Promise<EnsureImageResult> {
    const { event } = this.opts;
    const raw = container.image ?? '';
    if (!raw.trim())
      return {
        ok: false,
        reason: 'InvalidImageName',
        message: `Failed to apply default image tag "${raw}": couldn't parse image name "${raw}": invalid reference format`,
      };
    const image = applyDefaultImageTag(raw);
    const ref = await this.imageRef(image);
    const policy = container.imagePullPolicy ?? (raw.endsWith(':latest') || !/[:@][^/]*$/.test(raw) ? 'Always' : 'IfNotPresent');
    const mustPull = policy === 'Always' || (policy === 'IfNotPresent' && !ref);
    if (!mustPull) {
      if (ref) {
        event(pod, container, 'Normal', 'Pulled', `Container image "${raw}" already present on machine`);
        return { ok: true, imageRef: ref };
      }
      const msg = `Container image "${raw}" is not present with pull policy of Never`;
      event(pod, container, 'Warning', 'ErrImageNeverPull', msg);
      return { ok: false, reason: 'ErrImageNeverPull', message: msg };
    }
    const key = `${pod.metadata.uid}_${raw}`;
    if (this.backoff.isInBackOffSinceUpdate(key)) {
      const msg = `Back-off pulling image "${raw}"`;
      event(pod, container, 'Normal', 'BackOff', msg);
      return { ok: false, reason: 'ImagePullBackOff', message: msg };
    }
    event(pod, container, 'Normal', 'Pulling', `Pulling image "${raw}"`);
    const started = Date.now();
    try {
      const auths = pullSecretAuths(image, (await this.opts.pullSecrets?.(pod)) ?? []);
      const r = await this.pullWithAuths(image, sandboxConfig, auths);
      const total = Date.now() - started;
      event(
        pod,
        container,
        'Normal',
        'Pulled',
        `Successfully pulled image "${raw}" in ${goDuration(r.pullMs)} (${goDuration(total)} including waiting). Image size: ${r.size} bytes.`,
      );
      this.backoff.gc();
      return { ok: true, imageRef: r.imageRef };
    } catch (err) {
      let msg = grpcErrorMessage(err);
      if (this.opts.notFoundHint && /: not found$/.test(msg)) msg += `; ${this.opts.notFoundHint}`;
      event(pod, container, 'Warning', 'Failed', `Failed to pull image "${raw}": ${msg}`);
      this.backoff.next(key, Date.now());
      return { ok: false, reason: 'ErrImagePull', message: msg };
    }
  }

  /** Each matching credential in turn until one pulls (upstream's keyring loop); without any, an anonymous pull. */
  private async pullWithAuths(image: string, sandboxConfig: PodSandboxConfig__Input, auths: AuthConfig__Input[]) {
    if (auths.length === 0) return this.pull(image, sandboxConfig);
    let last: unknown;
    for (const auth of auths) {
      try {
        return await this.pull(image, sandboxConfig, auth);
      } catch (err) {
        last = err;
      }
    }
    throw last;
  }

  /** One PullImage per image and credential at a time; concurrent requests share it. */
  private pull(image: string, sandboxConfig: PodSandboxConfig__Input, auth?: AuthConfig__Input): Promise<{ imageRef: string; size: number; pullMs: number }> {
    const key = auth ? `${image}\0${auth.serverAddress}\0${auth.username}\0${auth.password}\0${auth.identityToken ?? ''}` : image;
    let p = this.pulls.get(key);
    if (!p) {
      p = (async () => {
        const t0 = Date.now();
        const res = await this.opts.cri.image.pullImage({ image: { image }, sandboxConfig, ...(auth ? { auth } : {}) });
        const pullMs = Date.now() - t0;
        const st = await this.opts.cri.image.imageStatus({ image: { image: res.imageRef } }).catch(() => undefined);
        return { imageRef: res.imageRef, size: st?.image?.size ?? 0, pullMs };
      })().finally(() => this.pulls.delete(key));
      this.pulls.set(key, p);
    }
    return p;
  }
}
