import { describe, expect, it } from 'vitest';
import { dummyPasswordHash, hashPassword, needsRehash, passwordPolicy, verifyPassword } from './passwords.js';

describe('password hashing', () => {
  it('hashes with argon2id at m=19456, t=2, p=1 and a random salt', async () => {
    const first = await hashPassword('correct horse battery staple');
    const second = await hashPassword('correct horse battery staple');
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('correct horse');
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword(stored, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(stored, 'correct horse battery stapler')).toBe(false);
    expect(await verifyPassword(stored, 'Correct horse battery staple')).toBe(false);
    expect(await verifyPassword(stored, '')).toBe(false);
  });

  it('answers false, never throws, for a malformed stored hash', async () => {
    expect(await verifyPassword('', 'password')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'password')).toBe(false);
    expect(await verifyPassword('$2b$10$abcdefghijklmnopqrstuuQwertyQwertyQwertyQwertyQwertyQw', 'password')).toBe(false);
  });

  it('does not truncate long passphrases: one differing only at character 150 fails', async () => {
    const long = 'a'.repeat(149) + 'X' + 'b'.repeat(50);
    expect(long).toHaveLength(200);
    const stored = await hashPassword(long);
    expect(await verifyPassword(stored, long)).toBe(true);
    expect(await verifyPassword(stored, 'a'.repeat(149) + 'Y' + 'b'.repeat(50))).toBe(false);
    expect(await verifyPassword(stored, long.slice(0, 199))).toBe(false);
  });

  it('hashes a password of the maximum allowed length', async () => {
    const longest = 'z'.repeat(passwordPolicy.maxLength);
    const stored = await hashPassword(longest);
    expect(await verifyPassword(stored, longest)).toBe(true);
    expect(await verifyPassword(stored, longest.slice(1))).toBe(false);
  });

  it('verifies unicode passwords byte-exactly', async () => {
    const password = 'pässwörd-密码-🔐-пароль';
    const stored = await hashPassword(password);
    expect(await verifyPassword(stored, password)).toBe(true);
    expect(await verifyPassword(stored, 'passwörd-密码-🔐-пароль')).toBe(false);
    expect(await verifyPassword(stored, 'pässwörd-密码-🔑-пароль')).toBe(false);
  });
});

describe('needsRehash', () => {
  it('is false for a hash made today', async () => {
    expect(needsRehash(await hashPassword('correct horse battery staple'))).toBe(false);
  });

  it('is true when any parameter is weaker than today, false when stronger', () => {
    const withParams = (m: number, t: number, p: number) => `$argon2id$v=19$m=${m},t=${t},p=${p}$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA`;
    expect(needsRehash(withParams(19_456, 2, 1))).toBe(false);
    expect(needsRehash(withParams(4_096, 2, 1))).toBe(true);
    expect(needsRehash(withParams(19_456, 1, 1))).toBe(true);
    expect(needsRehash(withParams(65_536, 1, 4))).toBe(true);
    expect(needsRehash(withParams(65_536, 3, 4))).toBe(false);
  });

  it('is true for other algorithms, versions and non-argon2 strings', () => {
    expect(needsRehash('$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA')).toBe(true);
    expect(needsRehash('$argon2d$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA')).toBe(true);
    expect(needsRehash('$argon2id$v=16$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA')).toBe(true);
    expect(needsRehash('$2b$12$abcdefghijklmnopqrstuv')).toBe(true);
    expect(needsRehash('')).toBe(true);
  });
});

describe('dummyPasswordHash', () => {
  it('is one real argon2id hash, reused, that no guess matches', async () => {
    const dummy = await dummyPasswordHash();
    expect(await dummyPasswordHash()).toBe(dummy);
    expect(needsRehash(dummy)).toBe(false);
    expect(await verifyPassword(dummy, 'dummy-')).toBe(false);
    expect(await verifyPassword(dummy, '')).toBe(false);
  });
});
