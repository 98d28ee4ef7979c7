import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { configVariableNames } from './config.js';

it('documents every environment variable in docs/configuration.md', () => {
  const doc = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
  const names = configVariableNames();
  expect(names.length).toBeGreaterThan(30);
  for (const name of names) expect(doc, name).toContain(`| \`${name}\` |`);
});
