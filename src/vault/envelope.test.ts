import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecryptionError, dataKeyAad, generateDataKey, open, seal, secretAad, type OwnerRef } from './envelope.js';

const alice: OwnerRef = { kind: 'user', id: 'usr_alice' };
const bob: OwnerRef = { kind: 'user', id: 'usr_bob' };
const plaintext = Buffer.from('sk-proj-abcdefghijklmnopqrstuvwxyz0123', 'utf8');
const aad = secretAad(alice, 'int_1', 1);

describe('seal and open', () => {
  it('round-trips the plaintext under the same key and AAD', () => {
    const key = generateDataKey();
    expect(key).toHaveLength(32);
    expect(open(key, seal(key, plaintext, aad), aad)).toEqual(plaintext);
  });

  it('round-trips an empty plaintext and arbitrary bytes', () => {
    const key = generateDataKey();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.string(), (bytes, context) => {
        const data = Buffer.from(bytes);
        expect(open(key, seal(key, data, context), context)).toEqual(data);
      }),
    );
  });

  it('lays a blob out as version 0x01, 12-byte nonce, ciphertext, 16-byte tag', () => {
    const key = generateDataKey();
    const blob = seal(key, plaintext, aad);
    expect(blob[0]).toBe(0x01);
    // AES-GCM is a stream mode: the ciphertext is exactly as long as the plaintext.
    expect(blob).toHaveLength(1 + 12 + plaintext.length + 16);
    expect(blob.includes(plaintext)).toBe(false);
  });

  it('uses a fresh random nonce, so sealing the same plaintext twice gives different blobs', () => {
    const key = generateDataKey();
    const first = seal(key, plaintext, aad);
    const second = seal(key, plaintext, aad);
    expect(first.subarray(1, 13).equals(second.subarray(1, 13))).toBe(false);
    expect(first.equals(second)).toBe(false);
    expect(open(key, first, aad)).toEqual(open(key, second, aad));
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => seal(Buffer.alloc(16), plaintext, aad)).toThrow(/32-byte key/);
  });
});

describe('open refuses anything that was not sealed for exactly this place', () => {
  const key = generateDataKey();
  const blob = seal(key, plaintext, aad);

  it('fails with another key', () => {
    expect(() => open(generateDataKey(), blob, aad)).toThrow(DecryptionError);
  });

  it('fails when the ciphertext is copied onto another owner, integration or key version', () => {
    const elsewhere = [
      secretAad(bob, 'int_1', 1),
      secretAad({ kind: 'team', id: 'usr_alice' }, 'int_1', 1),
      secretAad(alice, 'int_2', 1),
      secretAad(alice, 'int_1', 2),
      secretAad(alice, 'int_1', 0),
      dataKeyAad(alice, 'int_1'),
    ];
    for (const other of elsewhere) expect(() => open(key, blob, other), other).toThrow(DecryptionError);
  });

  it('fails when any single bit of the blob is flipped', () => {
    fc.assert(
      fc.property(fc.nat({ max: blob.length * 8 - 1 }), (bit) => {
        const tampered = Buffer.from(blob);
        tampered[bit >> 3] = tampered[bit >> 3]! ^ (1 << (bit & 7));
        expect(() => open(key, tampered, aad)).toThrow(DecryptionError);
      }),
      { numRuns: 300 },
    );
  });

  it('fails when the blob is truncated to any shorter length', () => {
    for (let length = 0; length < blob.length; length += 1) {
      expect(() => open(key, blob.subarray(0, length), aad), `length ${length}`).toThrow(DecryptionError);
    }
  });

  it('fails with an unknown version byte even when the rest is intact', () => {
    for (const version of [0x00, 0x02, 0xff]) {
      const other = Buffer.from(blob);
      other[0] = version;
      expect(() => open(key, other, aad)).toThrow(/unknown ciphertext format/);
    }
  });

  it('does not reveal the plaintext in the error', () => {
    const error = (() => {
      try {
        open(generateDataKey(), blob, aad);
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('open did not throw');
    })();
    expect(error).toBeInstanceOf(DecryptionError);
    expect(error.name).toBe('DecryptionError');
    expect(error.message).not.toContain(plaintext.toString('utf8'));
  });
});

describe('AAD builders', () => {
  it('distinguish a user and a team that share an id', () => {
    const user: OwnerRef = { kind: 'user', id: 'same' };
    const team: OwnerRef = { kind: 'team', id: 'same' };
    expect(dataKeyAad(user, 'dek_1')).not.toBe(dataKeyAad(team, 'dek_1'));
    expect(secretAad(user, 'int_1', 1)).not.toBe(secretAad(team, 'int_1', 1));
  });

  it('keep data-key and secret AADs in separate namespaces', () => {
    expect(dataKeyAad(alice, 'x')).toBe('switchboard/dek/v1|user:usr_alice|x');
    expect(secretAad(alice, 'x', 3)).toBe('switchboard/secret/v1|user:usr_alice|x|3');
  });

  it('give a blob sealed for a team no way to open as the same-id user', () => {
    const key = generateDataKey();
    const blob = seal(key, plaintext, dataKeyAad({ kind: 'team', id: 't1' }, 'dek_1'));
    expect(() => open(key, blob, dataKeyAad({ kind: 'user', id: 't1' }, 'dek_1'))).toThrow(DecryptionError);
  });
});
