// Builds the image catalogue and pushes it to the local registry, starting the
// registry if nothing answers on the port (it is left running for containerd).
//   node dist/hack/images/build.js [--port 5000] [--cache-dir /var/cache/timonel/images] [--only nginx,redis]
import { parseArgs } from 'node:util';
import { DEFAULT_IMAGE_CACHE_DIR, ensureImages } from '../../pkg/cluster/images.js';
import { DEFAULT_REGISTRY_PORT, startRegistry } from '../../pkg/cluster/registry.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: String(DEFAULT_REGISTRY_PORT) },
    'cache-dir': { type: 'string', default: DEFAULT_IMAGE_CACHE_DIR },
    only: { type: 'string' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`--port must be a TCP port, got ${values.port}`);
const cacheDir = values['cache-dir'] as string;
const started = Date.now();
const registry = await startRegistry(cacheDir, port);
console.log(registry.pid ? `registry: started at ${registry.url} (pid ${registry.pid})` : `registry: already running at ${registry.url}`);
const summary = await ensureImages({
  cacheDir,
  registry: registry.addr,
  only: values.only?.split(',').filter(Boolean),
  progress: (msg) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`),
});
for (const i of summary.images) {
  console.log(
    `${i.name}: ${i.buildSeconds ? `built in ${i.buildSeconds.toFixed(1)}s` : 'cached'}, ${(i.compressedBytes / 1e6).toFixed(1)} MB compressed, ${(i.uncompressedBytes / 1e6).toFixed(1)} MB unpacked`,
  );
}
console.log(`pushed ${summary.pushed.length} tag(s), ${summary.present.length} already present`);
