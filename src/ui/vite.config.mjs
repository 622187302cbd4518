// The web UI's build: a separate Vite project rooted here, built into dist/ui and served by the service at /ui/
// (src/adapters/http/ui-router.ts). Plain JavaScript so that Vite loads it as it is (--configLoader native).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/ui/',
  publicDir: false,
  logLevel: 'warn',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: here('../../dist/ui'),
    emptyOutDir: true,
    target: 'es2022',
    // The Content-Security-Policy allows no inline script; no module preload polyfill is needed by the browsers
    // that run ES2022 either.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
    reportCompressedSize: false,
  },
});
