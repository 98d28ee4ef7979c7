#!/usr/bin/env node
// The `switchboard` command. Runs the compiled CLI (built by `npm ci`/`npm run build` into dist/).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('switchboard: dist/main.js is missing. Run `npm ci` (or `npm run build`) first.');
  process.exit(1);
}
await import(entry.href);
