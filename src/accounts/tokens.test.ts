import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { decodeProtectedHeader, SignJWT, type JWTPayload } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKeyring, generateMasterKey, parseMasterKey, type MasterKey } from '../vault/keyring.js';
import { createAccessTokens, generateRefreshToken, hashToken } from './tokens.js';

const newKey = (): MasterKey => parseMasterKey(generateMasterKey(), 'test');
const claims = { userId: 'usr_1', sessionId: 'ses_1', isAdmin: false };

/** The documented derivation (HKDF-SHA256, salt "switchboard", info "jwt-hs256-v1"), to craft tokens by hand. */
const derivedKey = (master: MasterKey) => new Uint8Array(hkdfSync('sha256', master.key, 'switchboard', 'jwt-hs256-v1', 32));
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);
const validPayload = (): JWTPayload => ({ sub: 'usr_1', sid: 'ses_1', iss: 'switchboard', aud: 'switchboard-api', iat: nowSeconds(), exp: nowSeconds() + 600 });

async function craft(master: MasterKey, payload: JWTPayload, header: { alg?: string; kid?: string } = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: header.alg ?? 'HS256', kid: header.kid ?? master.id, typ: 'JWT' }).sign(derivedKey(master));
}

afterEach(() => {
  vi.useRealTimers();
});

describe('access tokens', () => {
  const primary = newKey();
  const tokens = createAccessTokens(createKeyring(primary), 900);

  it('round-trips the claims, with the primary key id as kid and HS256 pinned', async () => {
    const token = await tokens.issue(claims);
    expect(await tokens.verify(token)).toEqual(claims);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', kid: primary.id, typ: 'JWT' });
    expect(await tokens.verify(await tokens.issue({ ...claims, isAdmin: true }))).toEqual({ ...claims, isAdmin: true });
  });

  it('sets issuer, audience, subject and a ttl-long lifetime, and no admin claim for non-admins', async () => {
    const token = await tokens.issue(claims);
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as JWTPayload & Record<string, unknown>;
    expect(payload).toMatchObject({ sub: 'usr_1', sid: 'ses_1', iss: 'switchboard', aud: 'switchboard-api' });
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(payload).not.toHaveProperty('adm');
  });

  it('verifies a hand-crafted token that follows the documented key derivation', async () => {
    expect(await tokens.verify(await craft(primary, validPayload()))).toEqual(claims);
  });

  it('keeps verifying tokens signed under a previous master key during a rotation', async () => {
    const old = newKey();
    const before = await createAccessTokens(createKeyring(old), 900).issue(claims);
    const rotated = createAccessTokens(createKeyring(newKey(), [old]), 900);
    expect(await rotated.verify(before)).toEqual(claims);
    expect(decodeProtectedHeader(await rotated.issue(claims)).kid).not.toBe(old.id);
  });

  it('rejects a token whose key has left the keyring', async () => {
    const old = newKey();
    const before = await createAccessTokens(createKeyring(old), 900).issue(claims);
    expect(await createAccessTokens(createKeyring(newKey()), 900).verify(before)).toBeUndefined();
  });

  it('rejects a token signed by another key under our kid, or with no kid', async () => {
    const forged = await craft(newKey(), validPayload(), { kid: primary.id });
    expect(await tokens.verify(forged)).toBeUndefined();
    const noKid = await new SignJWT(validPayload()).setProtectedHeader({ alg: 'HS256' }).sign(derivedKey(primary));
    expect(await tokens.verify(noKid)).toBeUndefined();
  });

  it('rejects alg "none" and other HMAC algorithms, even with the right key', async () => {
    const unsigned = `${b64url({ alg: 'none', kid: primary.id, typ: 'JWT' })}.${b64url(validPayload())}.`;
    expect(await tokens.verify(unsigned)).toBeUndefined();
    // Same key, so only the algorithm pin stops it (jose would otherwise accept HS512 here).
    const hs512 = await new SignJWT(validPayload()).setProtectedHeader({ alg: 'HS512', kid: primary.id }).sign(derivedKey(primary));
    expect(await tokens.verify(hs512)).toBeUndefined();
    // An HS256 signature under a header that claims HS512 must not pass either.
    const header = b64url({ alg: 'HS512', kid: primary.id });
    const body = b64url(validPayload());
    const signature = createHmac('sha256', derivedKey(primary)).update(`${header}.${body}`).digest('base64url');
    expect(await tokens.verify(`${header}.${body}.${signature}`)).toBeUndefined();
  });

  it('rejects an expired token', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const shortLived = createAccessTokens(createKeyring(primary), 60);
    const token = await shortLived.issue(claims);
    vi.setSystemTime(new Date('2026-01-01T00:00:59Z'));
    expect(await shortLived.verify(token)).toEqual(claims);
    vi.setSystemTime(new Date('2026-01-01T00:01:01Z'));
    expect(await shortLived.verify(token)).toBeUndefined();
  });

  it('rejects a crafted token whose exp is in the past', async () => {
    expect(await tokens.verify(await craft(primary, { ...validPayload(), exp: nowSeconds() - 1 }))).toBeUndefined();
  });

  it('rejects the wrong audience or issuer', async () => {
    expect(await tokens.verify(await craft(primary, { ...validPayload(), aud: 'another-api' }))).toBeUndefined();
    expect(await tokens.verify(await craft(primary, { ...validPayload(), iss: 'someone-else' }))).toBeUndefined();
    const { aud: _aud, ...noAudience } = validPayload();
    expect(await tokens.verify(await craft(primary, noAudience))).toBeUndefined();
  });

  it('rejects a token without string sub or sid', async () => {
    const { sid: _sid, ...noSession } = validPayload();
    expect(await tokens.verify(await craft(primary, noSession))).toBeUndefined();
    expect(await tokens.verify(await craft(primary, { ...validPayload(), sid: 42 }))).toBeUndefined();
  });

  it('only an adm claim of exactly true grants admin', async () => {
    expect(await tokens.verify(await craft(primary, { ...validPayload(), adm: 'true' }))).toEqual(claims);
    expect(await tokens.verify(await craft(primary, { ...validPayload(), adm: true }))).toEqual({ ...claims, isAdmin: true });
  });

  it('rejects a tampered payload and garbage', async () => {
    const [header, , signature] = (await tokens.issue(claims)).split('.');
    const elevated = b64url({ ...validPayload(), adm: true });
    expect(await tokens.verify(`${header}.${elevated}.${signature}`)).toBeUndefined();
    for (const garbage of ['', 'a.b.c', 'not-a-jwt', `${header}..`]) expect(await tokens.verify(garbage), garbage).toBeUndefined();
  });
});

