// What every controller gets from the controller-manager: one API client, the
// shared informers, an event recorder, and a logger.
import type { Client } from '../client/rest.js';
import type { SharedInformerFactory } from '../client/factory.js';
import type { EventRecorder } from '../client/events.js';
import type { Logger } from '../util/log.js';

export interface ControllerContext {
  client: Client;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  log: Logger;
}

export interface Controller {
  run(workers: number, signal: AbortSignal): Promise<void>;
}
