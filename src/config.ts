import net from 'node:net';
import path from 'node:path';
import { parse as parsePgUrl } from 'pg-connection-string';
import { DEFAULT_RATE_LIMITS, type RateLimitSettings, type TrustProxy } from './http/rate-limits.js';

import { readRegistryConfig, type RegistryConfig } from './identity/registry-config.js';
import { readSmsConfig, type SmsConfig } from './notifications/sms-config.js';

/** Where the API finds PostgreSQL: an embedded cluster in the data folder, or a server given by URL. */
export type DatabaseTarget =
  | { kind: 'embedded' }
  | {
      kind: 'url';
      host: string;
      port: number;
      user: string;
      password?: string;
      dbName: string;
      ssl: boolean;
    };

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface Config {
  database: DatabaseTarget;
  port: number;
  host: string;
  /** Optional Unix socket path the API also listens on (benchmarks use it: loopback TCP is throttled here). */
  listenSocket?: string;
  dataDir: string;
  /** HS256 secret; when absent and JWKS is absent too, one is generated in the data folder. */
  jwtSecret?: string;
  jwksUrl?: URL;
  /** With JWKS: the `iss` and `aud` tokens must carry, so tokens the identity provider issued for other systems are refused. */
  jwtIssuer?: string;
  jwtAudience?: string;
  logLevel: LogLevel;
  introspection: boolean;
  /** Development mode shows field suggestions in validation errors; production hides them. */
  development: boolean;
  /** Load the demo catalogue into an empty database at start. */
  seedDemoData: boolean;
  sms: SmsConfig;
  /** The population registry that verifies parent–child links (and, if it holds them, priority categories). */
  registry: RegistryConfig;
  /** How often offer expiry, reminders and automatic issuing run. */
  jobsIntervalMs: number;
  rateLimits: RateLimitSettings;
  /** Whose X-Forwarded-For names the client (for per-address limits): no proxy, N hops, or these proxies. */
  trustProxy: TrustProxy;
  /** How often open WebSockets re-check that the API key they were opened with is not revoked. */
  apiKeyRecheckMs: number;
}

/** Environment variable of each rate limit (README "Limits and rate limits"). */
export const RATE_LIMIT_VARIABLES: Readonly<Record<keyof RateLimitSettings, string>> = {
  requestsPerAddress: 'RATE_LIMIT_REQUESTS_PER_ADDRESS',
  requestsPerCaller: 'RATE_LIMIT_REQUESTS_PER_CALLER',
  mutationsPerCaller: 'RATE_LIMIT_MUTATIONS_PER_CALLER',
  connectionsPerAddress: 'RATE_LIMIT_CONNECTIONS_PER_ADDRESS',
  subscriptionsPerConnection: 'RATE_LIMIT_SUBSCRIPTIONS_PER_CONNECTION',
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * Reads and validates the whole configuration at once, so an operator sees every bad value in one
 * message instead of fixing them one start at a time.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === '' ? undefined : v;
  };

  const database = parseDatabaseUrl(value('DATABASE_URL'), problems);
  const port = parsePort('PORT', value('PORT') ?? '4000', problems);

  const logLevel = (value('LOG_LEVEL') ?? 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${value('LOG_LEVEL')}")`);
  }

  const jwtSecret = value('JWT_SECRET');
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < 32) {
    problems.push('JWT_SECRET must be at least 32 bytes long (HS256 needs a 256-bit key)');
  }
  let jwksUrl: URL | undefined;
  const jwksRaw = value('JWT_JWKS_URL');
  if (jwksRaw !== undefined) {
    try {
      jwksUrl = new URL(jwksRaw);
      if (jwksUrl.protocol !== 'https:' && jwksUrl.protocol !== 'http:') throw new Error('protocol');
    } catch {
      problems.push(`JWT_JWKS_URL must be an http(s) URL (got "${jwksRaw}")`);
    }
  }

  const jwtIssuer = value('JWT_ISSUER');
  const jwtAudience = value('JWT_AUDIENCE');
  if (jwksRaw !== undefined && jwtAudience === undefined) {
    problems.push('JWT_AUDIENCE is required with JWT_JWKS_URL: without it, tokens your identity provider issued for any other system would be accepted');
  }

  const listenSocket = value('LISTEN_SOCKET');
  if (listenSocket !== undefined && Buffer.byteLength(listenSocket) > 100) {
    problems.push('LISTEN_SOCKET path is too long for a Unix socket (at most 100 bytes)');
  }

  const development = value('NODE_ENV') === 'development';
  const introspection = parseBoolean('INTROSPECTION', value('INTROSPECTION'), true, problems);
  const seedDemoData = parseBoolean('SEED_DEMO_DATA', value('SEED_DEMO_DATA'), database.kind === 'embedded', problems);

  const sms = readSmsConfig(env, problems);
  const registry = readRegistryConfig(env, database.kind === 'embedded', problems);
  const jobsIntervalMs = parsePositive('JOBS_INTERVAL_MS', value('JOBS_INTERVAL_MS') ?? '5000', problems);
  const rateLimits = { ...DEFAULT_RATE_LIMITS };
  for (const [key, name] of Object.entries(RATE_LIMIT_VARIABLES) as [keyof RateLimitSettings, string][]) {
    const raw = value(name);
    if (raw !== undefined) rateLimits[key] = parsePositive(name, raw, problems);
  }
  const trustProxy = parseTrustProxy(value('TRUST_PROXY'), problems);
  const apiKeyRecheckMs = parsePositive('API_KEY_RECHECK_MS', value('API_KEY_RECHECK_MS') ?? '10000', problems);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    database,
    port,
    host: value('HOST') ?? '0.0.0.0',
    listenSocket: listenSocket ? path.resolve(cwd, listenSocket) : undefined,
    dataDir: path.resolve(cwd, value('DATA_DIR') ?? '.data'),
    jwtSecret,
    jwksUrl,
    jwtIssuer,
    jwtAudience,
    logLevel,
    introspection,
    development,
    seedDemoData,
    sms,
    registry,
    jobsIntervalMs,
    rateLimits,
    trustProxy,
    apiKeyRecheckMs,
  };
}

