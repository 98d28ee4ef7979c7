import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultProviderBaseUrls, loadConfig } from './config.js';

const problemsOf = (env: Record<string, string | undefined>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('loadConfig accepted an invalid environment');
};

describe('loadConfig defaults', () => {
  it('gives working development defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.host).toBe('0.0.0.0');
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe(path.resolve('data'));
    expect(path.isAbsolute(config.dataDir)).toBe(true);
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.rateLimits).toEqual({ apiPerIp: 30, authPerIp: 5 });
    expect(config.maxBodyBytes).toBe(10 * 1024 * 1024);
    expect(config.migrateOnStart).toBe(true);
    expect(config.shutdownTimeoutMs).toBe(50_000);
    expect(config.workers).toBe(1);
    expect(config.workerHealthPort).toBe(8081);
    expect(config.metricsEnabled).toBe(true);
    expect(config.otel).toEqual({ endpoint: undefined, serviceName: 'switchboard', captureContent: false });
    expect(config.allowPrivateUpstreams).toBe(false);
    expect(config.masterKey).toBeUndefined();
    expect(config.previousMasterKeys).toEqual([]);
    expect(config.corsOrigins).toEqual([]);
    expect(config.trustedProxies).toEqual(['127.0.0.1/8', '::1/128']);
    expect(config.providerBaseUrls).toEqual(defaultProviderBaseUrls);
    expect(config.providerBaseUrls.openai).toBe('https://api.openai.com/v1');
    expect(config.usage).toEqual({ flushIntervalMs: 1_000, batchSize: 500 });
  });

  it('does not read process.env when an environment is passed', () => {
    const saved = process.env.PORT;
    process.env.PORT = '1234';
    try {
      expect(loadConfig({}).port).toBe(8080);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });

  it('resolves a relative DATA_DIR to an absolute path', () => {
    expect(loadConfig({ DATA_DIR: 'var/sb' }).dataDir).toBe(path.resolve('var/sb'));
    expect(loadConfig({ DATA_DIR: '/srv/switchboard' }).dataDir).toBe('/srv/switchboard');
  });

  it('derives PUBLIC_URL from PORT, and strips a trailing slash from an explicit one', () => {
    expect(loadConfig({ PORT: '9000' }).publicUrl).toBe('http://localhost:9000');
    expect(loadConfig({ PUBLIC_URL: 'https://gw.example.com/' }).publicUrl).toBe('https://gw.example.com');
  });

  it('treats empty strings as unset, so a blank .env line keeps the default', () => {
    const config = loadConfig({ PORT: '', NODE_ENV: '', SWITCHBOARD_MIGRATE_ON_START: '', SWITCHBOARD_TRUSTED_PROXIES: '', SWITCHBOARD_OPENAI_BASE_URL: '' });
    expect(config.port).toBe(8080);
    expect(config.env).toBe('development');
    expect(config.migrateOnStart).toBe(true);
    expect(config.trustedProxies).toEqual(['127.0.0.1/8', '::1/128']);
    expect(config.providerBaseUrls.openai).toBe('https://api.openai.com/v1');
  });
});

describe('loadConfig production', () => {
  it('requires SWITCHBOARD_MASTER_KEY', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SWITCHBOARD_MASTER_KEY: required when NODE_ENV=production/);
    expect(problemsOf({ NODE_ENV: 'production', SWITCHBOARD_MASTER_KEY: '' })[0]).toMatch(/^SWITCHBOARD_MASTER_KEY/);
  });

  it('lists the missing master key together with other invalid settings', () => {
    const problems = problemsOf({ NODE_ENV: 'production', PORT: 'http' });
    expect(problems.some((problem) => problem.startsWith('PORT:'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('SWITCHBOARD_MASTER_KEY:'))).toBe(true);
  });

  it('starts with a master key set', () => {
    const config = loadConfig({ NODE_ENV: 'production', SWITCHBOARD_MASTER_KEY: 'a'.repeat(44) });
    expect(config.env).toBe('production');
    expect(config.masterKey).toBe('a'.repeat(44));
  });
});

