// The loop the certificate controllers share, after upstream's
// pkg/controller/certificates/certificate_controller.go: every request that is
// added or changes is queued; a request that already has its certificate is
// done; the others go to the controller's handler, with a copy to change.
import type { CertificateSigningRequest } from '../../../api/certificates/v1/types.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import type { ResourceClient } from '../../client/rest.js';
import { BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, RateLimitingQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../context.js';

export const CSR_RESOURCE = 'certificatesigningrequests';

export type CSRHandler = (csr: CertificateSigningRequest) => Promise<void>;

/** An error that retries the request without logging it as a failure (upstream's IgnorableError). */
export class IgnorableError extends Error {}

export class CertificateController implements Controller {
  // Retries from 200 ms up to 1000 s per request, and 10 per second (burst 100) overall.
  readonly queue: RateLimitingQueue<string>;
  readonly informer: SharedIndexInformer<CertificateSigningRequest>;
  readonly client: ResourceClient<CertificateSigningRequest>;

  constructor(
    private readonly name: string,
    private readonly deps: ControllerContext,
    private readonly handler: CSRHandler,
  ) {
    this.queue = new RateLimitingQueue<string>(
      new MaxOfRateLimiter(new ItemExponentialFailureRateLimiter(200, 1000_000), new BucketRateLimiter(10, 100)),
      name,
    );
    this.informer = deps.informers.forResource<CertificateSigningRequest>('certificates.k8s.io/v1', CSR_RESOURCE);
    this.client = deps.client.resource<CertificateSigningRequest>('certificates.k8s.io/v1', CSR_RESOURCE);
    const enqueue = (csr: CertificateSigningRequest) => csr.metadata.name && this.queue.add(csr.metadata.name);
    this.informer.addEventHandler({ onAdd: enqueue, onUpdate: (_, cur) => enqueue(cur), onDelete: enqueue });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    this.deps.log(`starting certificate controller ${this.name}`, { workers });
    this.deps.informers.start();
    await this.informer.waitForCacheSync();
    const worker = async () => {
      for (;;) {
        const item = await this.queue.get();
        if (item.shutdown) return;
        try {
          await this.sync(item.key);
          this.queue.forget(item.key);
        } catch (err) {
          this.queue.addRateLimited(item.key);
          const log = err instanceof IgnorableError ? this.deps.log.v(4) : this.deps.log;
          log(`${this.name}: sync ${item.key} failed: ${(err as Error).message}`);
        } finally {
          this.queue.done(item.key);
        }
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
    this.deps.log(`certificate controller ${this.name} stopped`);
  }

  /** syncFunc: hands a request without a certificate to the handler. */
  async sync(name: string): Promise<void> {
    const csr = this.informer.lister.get(name);
    if (!csr) return; // deleted
    if (csr.status?.certificate) return; // already issued
    await this.handler(structuredClone(csr));
  }
}
