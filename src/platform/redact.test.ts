import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactUrlPath, scrubSecrets } from './redact.js';

describe('scrubSecrets', () => {
  it('removes an exact secret wherever and however often it appears', () => {
    const secret = 'x9Kq-Pz7!Lm.22';
    const text = `key ${secret} rejected; again:${secret}${secret}, end`;
    expect(scrubSecrets(text, [secret])).toBe(`key ${REDACTED} rejected; again:${REDACTED}${REDACTED}, end`);
  });

  it('removes every one of several secrets, including regex metacharacters literally', () => {
    const out = scrubSecrets('a=(.*)+ b=$&$1 c', ['(.*)+', '$&$1']);
    expect(out).toBe(`a=${REDACTED} b=${REDACTED} c`);
  });

  it('never returns text that still contains the secret (property)', () => {
    fc.assert(
      // Lowercase secrets cannot be re-formed from the "[REDACTED]" marker and its neighbours.
      fc.property(fc.stringMatching(/^[a-z0-9]{4,40}$/), fc.array(fc.string({ maxLength: 20 }), { maxLength: 5 }), (secret, parts) => {
        expect(scrubSecrets(parts.join(secret), [secret])).not.toContain(secret);
      }),
    );
  });

  it('leaves text without secrets alone, and ignores secrets shorter than 4 characters', () => {
    const text = 'The model gpt-4o-mini does not exist or you do not have access to it.';
    expect(scrubSecrets(text)).toBe(text);
    expect(scrubSecrets('a bc abc', ['abc'])).toBe('a bc abc');
  });

  it("scrubs OpenAI's partly masked echo of a rejected key", () => {
    const body = '{"error":{"message":"Incorrect API key provided: sk-proj-********wxyz. You can find your API key at https://platform.openai.com."}}';
    const out = scrubSecrets(body);
    expect(out).toContain(`Incorrect API key provided: ${REDACTED}.`);
    expect(out).not.toContain('sk-proj');
    expect(out).not.toContain('wxyz');
  });

  it('scrubs Anthropic, Switchboard and Google keys', () => {
    const anthropic = 'sk-ant-api03-AbCdEf_GhIj-KlMnOpQrStUv-wxyz0123';
    const switchboard = 'sk-sb-01J9ZQ3K4V5W6X7Y8Z9A0B1C2D';
    const google = 'AIzaSyA-1234567890abcdefghijklmnopq';
    const out = scrubSecrets(`invalid x-api-key ${anthropic}; also ${switchboard} and "${google}"`);
    expect(out).toBe(`invalid x-api-key ${REDACTED}; also ${REDACTED} and "${REDACTED}"`);
  });

  it('does not treat short sk- words as keys', () => {
    expect(scrubSecrets('risk-free task-based sk-1')).toBe('risk-free task-based sk-1');
  });

  it('scrubs Bearer tokens in any letter case, including base64 padding', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';
    expect(scrubSecrets(`Authorization: Bearer ${jwt}`)).toBe(`Authorization: ${REDACTED}`);
    expect(scrubSecrets('Bearer abcdefgh=ijkl')).toBe(REDACTED);
  });

  it('does not leak the start of a lowercase bearer token that contains "=" (bug: the prefix before "=" was kept)', () => {
    const token = 'dGhpcy1pcy1hLXNlY3JldC10b2tlbg==';
    for (const header of [`authorization: bearer ${token}`, `AUTHORIZATION: BEARER ${token}`]) {
      const out = scrubSecrets(header);
      expect(out).not.toContain('dGhpcy1p');
      expect(out).toMatch(/\[REDACTED\]$/);
    }
  });

  it('keeps the parameter name of key=value pairs and removes the value', () => {
    expect(scrubSecrets('GET /v1beta/models?key=AbC123secret&alt=sse')).toBe(`GET /v1beta/models?key=${REDACTED}&alt=sse`);
    expect(scrubSecrets('api_key=abc apikey=def TOKEN=ghi access_token=jkl')).toBe(
      `api_key=${REDACTED} apikey=${REDACTED} TOKEN=${REDACTED} access_token=${REDACTED}`,
    );
    expect(scrubSecrets('"url":"https://x/?token=s3cr3t"')).toBe(`"url":"https://x/?token=${REDACTED}"`);
  });

  it('does not match key= inside another word', () => {
    expect(scrubSecrets('monkey=banana turkey=1')).toBe('monkey=banana turkey=1');
  });
});

describe('redactUrlPath', () => {
  it('redacts key-bearing query parameters and keeps the others', () => {
    const out = redactUrlPath('/v1/models?key=abc123&limit=5&api_key=def456&token=ghi789&alt=sse');
    const params = new URLSearchParams(out.slice(out.indexOf('?') + 1));
    expect(out.startsWith('/v1/models?')).toBe(true);
    expect(params.get('key')).toBe(REDACTED);
    expect(params.get('api_key')).toBe(REDACTED);
    expect(params.get('token')).toBe(REDACTED);
    expect(params.get('limit')).toBe('5');
    expect(params.get('alt')).toBe('sse');
    for (const value of ['abc123', 'def456', 'ghi789']) expect(out).not.toContain(value);
  });

  it('matches parameter names case-insensitively and covers every occurrence', () => {
    const out = redactUrlPath('/x?API_KEY=one&Access_Token=two&refresh_token=three&apikey=four&x-api-key=five&key=six&key=seven');
    for (const value of ['one', 'two', 'three', 'four', 'five', 'six', 'seven']) expect(out).not.toContain(value);
  });

  it('redacts inside a return address that carries its own query (login ?next= back to an invitation link)', () => {
    const out = redactUrlPath(`/login?next=${encodeURIComponent('/invitations/accept?token=sbinv_secret123&x=1')}&other=a%3Fb`);
    expect(out).not.toContain('sbinv_secret123');
    const next = new URLSearchParams(out.slice(out.indexOf('?') + 1)).get('next') ?? '';
    expect(next.startsWith('/invitations/accept?')).toBe(true);
    expect(new URLSearchParams(next.slice(next.indexOf('?') + 1)).get('token')).toBe(REDACTED);
    expect(new URLSearchParams(out.slice(out.indexOf('?') + 1)).get('other')).toBe('a?b');
  });

  it('returns a path without a query string unchanged', () => {
    expect(redactUrlPath('/v1/chat/completions')).toBe('/v1/chat/completions');
    expect(redactUrlPath('/v1/models?limit=5&after=m_1')).toBe('/v1/models?limit=5&after=m_1');
  });
});
