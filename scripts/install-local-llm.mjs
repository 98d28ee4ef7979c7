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
 *
 * `--if-missing` (the root package's postinstall, so `npm ci` brings it): does nothing when this
 * version is already there or the root has its own copy, or when SWITCHBOARD_SKIP_LOCAL_LLM_INSTALL=1
 * (servers that never set SWITCHBOARD_LOCAL_MODEL_PATH); a failed install only warns, since only
 * the in-process local model needs it (it then answers `local_unavailable` saying what to run).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '3.22.1';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const prefix = path.join(root, 'local-llm');

const ifMissing = process.argv.includes('--if-missing');
const installedVersion = (dir) => {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'node_modules', 'node-llama-cpp', 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
};
if (ifMissing) {
  if (process.env.SWITCHBOARD_SKIP_LOCAL_LLM_INSTALL === '1') process.exit(0);
  if (installedVersion(prefix) === VERSION || installedVersion(root) !== undefined) process.exit(0);
}

const platform = { linux: 'linux', darwin: 'mac', win32: 'win' }[process.platform];
if (!platform) throw new Error(`node-llama-cpp has no prebuilt binary for ${process.platform}`);
const binary = `@node-llama-cpp/${platform}-${process.arch}${platform === 'mac' && process.arch === 'arm64' ? '-metal' : ''}`;

mkdirSync(prefix, { recursive: true });
if (!existsSync(path.join(prefix, 'package.json'))) {
  writeFileSync(path.join(prefix, 'package.json'), JSON.stringify({ name: 'switchboard-local-llm', private: true }, null, 2) + '\n');
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
try {
  execFileSync(
    npm,
    ['install', '--prefix', prefix, '--omit=optional', '--ignore-scripts', '--save-exact', '--no-audit', '--no-fund', `node-llama-cpp@${VERSION}`, `${binary}@${VERSION}`],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  console.log(`node-llama-cpp ${VERSION} (${binary}) installed in ${prefix}`);
} catch (error) {
  if (!ifMissing) throw error;
  console.warn(`warning: node-llama-cpp could not be installed (${error.message}); the in-process local model (SWITCHBOARD_LOCAL_MODEL_PATH) needs it: run \`npm run local-llm:install\`.`);
}
