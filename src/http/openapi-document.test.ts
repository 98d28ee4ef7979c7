import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, renderApiTypes } from '../../scripts/gen-api-types.js';
import { buildOpenApiDocument } from './openapi-document.js';

describe('the OpenAPI document built without a server', () => {
  it('lists the management API with its named schemas', () => {
    const document = buildOpenApiDocument();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths ?? {})).toEqual(expect.arrayContaining(['/api/me', '/api/keys', '/api/teams/{teamId}', '/api/usage']));
    expect(Object.keys(document.components?.schemas ?? {})).toEqual(expect.arrayContaining(['PlatformKey', 'Team', 'Error']));
  });
});

describe('web/src/api/schema.d.ts (issue 7)', () => {
  it('is what `npm run gen:api-types` generates from the current zod schemas', async () => {
    const committed = readFileSync(API_TYPES_FILE, 'utf8');
    const fresh = await renderApiTypes();
    expect(committed === fresh, 'web/src/api/schema.d.ts is stale: run `npm run gen:api-types` and commit the result').toBe(true);
  });
});
