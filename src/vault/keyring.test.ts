import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKeyring, generateMasterKey, kekIdOf, KeyringError, loadKeyring, parseMasterKey, type KeyringSettings } from './keyring.js';

describe('parseMasterKey', () => {
  it('accepts 32 bytes as base64 and as base64url', () => {
    // 0xfb/0xff bytes force '+' and '/' in base64, '-' and '_' in base64url.
    const key = Buffer.concat([Buffer.alloc(8, 0xfb), Buffer.alloc(8, 0xff), randomBytes(16)]);
    const fromBase64 = parseMasterKey(key.toString('base64'), 'SWITCHBOARD_MASTER_KEY');
    const fromBase64Url = parseMasterKey(key.toString('base64url'), 'SWITCHBOARD_MASTER_KEY');
    expect(fromBase64.key.equals(key)).toBe(true);
    expect(fromBase64Url.key.equals(key)).toBe(true);
    expect(fromBase64Url.id).toBe(fromBase64.id);
  });

  it('ignores surrounding whitespace such as the newline of a key file', () => {
    const encoded = generateMasterKey();
    expect(parseMasterKey(`  ${encoded}\n`, 'K').key.equals(Buffer.from(encoded, 'base64'))).toBe(true);
  });

  it('rejects other lengths, naming the setting but never the value', () => {
    for (const size of [0, 16, 31, 33, 64]) {
      const encoded = randomBytes(size).toString('base64');
      let error: unknown;
      try {
        parseMasterKey(encoded, 'SWITCHBOARD_MASTER_KEY');
      } catch (caught) {
        error = caught;
      }
      expect(error, `size ${size}`).toBeInstanceOf(KeyringError);
      const message = (error as Error).message;
      expect(message).toContain('SWITCHBOARD_MASTER_KEY');
      expect(message).toContain(`got ${size} bytes`);
      if (encoded.length > 0) expect(message).not.toContain(encoded);
    }
  });

  it('does not leak a mistyped key (e.g. a hex string) into the message', () => {
    const hex = randomBytes(32).toString('hex');
    expect(() => parseMasterKey(hex, 'SWITCHBOARD_MASTER_KEY')).toThrow(KeyringError);
    try {
      parseMasterKey(hex, 'SWITCHBOARD_MASTER_KEY');
    } catch (error) {
      expect((error as Error).message).not.toContain(hex.slice(0, 8));
    }
  });
});

describe('kekIdOf', () => {
  it('is the first 16 hex digits of SHA-256 over the key, stable across calls', () => {
    const key = randomBytes(32);
    const id = kekIdOf(key);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(kekIdOf(Buffer.from(key))).toBe(id);
    expect(id).toBe(createHash('sha256').update(key).digest('hex').slice(0, 16));
    expect(kekIdOf(randomBytes(32))).not.toBe(id);
    expect(key.toString('hex')).not.toContain(id);
  });
});

describe('createKeyring', () => {
  const primary = parseMasterKey(generateMasterKey(), 'primary');
  const old = parseMasterKey(generateMasterKey(), 'old');

  it('finds the primary and previous keys by id and lists the primary first', () => {
    const keyring = createKeyring(primary, [old]);
    expect(keyring.primary).toBe(primary);
    expect(keyring.get(primary.id)).toBe(primary);
    expect(keyring.get(old.id)).toBe(old);
    expect(keyring.get('0000000000000000')).toBeUndefined();
    expect(keyring.ids()).toEqual([primary.id, old.id]);
  });

  it('keeps the primary when the same key is also listed as previous', () => {
    const keyring = createKeyring(primary, [{ ...primary }, old, old]);
    expect(keyring.ids()).toEqual([primary.id, old.id]);
    expect(keyring.get(primary.id)).toBe(primary);
  });
});

describe('loadKeyring', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-keyring-'));
    dirs.push(dir);
    return dir;
  };
  const settings = (overrides: Partial<KeyringSettings>): KeyringSettings => ({
    masterKey: undefined,
    previousMasterKeys: [],
    dataDir: tempDir(),
    env: 'development',
    ...overrides,
  });
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('throws in production without a master key, and writes no file', () => {
    const dataDir = tempDir();
    const logger = { warn: vi.fn() };
    expect(() => loadKeyring(settings({ env: 'production', dataDir }), logger)).toThrow(/SWITCHBOARD_MASTER_KEY is required in production/);
    expect(() => statSync(path.join(dataDir, 'master.key'))).toThrow(/ENOENT/);
  });

  it('in development generates DATA_DIR/master.key once (mode 0600), warns loudly, and reuses it', () => {
    const dataDir = path.join(tempDir(), 'nested', 'data');
    const logger = { warn: vi.fn() };
    const first = loadKeyring(settings({ dataDir }), logger);
    const file = path.join(dataDir, 'master.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]![0]).toEqual({ file });
    expect(logger.warn.mock.calls[0]![1]).toMatch(/DEVELOPMENT MODE.*back this file up/);
    const contents = readFileSync(file, 'utf8');
    expect(first.primary.key.equals(Buffer.from(contents.trim(), 'base64'))).toBe(true);

    const second = loadKeyring(settings({ dataDir }), logger);
    expect(second.primary.id).toBe(first.primary.id);
    expect(readFileSync(file, 'utf8')).toBe(contents);
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.warn.mock.calls[1]![1]).toMatch(/DEVELOPMENT MODE: using the generated master key/);
    // The warning names the file, never the key.
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain(contents.trim());
  });

  it('tightens the mode of an existing generated key file back to 0600', () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'master.key');
    writeFileSync(file, generateMasterKey(), { mode: 0o644 });
    loadKeyring(settings({ dataDir }), { warn: vi.fn() });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('uses an explicit master key over a generated file, without warning', () => {
    const dataDir = tempDir();
    loadKeyring(settings({ dataDir }), { warn: vi.fn() });
    const explicit = generateMasterKey();
    const logger = { warn: vi.fn() };
    const keyring = loadKeyring(settings({ dataDir, masterKey: explicit, env: 'production' }), logger);
    expect(keyring.primary.id).toBe(kekIdOf(Buffer.from(explicit, 'base64')));
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('adds previous keys for unwrapping and names a bad one by its index', () => {
    const previous = [generateMasterKey(), generateMasterKey()];
    const keyring = loadKeyring(settings({ masterKey: generateMasterKey(), previousMasterKeys: previous }), { warn: vi.fn() });
    expect(keyring.ids()).toHaveLength(3);
    for (const encoded of previous) expect(keyring.get(kekIdOf(Buffer.from(encoded, 'base64')))).toBeDefined();
    expect(() =>
      loadKeyring(settings({ masterKey: generateMasterKey(), previousMasterKeys: [previous[0]!, 'c2hvcnQ='] }), { warn: vi.fn() }),
    ).toThrow(/SWITCHBOARD_MASTER_KEYS_PREVIOUS\[1\]/);
  });
});
