// client-go's Reflector: list, then watch from the list's resourceVersion, and keep
// a sink (the informer) in step with the server. A watch that merely ends or drops
// is resumed from the last resourceVersion seen (events or bookmarks); only a
// 410 Expired/Gone - the server no longer has that history - forces a relist.
import type { KubeList, KubeObject } from '../../api/meta/v1/types.js';
// isStatus from status.js, not rest.js: the reflector and informer then load without
// @kubernetes/client-node, so a program with its own ListerWatcher (the web view's in-cluster
// client, on the node image) ships without it.
import { isStatus } from '../../api/meta/v1/status.js';
import type { ListOptions, ResourceClient, WatchHandle, WatchHandler, WatchOptions } from './rest.js';

export interface ListerWatcher<T extends KubeObject> {
  list(opts: ListOptions): Promise<KubeList<T>>;
  watch(opts: WatchOptions, onEvent: WatchHandler<T>): Promise<WatchHandle>;
}

/** A ListerWatcher for a resource, restricted by selectors (and the client's namespace, if scoped). */
export function listerWatcherFor<T extends KubeObject>(
  client: ResourceClient<T>,
  sel: { labelSelector?: string; fieldSelector?: string } = {},
): ListerWatcher<T> {
  return {
    list: (opts) => client.list({ ...sel, ...opts }),
    watch: (opts, onEvent) => client.watch({ ...sel, ...opts }, onEvent),
  };
}

/** What the reflector feeds: the informer's store-and-notify step. */
export interface ReflectorSink<T extends KubeObject> {
  replace(items: T[], resourceVersion: string): void;
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T): void;
}

export interface ReflectorOptions {
  /** Page size for the list (client-go lists in chunks of 500); 0 lists in one request. */
  pageSize?: number;
  /** Server-side watch timeout; each watch gets a random value in [min, 2*min) so clients do not reconnect in step. */
  minWatchTimeoutSeconds?: number;
  /** First and maximum delay between failed attempts. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  name?: string;
  log?: (msg: string) => void;
}

export class Reflector<T extends KubeObject> {
  private resourceVersion = '';
  private stopped = true;
  private current?: WatchHandle;
  private wake?: () => void;
  private loop?: Promise<void>;
  /** Counters, for tests and metrics. */
  readonly stats = { lists: 0, watches: 0, relistsOnExpired: 0 };

  constructor(
    private readonly lw: ListerWatcher<T>,
    private readonly sink: ReflectorSink<T>,
    private readonly opts: ReflectorOptions = {},
  ) {}

  /** The last resourceVersion the sink has been brought up to. */
  lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  run(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.listAndWatch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.stop();
    this.wake?.();
    await this.loop;
  }

  private log(msg: string): void {
    this.opts.log?.(`reflector ${this.opts.name ?? ''}: ${msg}`);
  }

  private async listAndWatch(): Promise<void> {
    const initial = this.opts.initialBackoffMs ?? 100;
    const max = this.opts.maxBackoffMs ?? 10_000;
    let backoff = initial;
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.list();
        const progressed = await this.watchOnce();
        backoff = initial;
        // A watch that ended without delivering anything may mean a server that closes at once; do not spin.
        if (!progressed) await this.sleep(initial);
      } catch (err) {
        if (this.stopped) break;
        if (isStatus(err, 410)) {
          this.log(`watch of resourceVersion ${this.resourceVersion} expired (${(err as Error).message}); relisting`);
          this.stats.relistsOnExpired++;
          this.resourceVersion = '';
          continue;
        }
        this.log(`${(err as Error).message}; retrying in ${backoff} ms`);
        await this.sleep(backoff);
        backoff = Math.min(max, backoff * 2);
      }
    }
  }

  private async list(): Promise<void> {
    this.stats.lists++;
    const pageSize = this.opts.pageSize ?? 500;
    const items: T[] = [];
    let rv = '';
    let cont: string | undefined;
    do {
      let page: KubeList<T>;
      try {
        page = await this.lw.list(pageSize ? { limit: pageSize, continue: cont } : {});
      } catch (err) {
        // An expired continue token: fall back to one full list, as client-go's pager does.
        if (cont && isStatus(err, 410)) {
          cont = undefined;
          items.length = 0;
          page = await this.lw.list({});
        } else throw err;
      }
      if (!rv) rv = page.metadata?.resourceVersion ?? '';
      for (const item of page.items ?? []) items.push(item);
      cont = page.metadata?.continue || undefined;
      if (this.stopped) return;
    } while (cont);
    this.sink.replace(items, rv);
    this.resourceVersion = rv;
  }

  /** One watch from the current resourceVersion; resolves when it ends cleanly, throws on errors. */
  private async watchOnce(): Promise<boolean> {
    const min = this.opts.minWatchTimeoutSeconds ?? 300;
    const timeoutSeconds = Math.floor(min * (1 + Math.random()));
    this.stats.watches++;
    let progressed = false;
    const handle = await this.lw.watch({ resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds }, (type, obj) => {
      if (this.stopped) return;
      progressed = true;
      switch (type) {
        case 'ADDED':
          this.sink.add(obj);
          break;
        case 'MODIFIED':
          this.sink.update(obj);
          break;
        case 'DELETED':
          this.sink.delete(obj);
          break;
        case 'BOOKMARK':
          break; // only moves the resourceVersion forward
        default:
          return;
      }
      const rv = obj.metadata?.resourceVersion;
      if (rv) this.resourceVersion = rv;
    });
    this.current = handle;
    if (this.stopped) handle.stop();
    const err = await handle.done;
    this.current = undefined;
    if (err && !this.stopped) throw err;
    return progressed;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
