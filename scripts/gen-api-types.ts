/**
 * `npm run gen:api-types`: web/src/api/schema.d.ts from the OpenAPI document the server builds
 * (in process: no server, no network). src/http/openapi-document.test.ts fails while the committed
 * file differs from what this produces.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { type OpenAPI3 } from 'openapi-typescript';
import { buildOpenApiDocument } from '../src/http/openapi-document.js';

export const API_TYPES_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/src/api/schema.d.ts');

const HEADER = `/**
 * Generated from the server's OpenAPI document (/api/openapi.json) by openapi-typescript.
 * Do not edit: change the zod schemas under src/ and run \`npm run gen:api-types\`.
 */

`;

export async function renderApiTypes(): Promise<string> {
  return openapiTS(buildOpenApiDocument() as OpenAPI3, { commentHeader: HEADER, silent: true });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(API_TYPES_FILE, await renderApiTypes());
  console.log(`wrote ${path.relative(process.cwd(), API_TYPES_FILE)}`);
}
