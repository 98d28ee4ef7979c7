/**
 * The web app's build (docs/web.md). Tests use vitest.config.ts, which vitest prefers over this
 * file (ENVIRONMENT.md pitfall 6: with root 'web' here vitest would find no tests).
 */
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const server = process.env.SWITCHBOARD_DEV_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: 'web',
  plugins: [react(), tailwindcss()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // check:bundle reads dist/web/.vite/manifest.json to add up each route's initial chunks.
    manifest: true,
    // The polyfill is not needed by our browsers and must not become an inline script (CSP).
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: server, changeOrigin: false }, '/v1': { target: server, changeOrigin: false } },
  },
});
