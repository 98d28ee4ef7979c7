/**
 * Password hashing with argon2id at OWASP's baseline (m=19 MiB, t=2, p=1). Parameters are read
 * back from each stored hash, so raising them here upgrades old hashes on the next login.
 */
import { hash, verify, type Options } from '@node-rs/argon2';

export const passwordPolicy = { minLength: 8, maxLength: 1024 } as const;

/** `Algorithm.Argon2id` is an ambient const enum, which isolated modules cannot read: its value is 2. */
const ARGON2ID = 2 as NonNullable<Options['algorithm']>;
const params = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, params);

export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

/** True when the stored hash was made with weaker parameters than today's. */
export function needsRehash(storedHash: string): boolean {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(storedHash);
  if (!match) return true;
  const [, m, t, p] = match.map(Number);
  return m! < params.memoryCost || t! < params.timeCost || p! < params.parallelism;
}

/**
 * A hash of a random password, verified against when an email is unknown, so that a miss costs
 * the same time as a hit and response timing does not reveal who has an account.
 */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(`dummy-${Math.random()}-${Date.now()}`);
  return dummyHash;
}