describe('loadConfig validation', () => {
  it('names every invalid variable at once', () => {
    const problems = problemsOf({
      PORT: '70000',
      NODE_ENV: 'staging',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://db/x',
      SWITCHBOARD_MIGRATE_ON_START: 'maybe',
      SWITCHBOARD_MAX_BODY_BYTES: '10',
      SWITCHBOARD_RATE_LIMIT_API_PER_IP: '1.5',
    });
    const names = problems.map((problem) => problem.split(':')[0]);
    expect(names.sort()).toEqual(
      ['DATABASE_URL', 'LOG_LEVEL', 'NODE_ENV', 'PORT', 'SWITCHBOARD_MAX_BODY_BYTES', 'SWITCHBOARD_MIGRATE_ON_START', 'SWITCHBOARD_RATE_LIMIT_API_PER_IP'].sort(),
    );
  });

  it('puts every problem in the error message', () => {
    try {
      loadConfig({ PORT: 'abc', REDIS_URL: 'http://cache' });
      expect.unreachable('loadConfig accepted an invalid environment');
    } catch (error) {
      expect((error as Error).name).toBe('ConfigError');
      expect((error as Error).message).toMatch(/^Invalid configuration:\n {2}- /);
      expect((error as Error).message).toContain('PORT:');
      expect((error as Error).message).toContain('REDIS_URL:');
    }
  });

  it('rejects non-numeric and out-of-range numbers', () => {
    expect(problemsOf({ PORT: '80a' })[0]).toMatch(/^PORT:/);
    expect(problemsOf({ PORT: '-1' })[0]).toMatch(/^PORT:/);
    expect(problemsOf({ SWITCHBOARD_ACCESS_TOKEN_TTL_SECONDS: '5' })[0]).toMatch(/^SWITCHBOARD_ACCESS_TOKEN_TTL_SECONDS:/);
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });

  it('parses booleans from true/false/1/0 and rejects anything else', () => {
    expect(loadConfig({ SWITCHBOARD_MIGRATE_ON_START: 'false' }).migrateOnStart).toBe(false);
    expect(loadConfig({ SWITCHBOARD_MIGRATE_ON_START: '0' }).migrateOnStart).toBe(false);
    expect(loadConfig({ SWITCHBOARD_MIGRATE_ON_START: 'true' }).migrateOnStart).toBe(true);
    expect(loadConfig({ SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: '1' }).allowPrivateUpstreams).toBe(true);
    expect(loadConfig({ SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true' }).allowPrivateUpstreams).toBe(true);
    expect(loadConfig({ SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: '0' }).allowPrivateUpstreams).toBe(false);
    for (const value of ['TRUE', 'on', '2', 'False ']) {
      expect(problemsOf({ SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: value })[0], value).toMatch(/^SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS:/);
    }
  });

  it('splits comma-separated lists, trimming items and dropping empty ones', () => {
    const config = loadConfig({
      SWITCHBOARD_CORS_ORIGINS: ' https://a.example.com , https://b.example.com,,',
      SWITCHBOARD_MASTER_KEYS_PREVIOUS: 'old1,old2',
      SWITCHBOARD_TRUSTED_PROXIES: '10.0.0.0/8',
    });
    expect(config.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(config.previousMasterKeys).toEqual(['old1', 'old2']);
    expect(config.trustedProxies).toEqual(['10.0.0.0/8']);
  });
});

describe('provider base URL overrides', () => {
  it('overrides one provider and strips trailing slashes', () => {
    const config = loadConfig({ SWITCHBOARD_OPENAI_BASE_URL: 'https://proxy.example.com/openai/v1//' });
    expect(config.providerBaseUrls.openai).toBe('https://proxy.example.com/openai/v1');
    expect(config.providerBaseUrls.anthropic).toBe('https://api.anthropic.com');
  });

  it('sets a provider that has no default', () => {
    expect(loadConfig({ SWITCHBOARD_OPENAI_COMPATIBLE_BASE_URL: 'http://vllm:8000/v1' }).providerBaseUrls.openai_compatible).toBe('http://vllm:8000/v1');
  });

  it('rejects a non-http URL, naming the variable', () => {
    expect(problemsOf({ SWITCHBOARD_ANTHROPIC_BASE_URL: 'ftp://files.example.com' })[0]).toMatch(/^SWITCHBOARD_ANTHROPIC_BASE_URL:/);
    expect(problemsOf({ SWITCHBOARD_OPENAI_BASE_URL: 'not a url' })[0]).toMatch(/^SWITCHBOARD_OPENAI_BASE_URL:/);
  });

  it('does not change the shared defaults', () => {
    loadConfig({ SWITCHBOARD_OPENAI_BASE_URL: 'https://proxy.example.com' });
    expect(defaultProviderBaseUrls.openai).toBe('https://api.openai.com/v1');
  });
});