describe('refresh tokens', () => {
  it('are sbr_ followed by 43 base64url characters (256 random bits), all different', () => {
    const seen = new Set<string>();
    for (let index = 0; index < 50; index += 1) {
      const token = generateRefreshToken();
      expect(token).toMatch(/^sbr_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token.slice(4), 'base64url')).toHaveLength(32);
      seen.add(token);
    }
    expect(seen.size).toBe(50);
  });

  it('hash to a deterministic 32-byte SHA-256 digest', () => {
    const token = generateRefreshToken();
    const digest = hashToken(token);
    expect(digest).toHaveLength(32);
    expect(hashToken(token).equals(digest)).toBe(true);
    expect(digest.equals(createHash('sha256').update(token).digest())).toBe(true);
    expect(hashToken(generateRefreshToken()).equals(digest)).toBe(false);
  });
});

describe('verified-token cache', () => {
  it('still rejects a remembered token once it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const tokens = createAccessTokens(createKeyring(newKey()), 60);
    const token = await tokens.issue(claims);
    expect(await tokens.verify(token)).toEqual(claims);
    expect(await tokens.verify(token)).toEqual(claims);
    vi.setSystemTime(Date.now() + 61_000);
    expect(await tokens.verify(token)).toBeUndefined();
  });

  it('does not remember failures: a tampered token stays rejected, the genuine one accepted', async () => {
    const tokens = createAccessTokens(createKeyring(newKey()), 600);
    const token = await tokens.issue(claims);
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await tokens.verify(tampered)).toBeUndefined();
    expect(await tokens.verify(token)).toEqual(claims);
    expect(await tokens.verify(tampered)).toBeUndefined();
  });
});
