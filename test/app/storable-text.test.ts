/**
 * Text PostgreSQL cannot store (a NUL, an unpaired surrogate half) sent to the management API, as
 * a client's JSON escapes or a URL's %00 can carry it: a 400 naming the field, nothing stored —
 * not a 500 from the failed query.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer();
  token = (await server.signIn()).token;
});

afterAll(async () => {
  await server?.close();
});

/** POSTs `raw` as it is: the escapes stay escapes on the wire. */
const postRaw = (path: string, raw: string) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: raw });

it('refuses a NUL or an unpaired surrogate in a body with a 400 that names the field, and stores nothing', async () => {
  const key = await postRaw('/api/keys', '{"name":"ci\\u0000key"}');
  expect(key.status).toBe(400);
  expect(await key.json()).toMatchObject({ error: { code: 'invalid_request', param: 'name', source: 'user' } });

  const team = await postRaw('/api/teams', '{"name":"Team \\ud800"}');
  expect(team.status).toBe(400);
  expect(await team.json()).toMatchObject({ error: { code: 'invalid_request', param: 'name' } });

  const nested = await postRaw('/api/integrations', '{"service":"openai","api_key":"sk-test-000000000000000000000001","models":["gpt-4o","x\\udc00"]}');
  expect(nested.status).toBe(400);
  expect(await nested.json()).toMatchObject({ error: { code: 'invalid_request', param: 'models[1]' } });

  const keys = (await (await server.api('/api/keys', { token })).json()) as { data: unknown[] };
  expect(keys.data).toHaveLength(0);
  const teams = (await (await server.api('/api/teams', { token })).json()) as { data: unknown[] };
  expect(teams.data).toHaveLength(0);
  const integrations = (await (await server.api('/api/integrations', { token })).json()) as { data: unknown[] };
  expect(integrations.data).toHaveLength(0);
});

it('refuses %00 in a URL, and a NUL in a sign-in, with a 400', async () => {
  const usage = await server.api('/api/usage?model=gpt%00', { token });
  expect(usage.status).toBe(400);
  expect(await usage.json()).toMatchObject({ error: { code: 'invalid_request' } });
  const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"a\\u0000@example.com","password":"whatever it is"}' });
  expect(login.status).toBe(400);
});

it('takes what is storable: a surrogate pair (emoji), and text that only looks like an escape', async () => {
  const team = await postRaw('/api/teams', '{"name":"Team \\ud83d\\ude00 \\\\u0000"}');
  expect(team.status).toBe(201);
  expect(await team.json()).toMatchObject({ name: 'Team 😀 \\u0000' });
});

it('still answers a body that is not JSON as invalid_json', async () => {
  const broken = await postRaw('/api/keys', '{"name":');
  expect(broken.status).toBe(400);
  expect(await broken.json()).toMatchObject({ error: { code: 'invalid_json' } });
});
