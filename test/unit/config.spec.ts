import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('defaults to the embedded database, port 4000 and ./.data', () => {
    const config = loadConfig({}, '/srv/kezek');
    expect(config).toMatchObject({
      database: { kind: 'embedded' },
      port: 4000,
      dataDir: '/srv/kezek/.data',
      logLevel: 'info',
      introspection: true,
      seedDemoData: true,
    });
  });

  it('reads the Unix-socket form of DATABASE_URL', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://kezek@/voucher?host=/run/postgresql&port=5433', IDENTITY_REGISTRY: 'webhook', IDENTITY_REGISTRY_URL: 'https://gw.example.kz/registry' });
    expect(config.database).toEqual({ kind: 'url', host: '/run/postgresql', port: 5433, user: 'kezek', password: undefined, dbName: 'voucher', ssl: false });
    expect(config.seedDemoData).toBe(false);
  });

  it('reads a TCP DATABASE_URL with a password', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://app:s3cret@db.internal:6432/kezek', SEED_DEMO_DATA: 'true', IDENTITY_REGISTRY: 'demo' });
    expect(config.database).toMatchObject({ host: 'db.internal', port: 6432, user: 'app', password: 's3cret', dbName: 'kezek' });
    expect(config.seedDemoData).toBe(true);
  });

  it('names every bad value in one error', () => {
    try {
      loadConfig({ DATABASE_URL: 'mysql://x/y', PORT: 'eighty', LOG_LEVEL: 'loud', JWT_SECRET: 'short', JWT_JWKS_URL: 'not a url', INTROSPECTION: 'maybe' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual([
        'DATABASE_URL must start with postgres:// or postgresql://',
        'PORT must be a whole number from 0 to 65535 (got "eighty")',
        'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
        'JWT_SECRET must be at least 32 bytes long (HS256 needs a 256-bit key)',
        'JWT_JWKS_URL must be an http(s) URL (got "not a url")',
        'JWT_AUDIENCE is required with JWT_JWKS_URL: without it, tokens your identity provider issued for any other system would be accepted',
        'INTROSPECTION must be true or false (got "maybe")',
      ]);
    }
  });

  it('checks the SMS gateway settings', () => {
    expect(loadConfig({}).sms).toMatchObject({ transport: 'log', webhookTimeoutMs: 5000, maxAttempts: 8 });
    expect(() => loadConfig({ SMS_TRANSPORT: 'webhook' })).toThrow(/SMS_WEBHOOK_URL is required when SMS_TRANSPORT is webhook/);
    expect(() => loadConfig({ SMS_TRANSPORT: 'pigeon' })).toThrow(/SMS_TRANSPORT must be one of log, webhook/);
    expect(loadConfig({ SMS_TRANSPORT: 'webhook', SMS_WEBHOOK_URL: 'https://sms.example.kz/send' }).sms.webhookUrl?.href).toBe('https://sms.example.kz/send');
  });

  it('uses the demo registry only by default on the embedded database; with DATABASE_URL the adapter must be chosen', () => {
    expect(loadConfig({}).registry).toEqual({ adapter: 'demo', webhookUrl: undefined, webhookToken: undefined, timeoutMs: 3000 });
    expect(() => loadConfig({ DATABASE_URL: 'postgres://kezek@db/kezek' })).toThrow(/IDENTITY_REGISTRY is required with DATABASE_URL/);
    expect(loadConfig({ DATABASE_URL: 'postgres://kezek@db/kezek', IDENTITY_REGISTRY: 'demo' }).registry.adapter).toBe('demo');
    const webhook = loadConfig({
      DATABASE_URL: 'postgres://kezek@db/kezek', IDENTITY_REGISTRY: 'WEBHOOK', IDENTITY_REGISTRY_URL: 'https://gw.example.kz/registry', IDENTITY_REGISTRY_TOKEN: 't0ken', IDENTITY_REGISTRY_TIMEOUT_MS: '1500',
    }).registry;
    expect(webhook).toEqual({ adapter: 'webhook', webhookUrl: new URL('https://gw.example.kz/registry'), webhookToken: 't0ken', timeoutMs: 1500 });
    expect(() => loadConfig({ IDENTITY_REGISTRY: 'webhook' })).toThrow(/IDENTITY_REGISTRY_URL is required when IDENTITY_REGISTRY is webhook/);
    expect(() => loadConfig({ IDENTITY_REGISTRY: 'trust-me' })).toThrow(/IDENTITY_REGISTRY must be one of demo, webhook/);
    expect(() => loadConfig({ IDENTITY_REGISTRY_URL: 'ftp://x' })).toThrow(/IDENTITY_REGISTRY_URL must be an http\(s\) URL/);
    expect(() => loadConfig({ IDENTITY_REGISTRY_TIMEOUT_MS: '-1' })).toThrow(/IDENTITY_REGISTRY_TIMEOUT_MS must be a positive whole number/);
  });

  it('requires a database name in DATABASE_URL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://localhost' })).toThrow(/must name a database/);
  });

  it('reads rate limits and trusted proxies, with sensible defaults', () => {
    expect(loadConfig({})).toMatchObject({
      rateLimits: { requestsPerAddress: 1200, requestsPerCaller: 600, mutationsPerCaller: 60, connectionsPerAddress: 200, subscriptionsPerConnection: 25 },
      trustProxy: false,
      apiKeyRecheckMs: 10_000,
    });
    const config = loadConfig({ RATE_LIMIT_MUTATIONS_PER_CALLER: '20', RATE_LIMIT_CONNECTIONS_PER_ADDRESS: '1000', TRUST_PROXY: '10.0.0.0/8, loopback, 2001:db8::1' });
    expect(config.rateLimits).toMatchObject({ mutationsPerCaller: 20, connectionsPerAddress: 1000, requestsPerAddress: 1200 });
    expect(config.trustProxy).toEqual(['10.0.0.0/8', 'loopback', '2001:db8::1']);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
  });

  it('refuses bad rate limits and a TRUST_PROXY that would trust everyone', () => {
    const problems = (() => {
      try {
        loadConfig({ RATE_LIMIT_REQUESTS_PER_ADDRESS: '0', RATE_LIMIT_SUBSCRIPTIONS_PER_CONNECTION: 'many', TRUST_PROXY: 'true' });
      } catch (err) {
        return (err as ConfigError).problems;
      }
      return [];
    })();
    expect(problems).toEqual([
      'RATE_LIMIT_REQUESTS_PER_ADDRESS must be a positive whole number (got "0")',
      'RATE_LIMIT_SUBSCRIPTIONS_PER_CONNECTION must be a positive whole number (got "many")',
      expect.stringContaining('TRUST_PROXY must be false, a number of proxy hops'),
    ]);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/);
  });
});
