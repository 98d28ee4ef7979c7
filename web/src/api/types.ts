/**
 * The API's shapes as the server documents them: aliases of web/src/api/schema.d.ts, which
 * `npm run gen:api-types` generates from the zod schemas behind /api/openapi.json (docs/web.md
 * "Types"). Never hand-write a response or request shape: when the UI reads a field the document
 * lacks or types too loosely, fix the server's schema and regenerate.
 */
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Operation<P extends keyof paths, M extends Method> = M extends keyof paths[P] ? paths[P][M] : never;
type SuccessResponse<R> = R[Extract<keyof R, 200 | 201 | 204>];
type JsonContent<C> = [C] extends [never] ? void : C extends { 'application/json': infer T } ? T : never;

/** What `method` on `path` (as the document spells it: `/api/teams/{teamId}`) answers with on success; void for 204. */
export type ApiResponse<P extends keyof paths, M extends Method = 'get'> =
  Operation<P, M> extends { responses: infer R } ? (SuccessResponse<R> extends { content: infer C } ? JsonContent<C> : never) : never;

/** The JSON body `method` on `path` takes. */
export type ApiBody<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

export type Me = Schemas['User'];
export type Team = Schemas['Team'];
export type TeamSummary = Schemas['TeamSummary'];
export type Notification = Schemas['Notification'];
export type PlatformKey = Schemas['PlatformKey'];
/** The creation response: the only time the key itself is sent. */
export type CreatedPlatformKey = Schemas['CreatedPlatformKey'];
/** POST /api/keys/:id/roll: the replacement (its key shown only here) and the old key as it now is. */
export type RolledPlatformKey = Schemas['RolledPlatformKey'];
export type Session = Schemas['Session'];
export type Integration = Schemas['Integration'];
/** GET /api/integrations (and a team's: the same shape). */
export type IntegrationPage = ApiResponse<'/api/integrations'>;
export type CredentialCheck = Schemas['CredentialCheck'];
/** The data of the SSE `integration.status` event (GET /api/events). */
export type IntegrationStatusEvent = Schemas['IntegrationStatusEvent'];
export type Budget = Schemas['Budget'];
export type Alert = Schemas['Alert'];
export type Route = Schemas['Route'];
export type UsageAggregate = Schemas['UsageAggregate'];
