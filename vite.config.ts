/**
 * The web app's build (docs/web.md). Tests use vitest.config.ts, which vitest prefers over this
 * file (ENVIRONMENT.md pitfall 6: with root 'web' here vitest would find no tests).
 */
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/**
 * Writes `<file>.br` and `<file>.gz` beside every text asset of 512 bytes or more, so `serve`
 * sends them as they are (src/http/web-app.ts; it compresses on the fly when they are missing).
 */
function precompress(): Plugin {
  return {
    name: 'switchboard-precompress',
    apply: 'build',
    // After the files are written: the bytes on disk are what is served (the minifier and the
    // preload rewriting have run by then).
    writeBundle(options, bundle) {
      const dir = options.dir ?? 'dist/web';
      for (const fileName of Object.keys(bundle)) {
        if (!/\.(js|css|html|svg|json)$/.test(fileName) || fileName.startsWith('.vite/')) continue;
        const file = path.join(dir, fileName);
        const source = readFileSync(file);
        if (source.length < 512) continue;
        writeFileSync(`${file}.br`, brotliCompressSync(source, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(`${file}.gz`, gzipSync(source, { level: 9 }));
      }
    },
  };
}

const server = process.env.SWITCHBOARD_DEV_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: 'web',
  plugins: [react(), tailwindcss(), precompress()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // check:bundle reads dist/web/.vite/manifest.json to add up each route's initial chunks.
    manifest: true,
    // The polyfill is not needed by our browsers and must not become an inline script (CSP).
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
    // Two chunk groups, "core" (React, TanStack, web/src/api) and "kit" (ui/, format/): left to
    // itself rolldown cut modules the entry shares with many lazy pages into a dozen tiny chunks
    // as pages were added (rolldown/rolldown#10731), and every page's initial JS grew ~2.5 kB gzip.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'core', test: /node_modules[\/](react|react-dom|scheduler|@tanstack[\/](react-router|router-core|history|store|react-store|query-core|react-query))[\/]|web[\/]src[\/]api[\/]/ },
            { name: 'kit', test: /web[\/]src[\/](ui[\/](?!uplot-engine|TimeSeriesChart)|format[\/])|features[\/]auth[\/]FormParts/ },
          ],
        },
      },
    },
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: server, changeOrigin: false }, '/v1': { target: server, changeOrigin: false } },
  },
});