const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: unset or `false` (clients connect directly), a number of proxy hops, or the
 * proxies' addresses and ranges (`10.0.0.0/8, loopback`). `true` is refused: trusting every peer
 * would let any client choose its own address by sending X-Forwarded-For.
 */
function parseTrustProxy(raw: string | undefined, problems: string[]): TrustProxy {
  if (raw === undefined || raw.toLowerCase() === 'false') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((e) => e.trim()).filter(Boolean);
  const bad = entries.filter((entry) => {
    if (PROXY_RANGE_NAMES.includes(entry)) return false;
    const [address, bits, ...rest] = entry.split('/');
    const family = net.isIP(address ?? '');
    if (family === 0 || rest.length > 0) return true;
    if (bits === undefined) return false;
    const n = Number(bits);
    return !/^\d+$/.test(bits) || n > (family === 4 ? 32 : 128);
  });
  if (bad.length > 0 || entries.length === 0) {
    problems.push(`TRUST_PROXY must be false, a number of proxy hops, or proxy addresses/ranges (IP, IP/bits, ${PROXY_RANGE_NAMES.join(', ')}), comma-separated (got "${raw}")`);
    return false;
  }
  return entries;
}

function parsePositive(name: string, raw: string, problems: string[]): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n <= 0) problems.push(`${name} must be a positive whole number (got "${raw}")`);
  return n;
}

function parsePort(name: string, raw: string, problems: string[]): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 0 || n > 65535) {
    problems.push(`${name} must be a whole number from 0 to 65535 (got "${raw}")`);
    return 0;
  }
  return n;
}

function parseBoolean(name: string, raw: string | undefined, fallback: boolean, problems: string[]): boolean {
  if (raw === undefined) return fallback;
  const v = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return fallback;
}

/**
 * MikroORM's `clientUrl` rejects the Unix-socket form `postgres://user@/db?host=/run/postgresql`,
 * so the URL is split here (with the parser `pg` itself uses) and handed over as parts.
 */
function parseDatabaseUrl(raw: string | undefined, problems: string[]): DatabaseTarget {
  if (raw === undefined) return { kind: 'embedded' };
  if (!/^postgres(ql)?:\/\//.test(raw)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
    return { kind: 'embedded' };
  }
  try {
    const parts = parsePgUrl(raw);
    if (!parts.database) {
      problems.push('DATABASE_URL must name a database (postgres://user@host:5432/dbname)');
      return { kind: 'embedded' };
    }
    const port = parts.port ? Number(parts.port) : 5432;
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      problems.push(`DATABASE_URL has an invalid port "${parts.port}"`);
    }
    return {
      kind: 'url',
      host: parts.host || 'localhost',
      port,
      user: parts.user || 'postgres',
      password: parts.password || undefined,
      dbName: parts.database,
      ssl: Boolean(parts.ssl),
    };
  } catch (err) {
    problems.push(`DATABASE_URL could not be parsed: ${(err as Error).message}`);
    return { kind: 'embedded' };
  }
}
