import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The KASS web chat: a static page. The API endpoints and sign-in settings are read at run time from
 * `/config.json` (written at deploy by the hosting construct, or served by `kass web`), never built in.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts or styles: the page runs under `script-src 'self'; style-src 'self'`.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
