// The web view's page: web/dashboard → dist/web/dashboard, which the server
// (pkg/dashboard/server.ts) serves and the add-on's image carries. `make build`
// runs it; `npx vite build web/dashboard` alone rebuilds the page.
import { defineConfig } from 'vite';

export default defineConfig({
  // Relative asset URLs: the page is also reached under kubectl proxy's
  // /api/v1/namespaces/kube-system/services/.../proxy/ prefix.
  base: './',
  build: {
    outDir: '../../dist/web/dashboard',
    emptyOutDir: true,
    // One script and no dynamic imports: nothing to preload, so no polyfill for it.
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
});
