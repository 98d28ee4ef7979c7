#!/usr/bin/env node
/**
 * `npm run check:bundle`: the web app's size budgets (WEBAPP.md §6.7), from dist/web/.vite/manifest.json.
 * Every chunk is gzipped (level 9, what `serve` sends) and:
 *   - initial JS of each route (the entry, its static imports, the shell chunk for authenticated
 *     pages, and the route's lazy page chunk, each with its static imports) ≤ 160 kB;
 *   - the largest single lazy chunk ≤ 60 kB;
 *   - all CSS ≤ 25 kB;
 *   - total JS for / (Overview) with every lazy chunk it can load, uPlot included, ≤ 210 kB;
 *   - the chart library chunk (named uplot-engine: web/src/ui/uplot-engine.ts) ≤ 35 kB.
 * Prints a table; exits 1 when over budget or when the build is missing.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const KB = 1000;
const BUDGET = { initialJs: 160 * KB, lazyChunk: 60 * KB, css: 25 * KB, overviewTotal: 210 * KB, chartLibrary: 35 * KB };

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
// Pages are the route tree's lazy chunks (what the entry's static closure imports dynamically); a
// page's own lazy parts (a chart, a dialog) are not initial JS: the largest-lazy-chunk budget covers them.
const routeChunks = new Set(entries.flatMap((entry) => [...staticClosure(entry)].flatMap((key) => manifest[key].dynamicImports ?? [])));
const pages = Object.keys(manifest).filter((key) => manifest[key].isDynamicEntry && key !== SHELL && routeChunks.has(key));
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

/** Everything a page can load: static and dynamic imports, transitively (not other pages). */
function fullClosure(key, seen = new Set()) {
  if (seen.has(key) || !manifest[key]) return seen;
  seen.add(key);
  // The entry and the shell are counted with their static imports; their dynamic imports are other pages.
  if (manifest[key].isEntry || key === SHELL) return seen;
  for (const imported of [...(manifest[key].imports ?? []), ...(manifest[key].dynamicImports ?? [])]) fullClosure(imported, seen);
  return seen;
}
const OVERVIEW = 'src/features/overview/OverviewPage.tsx';
if (manifest[OVERVIEW]) {
  const overviewFiles = new Set([...initialFiles, ...files(fullClosure(OVERVIEW)), ...(manifest[SHELL] ? files(staticClosure(SHELL)) : [])]);
  const total = [...overviewFiles].filter((file) => file.endsWith('.js')).reduce((sum, file) => sum + gz(file), 0);
  failed ||= total > BUDGET.overviewTotal;
  rows.push({ check: 'total JS for / incl. lazy chunks and uPlot', size: kb(total), budget: kb(BUDGET.overviewTotal), ok: total > BUDGET.overviewTotal ? 'OVER' : 'ok' });
} else {
  failed = true;
  rows.push({ check: `total JS for /: ${OVERVIEW} missing from the manifest`, size: '-', budget: kb(BUDGET.overviewTotal), ok: 'OVER' });
}
const chartChunks = Object.values(manifest).filter((chunk) => /uplot/i.test(chunk.name ?? '') && chunk.file.endsWith('.js'));
if (chartChunks.length === 0) {
  failed = true;
  rows.push({ check: 'chart library (no chunk named uplot-engine)', size: '-', budget: kb(BUDGET.chartLibrary), ok: 'OVER' });
}
for (const chunk of chartChunks) {
  const size = gz(chunk.file);
  failed ||= size > BUDGET.chartLibrary;
  rows.push({ check: `chart library (${chunk.file})`, size: kb(size), budget: kb(BUDGET.chartLibrary), ok: size > BUDGET.chartLibrary ? 'OVER' : 'ok' });
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
