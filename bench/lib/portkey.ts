/**
 * Portkey's open-source gateway as the peer: installed on demand from npm into bench/.peers/portkey
 * (ignored by git), with @hono/node-server pinned to 1.13.8 (newer versions make every streamed
 * response fail with `TypeError: immutable`), started headless and pointed at the mock with
 * Portkey's own headers. Its server calls listen(port) without a host, so a preload makes it bind
 * 127.0.0.1 only.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { onCleanup } from './cleanup.js';
import { peersDir } from './paths.js';
import { freePort, startProcess, waitForHttp } from './processes.js';
import { BENCH_PROVIDER_KEY, type Target } from './targets.js';

export const PORTKEY_VERSION = '1.15.2';
const portkeyDir = path.join(peersDir, 'portkey');
const startScript = path.join(portkeyDir, 'node_modules/@portkey-ai/gateway/build/start-server.js');

export function isPortkeyInstalled(): boolean {
  return existsSync(startScript);
}

/** npm install into bench/.peers/portkey; resolves with a reason instead of throwing. */
export async function installPortkey(timeoutMs = 180_000): Promise<{ ok: true } | { ok: false; reason: string }> {
  mkdirSync(portkeyDir, { recursive: true });
  writeFileSync(
    path.join(portkeyDir, 'package.json'),
    `${JSON.stringify(
      {
        name: 'switchboard-bench-portkey-peer',
        private: true,
        description: 'Installed by `npm run bench -- --portkey`; not part of Switchboard.',
        dependencies: { '@portkey-ai/gateway': PORTKEY_VERSION },
        overrides: { '@hono/node-server': '1.13.8' },
      },
      null,
      2,
    )}\n`,
  );
  return new Promise((resolve) => {
    const npm = spawn('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
      cwd: portkeyDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const unregister = onCleanup('npm install (portkey)', () => {
      npm.kill('SIGTERM');
    });
    const timer = setTimeout(() => npm.kill('SIGTERM'), timeoutMs);
    npm.on('error', (error) => {
      clearTimeout(timer);
      unregister();
      resolve({ ok: false, reason: error.message });
    });
    npm.on('exit', (code, signal) => {
      clearTimeout(timer);
      unregister();
      if (code === 0 && isPortkeyInstalled()) resolve({ ok: true });
      else resolve({ ok: false, reason: `npm install exited with ${code ?? signal}: ${output.trim().split('\n').slice(-5).join(' | ')}` });
    });
  });
}

export async function startPortkey(options: { mockUrl: string; core: number | undefined; loopbackPreload: string; logFile: string }): Promise<Target> {
  const port = await freePort();
  const managed = startProcess({
    label: 'portkey',
    command: process.execPath,
    args: ['--import', options.loopbackPreload, startScript, `--port=${port}`, '--headless'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' },
    cwd: portkeyDir,
    core: options.core,
    logFile: options.logFile,
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, managed, 30_000);
  } catch (error) {
    await managed.stop();
    throw error;
  }
  return {
    name: 'portkey',
    label: `Portkey OSS ${PORTKEY_VERSION}`,
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${BENCH_PROVIDER_KEY}`,
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': `${options.mockUrl}/v1`,
    },
    model: 'gpt-4o-mini',
    pid: managed.pid,
    stop: () => managed.stop(),
  };
}
