#!/usr/bin/env node
/**
 * Installs node-llama-cpp (the in-process runtime behind SWITCHBOARD_LOCAL_MODEL_PATH) into
 * ./local-llm, CPU build only, for this platform: about 85 MB and 20 s on linux-x64.
 *
 * Why not a regular dependency: node-llama-cpp lists every prebuilt binary (CUDA, CUDA-ext,
 * Vulkan, …) as optionalDependencies, and npm installs all that match the OS: +723 MB in
 * node_modules for every checkout, most of it GPU code a CPU server never loads. Installing it
 * in its own prefix with --omit=optional keeps the root tree (and its own optional native
 * packages, e.g. rollup's) untouched. Operators who want GPU inference install node-llama-cpp
 * in the root instead (`npm install node-llama-cpp@3.22.1`); the root copy is preferred.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '3.22.1';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const prefix = path.join(root, 'local-llm');

const platform = { linux: 'linux', darwin: 'mac', win32: 'win' }[process.platform];
if (!platform) throw new Error(`node-llama-cpp has no prebuilt binary for ${process.platform}`);
const binary = `@node-llama-cpp/${platform}-${process.arch}${platform === 'mac' && process.arch === 'arm64' ? '-metal' : ''}`;

mkdirSync(prefix, { recursive: true });
if (!existsSync(path.join(prefix, 'package.json'))) {
  writeFileSync(path.join(prefix, 'package.json'), JSON.stringify({ name: 'switchboard-local-llm', private: true }, null, 2) + '\n');
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
execFileSync(
  npm,
  ['install', '--prefix', prefix, '--omit=optional', '--save-exact', '--no-audit', '--no-fund', `node-llama-cpp@${VERSION}`, `${binary}@${VERSION}`],
  { stdio: 'inherit' },
);
console.log(`node-llama-cpp ${VERSION} (${binary}) installed in ${prefix}`);
