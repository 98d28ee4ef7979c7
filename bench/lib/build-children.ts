/**
 * Compile the scripts that run as their own processes (mock, bare proxy, loopback preload) with
 * the project's tsc into bench/.build. A measured process then carries no TypeScript loader
 * (tsx's hooks thread and esbuild would add memory the bare proxy does not have).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { benchDir, buildDir, rootDir } from './paths.js';

export function buildChildScripts(): { mock: string; bare: string; loopbackPreload: string } {
  execFileSync(process.execPath, [path.join(rootDir, 'node_modules/typescript/bin/tsc'), '-p', path.join(benchDir, 'tsconfig.children.json')], {
    cwd: rootDir,
    stdio: 'inherit',
  });
  return {
    mock: path.join(buildDir, 'mock-upstream.js'),
    bare: path.join(buildDir, 'bare-proxy.js'),
    loopbackPreload: path.join(buildDir, 'loopback-only.js'),
  };
}
