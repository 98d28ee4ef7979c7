import { readFileSync } from 'node:fs';

/** Both src/platform (tsx) and dist/platform (built) sit two levels below the package root. */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
