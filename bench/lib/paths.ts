import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/ */
export const benchDir = fileURLToPath(new URL('..', import.meta.url));
/** The repository root (where package.json and bin/ are). */
export const rootDir = path.dirname(benchDir.replace(/\/+$/, ''));
/** Child-process scripts compiled to plain JS, so no TypeScript loader runs inside a measured process. */
export const buildDir = path.join(benchDir, '.build');
export const resultsDir = path.join(benchDir, 'results');
export const peersDir = path.join(benchDir, '.peers');
