/**
 * AES-256-GCM envelope encryption. A master key (KEK) wraps one data key (DEK) per owner; the
 * DEK encrypts that owner's secrets. Every blob is
 *
 *     version (1 byte) ‖ nonce (12 bytes, random) ‖ ciphertext ‖ tag (16 bytes)
 *
 * and is bound by additional authenticated data to where it belongs (owner, row id, key version),
 * so a blob copied onto another row, owner or version fails authentication instead of decrypting.
 * The version byte names the algorithm and AAD layout, so a future format can coexist with this one.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const FORMAT_V1 = 0x01;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export class DecryptionError extends Error {
  override name = 'DecryptionError';
}

export function generateDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  if (key.length !== KEY_BYTES) throw new Error('AES-256-GCM needs a 32-byte key');
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(FORMAT_V1), nonce, ciphertext, cipher.getAuthTag()]);
}

export function open(key: Buffer, blob: Buffer, aad: string): Buffer {
  if (blob.length < 1 + NONCE_BYTES + TAG_BYTES || blob[0] !== FORMAT_V1) {
    throw new DecryptionError('unknown ciphertext format');
  }
  const nonce = blob.subarray(1, 1 + NONCE_BYTES);
  const tag = blob.subarray(blob.length - TAG_BYTES);
  const ciphertext = blob.subarray(1 + NONCE_BYTES, blob.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (error) {
    throw new DecryptionError('ciphertext failed authentication (wrong key, or moved to another row)', { cause: error });
  }
}

export type OwnerRef = { kind: 'user'; id: string } | { kind: 'team'; id: string };

/** AAD of a wrapped data key: the owner and the data key's own id. */
export const dataKeyAad = (owner: OwnerRef, dataKeyId: string): string =>
  `switchboard/dek/v1|${owner.kind}:${owner.id}|${dataKeyId}`;

/** AAD of a secret: owner, integration id, and the key version that changes on every replace. */
export const secretAad = (owner: OwnerRef, integrationId: string, keyVersion: number): string =>
  `switchboard/secret/v1|${owner.kind}:${owner.id}|${integrationId}|${keyVersion}`;
