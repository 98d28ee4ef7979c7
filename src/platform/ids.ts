import { randomFillSync } from 'node:crypto';
import { isValid, monotonicFactory } from 'ulid';

/**
 * The `ulid` package asks its random source once per character (16 calls into crypto per id);
 * drawing from a refilled buffer of cryptographic randomness keeps ids unpredictable at a fraction
 * of the cost (measured: ids were ~6% of a proxied request's CPU before).
 */
const pool = new Uint32Array(4096);
let next = pool.length;
function bufferedRandom(): number {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++]! / 0x1_0000_0000;
}

const generate = monotonicFactory(bufferedRandom);

/** A new ULID: 26 Crockford base32 characters, sortable by creation time. */
export const newId = (): string => generate();

export const isUlid = (value: string): boolean => value.length === 26 && isValid(value);
