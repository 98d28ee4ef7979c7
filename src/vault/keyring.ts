/**
 * The master-key keyring. The primary key wraps new data keys; previous keys only unwrap, so a
 * rotation never has a moment where a replica cannot read a row. A key is identified by its
 * `kek_id`: the first 16 hex digits of SHA-256 over the key bytes (never the key itself).
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../platform/logger.js';

export interface MasterKey {
  id: string;
  key: Buffer;
}

export interface Keyring {
  primary: MasterKey;
  get(kekId: string): MasterKey | undefined;
  ids(): string[];
}

export class KeyringError extends Error {
  override name = 'KeyringError';
}

export function kekIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** Parse a base64 (or base64url) 32-byte key; the error names the setting, never the value. */
export function parseMasterKey(encoded: string, setting: string): MasterKey {
  const key = Buffer.from(encoded.trim(), encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64');
  if (key.length !== 32) {
    throw new KeyringError(`${setting} must be 32 bytes encoded as base64 (got ${key.length} bytes)`);
  }
  return { id: kekIdOf(key), key };
}

export function createKeyring(primary: MasterKey, previous: MasterKey[] = []): Keyring {
  const byId = new Map<string, MasterKey>([[primary.id, primary]]);
  for (const key of previous) if (!byId.has(key.id)) byId.set(key.id, key);
  return { primary, get: (kekId) => byId.get(kekId), ids: () => [...byId.keys()] };
}

export const generateMasterKey = (): string => randomBytes(32).toString('base64');

export interface KeyringSettings {
  masterKey: string | undefined;
  previousMasterKeys: string[];
  dataDir: string;
  env: 'development' | 'production' | 'test';
}

/**
 * Build the keyring from settings. Outside production a missing master key is generated once
 * into DATA_DIR/master.key (mode 0600) with a loud warning: convenient for `npm start`, and the
 * warning says plainly that losing that file makes every stored key unreadable.
 */
export function loadKeyring(settings: KeyringSettings, logger: Pick<Logger, 'warn'>): Keyring {
  const previous = settings.previousMasterKeys.map((encoded, index) =>
    parseMasterKey(encoded, `SWITCHBOARD_MASTER_KEYS_PREVIOUS[${index}]`),
  );
  if (settings.masterKey) {
    return createKeyring(parseMasterKey(settings.masterKey, 'SWITCHBOARD_MASTER_KEY'), previous);
  }
  if (settings.env === 'production') {
    throw new KeyringError('SWITCHBOARD_MASTER_KEY is required in production');
  }
  const file = path.join(settings.dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(settings.dataDir, { recursive: true });
    writeFileSync(file, `${generateMasterKey()}\n`, { mode: 0o600, flag: 'wx' });
    logger.warn(
      { file },
      'DEVELOPMENT MODE: generated a master key in DATA_DIR because SWITCHBOARD_MASTER_KEY is not set. ' +
        'Every stored provider key is encrypted under it: back this file up, and set SWITCHBOARD_MASTER_KEY in production.',
    );
  } else {
    chmodSync(file, 0o600);
    logger.warn({ file }, 'DEVELOPMENT MODE: using the generated master key in DATA_DIR (SWITCHBOARD_MASTER_KEY is not set).');
  }
  return createKeyring(parseMasterKey(readFileSync(file, 'utf8'), file), previous);
}
