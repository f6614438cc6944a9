// Conflicts in volume controllers: a 409 only means the informer cache was behind
// the store (usually our own write not yet seen through the watch), so the key is
// tried again shortly without the failure line runWorkers would print.
import { isStatus } from '../../../client/rest.js';
import type { RateLimitingQueue } from '../../../client/workqueue.js';
import type { Logger } from '../../../util/log.js';

export async function retryOnConflict(queue: RateLimitingQueue<string>, key: string, log: Logger, sync: () => Promise<void>): Promise<void> {
  try {
    await sync();
  } catch (err) {
    if (!isStatus(err, 409)) throw err;
    log.v(3)(`${key}: ${(err as Error).message}; retrying`);
    queue.addRateLimited(key);
  }
}
