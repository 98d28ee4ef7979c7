#!/usr/bin/env node
/**
 * `npm run check:bundle`: the web app's size budgets (WEBAPP.md §6.7), from dist/web/.vite/manifest.json.
 * Every chunk is gzipped (level 9, what `serve` sends) and:
 *   - initial JS of each route (the entry, its static imports, the shell chunk for authenticated
 *     pages, and the route's lazy page chunk, each with its static imports) ≤ 160 kB;
 *   - the largest single lazy chunk ≤ 60 kB;
 *   - all CSS ≤ 25 kB.
 * Prints a table; exits 1 when over budget or when the build is missing.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const KB = 1000;
const BUDGET = { initialJs: 160 * KB, lazyChunk: 60 * KB, css: 25 * KB };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webDir = path.resolve(root, process.argv[2] ?? 'dist/web');
const manifestPath = path.join(webDir, '.vite', 'manifest.json');
if (!existsSync(manifestPath)) {
  console.error(`check:bundle: ${path.relative(root, manifestPath)} is missing. Run \`npm run build\` first.`);
  process.exit(1);
}
/** @type {Record<string, {file: string, name?: string, src?: string, isEntry?: boolean, isDynamicEntry?: boolean, imports?: string[], dynamicImports?: string[], css?: string[]}>} */
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));

const gzipCache = new Map();
const gz = (file) => {
  if (!gzipCache.has(file)) gzipCache.set(file, gzipSync(readFileSync(path.join(webDir, file)), { level: 9 }).length);
  return gzipCache.get(file);
};

/** The chunk files a manifest key loads statically (itself and its imports, transitively). */
function staticClosure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const imported of manifest[key]?.imports ?? []) staticClosure(imported, seen);
  return seen;
}
const files = (keys) => new Set([...keys].map((key) => manifest[key].file));
const sum = (fileSet) => [...fileSet].reduce((total, file) => total + gz(file), 0);
const kb = (bytes) => `${(bytes / KB).toFixed(1)} kB`;

const entries = Object.keys(manifest).filter((key) => manifest[key].isEntry);
// The authenticated pages render inside the lazily loaded shell (web/src/routes.tsx): their route
// loads the shell chunk too. The auth pages (src/features/auth/) do not.
const SHELL = 'src/shell/AppShell.tsx';
// A route is a page the entry imports lazily (web/src/routes.tsx). A dialog or panel a page loads on
// first use is a dynamic entry too, but not a route: it is a lazy chunk (≤ 60 kB, below), loaded
// after the page, so it does not count toward any route's initial JS.
const routeKeys = new Set(entries.flatMap((entry) => manifest[entry].dynamicImports ?? []));
const pages = Object.keys(manifest).filter((key) => manifest[key].isDynamicEntry && routeKeys.has(key) && key !== SHELL);
const layoutOf = (page) => (manifest[SHELL] && !page.startsWith('src/features/auth/') ? [SHELL] : []);
const rows = [];
let failed = false;

for (const entry of entries) {
  const initial = files(staticClosure(entry));
  const entryTotal = sum(initial);
  for (const page of pages) {
    const routeFiles = new Set([...initial, ...files(staticClosure(page)), ...layoutOf(page).flatMap((layout) => [...files(staticClosure(layout))])]);
    const total = sum(routeFiles);
    const over = total > BUDGET.initialJs;
    failed ||= over;
    rows.push({ check: `initial JS: ${manifest[page].name ?? page}`, size: kb(total), budget: kb(BUDGET.initialJs), ok: over ? 'OVER' : 'ok' });
  }
  rows.unshift({ check: `entry + static imports (${manifest[entry].file})`, size: kb(entryTotal), budget: kb(BUDGET.initialJs), ok: entryTotal > BUDGET.initialJs ? 'OVER' : 'ok' });
  failed ||= entryTotal > BUDGET.initialJs;
}

const initialFiles = new Set(entries.flatMap((entry) => [...files(staticClosure(entry))]));
const lazyFiles = [...new Set(Object.values(manifest).map((chunk) => chunk.file))].filter((file) => file.endsWith('.js') && !initialFiles.has(file));
const largestLazy = lazyFiles.map((file) => ({ file, size: gz(file) })).sort((a, b) => b.size - a.size)[0];
if (largestLazy) {
  const over = largestLazy.size > BUDGET.lazyChunk;
  failed ||= over;
  rows.push({ check: `largest lazy chunk (${largestLazy.file})`, size: kb(largestLazy.size), budget: kb(BUDGET.lazyChunk), ok: over ? 'OVER' : 'ok' });
}

const cssFiles = new Set(Object.values(manifest).flatMap((chunk) => chunk.css ?? []));
for (const key of Object.keys(manifest)) if (manifest[key].file.endsWith('.css')) cssFiles.add(manifest[key].file);
const cssTotal = sum(cssFiles);
failed ||= cssTotal > BUDGET.css;
rows.push({ check: `CSS (${cssFiles.size} file${cssFiles.size === 1 ? '' : 's'})`, size: kb(cssTotal), budget: kb(BUDGET.css), ok: cssTotal > BUDGET.css ? 'OVER' : 'ok' });

const width = Math.max(...rows.map((row) => row.check.length));
console.log(`${'check'.padEnd(width)}  ${'gzip'.padStart(9)}  ${'budget'.padStart(9)}  result`);
for (const row of rows) console.log(`${row.check.padEnd(width)}  ${row.size.padStart(9)}  ${row.budget.padStart(9)}  ${row.ok}`);
if (failed) {
  console.error('check:bundle: over budget (WEBAPP.md §6.7).');
  process.exit(1);
}
console.log('check:bundle: within budget.');
