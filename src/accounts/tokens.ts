/**
 * Access tokens (short-lived JWTs, HS256 pinned) and refresh tokens (opaque, stored hashed).
 *
 * The JWT signing key is derived from each master key by HKDF, so operators manage one secret,
 * and the token header's `kid` is the master key's id: during a master-key rotation every
 * replica still verifies tokens signed under the previous key.
 */
import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Keyring } from '../vault/keyring.js';

const ISSUER = 'switchboard';
const AUDIENCE = 'switchboard-api';
const ALGORITHM = 'HS256';
/** Longest a verified token is remembered; bounds how long a removed master key keeps working. */
const VERIFIED_TTL_MS = 60_000;

export interface AccessClaims {
  userId: string;
  sessionId: string;
  isAdmin: boolean;
}

function signingKey(masterKey: Buffer): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', masterKey, 'switchboard', 'jwt-hs256-v1', 32));
}

export function createAccessTokens(keyring: Keyring, ttlSeconds: number) {
  const keys = new Map(keyring.ids().map((id) => [id, signingKey(keyring.get(id)!.key)]));
  const primaryKey = keys.get(keyring.primary.id)!;
  const verified = new LRUCache<string, { claims: AccessClaims; expiresAtMs: number }>({ max: 10_000 });

  return {
    ttlSeconds,
    async issue(claims: AccessClaims): Promise<string> {
      return new SignJWT({ sid: claims.sessionId, adm: claims.isAdmin || undefined })
        .setProtectedHeader({ alg: ALGORITHM, kid: keyring.primary.id, typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(primaryKey);
    },
    /**
     * Claims of a valid token, or undefined for any invalid, expired or foreign token. A token
     * that verified once is remembered until it expires (at most a minute), so the hot path skips
     * the signature check that otherwise costs about a fifth of a proxied request's CPU.
     */
    async verify(token: string): Promise<AccessClaims | undefined> {
      const cached = verified.get(token);
      if (cached) {
        if (cached.expiresAtMs > Date.now()) return cached.claims;
        verified.delete(token);
      }
      const checked = await verifySignature(token);
      if (checked) {
        verified.set(token, checked, { ttl: Math.max(1, Math.min(VERIFIED_TTL_MS, checked.expiresAtMs - Date.now())) });
      }
      return checked?.claims;
    },
  };

  async function verifySignature(token: string): Promise<{ claims: AccessClaims; expiresAtMs: number } | undefined> {
    try {
      const { payload } = await jwtVerify(
        token,
        (header) => {
          const key = header.kid ? keys.get(header.kid) : undefined;
          if (!key) throw new errors.JWSSignatureVerificationFailed();
          return key;
        },
        { algorithms: [ALGORITHM], issuer: ISSUER, audience: AUDIENCE },
      );
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') return undefined;
      return {
        claims: { userId: payload.sub, sessionId: payload.sid, isAdmin: payload.adm === true },
        expiresAtMs: payload.exp * 1000,
      };
    } catch {
      return undefined;
    }
  }
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;

const REFRESH_PREFIX = 'sbr_';

export const generateRefreshToken = (): string => `${REFRESH_PREFIX}${randomBytes(32).toString('base64url')}`;

/** Tokens carry 256 random bits, so a fast hash is enough; it makes a stolen table useless. */
export const hashToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();
