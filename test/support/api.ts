// An in-process Kezek API for integration tests: the real server, schema, ORM and PostgreSQL, reached
// over a Unix socket (loopback TCP is throttled on these machines) exactly as a client would.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { inject } from 'vitest';
import { createTokenService, type KezekClaims } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';
import { type ConnectionParts, initOrm, type Orm } from '../../src/db/orm.js';
import { startServer, type KezekServer } from '../../src/http/server.js';
import type { Limits } from '../../src/http/protection.js';
import type { RateLimitSettings, TrustProxy } from '../../src/http/rate-limits.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { ClaimVerifier } from '../../src/identity/claim-verifier.js';
import { DemoRegistry, type IdentityRegistry } from '../../src/identity/registry.js';
import { type JobResults, runJobs } from '../../src/jobs/scheduler.js';
import { SmsDispatcher } from '../../src/notifications/sms-dispatcher.js';
import type { SmsMessage, SmsTransport } from '../../src/notifications/transports.js';
import { ProcessApi } from './process-api.js';
import type { Clock } from '../../src/clock.js';
import { TestClock } from './clock.js';

const OPERATIONS_DIR = new URL('../operations/', import.meta.url);
/** Every named operation the tests send, as one document; requests pick one by operationName. */
const OPERATIONS = fs
  .readdirSync(OPERATIONS_DIR)
  .filter((f) => f.endsWith('.graphql'))
  .map((f) => fs.readFileSync(new URL(f, OPERATIONS_DIR), 'utf8'))
  .join('\n');

export const TEST_JWT_SECRET = 'kezek-test-secret-which-is-long-enough-for-hs256';

export interface GraphqlResponse<T = Record<string, any>> {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { data?: T | null; errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[] };
}

/** The header a test request names its own time in (see Credentials.at). */
export const TEST_TIME_HEADER = 'x-kezek-test-time';

export interface Credentials {
  token?: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /**
   * The time this request's services read, instead of the server's clock: a test enrolls a child
   * "on the 1st" or answers an offer "after its deadline" without moving time for the other tests
   * of its file (TEST_TIME_HEADER; honoured by test servers only).
   */
  at?: Date;
}

export class TestApi {
  /** SQL statements the server has sent to PostgreSQL since the last reset. */
  statements = 0;

  /** SMS "sent" by dispatchSms(), in order. */
  readonly sentSms: SmsMessage[] = [];

  /** This server's time: its services, runJobs and verifyClaims read it; tests move it. */
  readonly clock = new TestClock();

  private constructor(
    readonly orm: Orm,
    readonly server: KezekServer,
    readonly socketPath: string,
    private readonly signer: (claims: KezekClaims, ttl: number) => Promise<string>,
    /** The population registry this server asks; the demo adapter (every link confirmed) unless a test gives another. */
    readonly registry: IdentityRegistry,
  ) {}

  /**
   * The server runs with the production rate limits unless a test raises (or lowers) them here:
   * a test that legitimately sends more than they allow says so explicitly.
   */
  static async start(
    options: {
      introspection?: boolean;
      development?: boolean;
      limits?: Partial<Limits>;
      rateLimits?: Partial<RateLimitSettings>;
      trustProxy?: TrustProxy;
      apiKeyRecheckMs?: number;
      db?: ConnectionParts;
      /** The server's logger (default: silent, or TEST_LOG_LEVEL). */
      log?: Logger;
      registry?: IdentityRegistry;
      /** Replaces the server's own TestClock (api.clock) with another source of time. */
      clock?: Clock;
    } = {},
  ): Promise<TestApi> {
    // TEST_LOG_LEVEL=error npm test shows the server's own logs (masked errors included).
    const log = options.log ?? createLogger((process.env.TEST_LOG_LEVEL as 'error' | undefined) ?? 'silent');
    const config = loadConfig({ JWT_SECRET: TEST_JWT_SECRET, DATA_DIR: os.tmpdir() });
    const db = options.db ?? inject('db');
    const orm = await initOrm(db, log, 10);
    const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-api-'));
    const socketPath = path.join(socketDir, 'api.sock');
    const tokens = createTokenService(config);
    const registry = options.registry ?? new DemoRegistry();
    let api: TestApi | undefined;
    const server = await startServer({
      orm,
      tokens,
      log,
      port: 0,
      host: '127.0.0.1',
      listenSocket: socketPath,
      introspection: options.introspection ?? true,
      development: options.development ?? false,
      limits: options.limits,
      rateLimits: options.rateLimits,
      trustProxy: options.trustProxy,
      apiKeyRecheckMs: options.apiKeyRecheckMs,
      listen: db,
      registry,
      clock: options.clock ?? (() => api!.clock.now()),
      requestClock: (req) => {
        const at = req.headers[TEST_TIME_HEADER];
        return typeof at === 'string' ? () => new Date(at) : undefined;
      },
    });
    api = new TestApi(orm, server, socketPath, tokens.sign!, registry);
    orm.em.getConnection().getKnex().on('query', () => void api.statements++);
    return api;
  }

  /**
   * The API exactly as `npm start` runs it: `node --import tsx src/main.ts` in its own process —
   * its own transform (tsx, no decorator metadata), start-up, migrations, scheduler and SMS
   * dispatcher — on a database of its own, created empty here in the test cluster. The tests
   * drive it through the same client as the in-process server; `sql()` reads its database.
   */
  static async spawn(env: Record<string, string> = {}): Promise<TestApi> {
    const db = inject('db');
    const dbName = `kezek_runtime_${randomBytes(4).toString('hex')}`;
    const admin = await initOrm(db, undefined, 1);
    await admin.em.getConnection().execute(`create database ${dbName}`);
    await admin.close(true);

    const auth = `${encodeURIComponent(db.user)}${db.password ? `:${encodeURIComponent(db.password)}` : ''}`;
    const spawned = await ProcessApi.start({
      env: {
        DATABASE_URL: `postgres://${auth}@/${dbName}?host=${encodeURIComponent(db.host)}&port=${db.port}`,
        JWT_SECRET: TEST_JWT_SECRET,
        SEED_DEMO_DATA: 'false',
        IDENTITY_REGISTRY: 'demo',
        ...env,
      },
    });
    const url = JSON.parse(spawned.output.split('\n').find((l) => l.includes('Kezek API listening'))!).url as string;
    const server: KezekServer = {
      url,
      port: Number(new URL(url).port),
      socketPath: spawned.socketPath,
      close: async () => {
        const code = await spawned.stop();
        spawned.remove();
        if (code !== 0) throw new Error(`the API exited with ${code} on SIGTERM:\n${spawned.output}`);
      },
    };
    const orm = await initOrm({ ...db, dbName }, undefined, 4);
    const tokens = createTokenService(loadConfig({ JWT_SECRET: TEST_JWT_SECRET, DATA_DIR: os.tmpdir() }));
    const api = new TestApi(orm, server, spawned.socketPath, tokens.sign!, new DemoRegistry());
    api.output = () => spawned.output;
    api.dropDatabase = dbName;
    return api;
  }

  /** What a spawned API printed (JSON log lines), for asserting on what it logged. */
  output: () => string = () => '';
  private dropDatabase?: string;

  /** POSTs a GraphQL request and returns status and body, errors included. */
  request<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, creds: Credentials = {}): Promise<GraphqlResponse<T>> {
    return this.post(JSON.stringify({ query, variables }), creds);
  }

  /**
   * Sends a named operation from test/operations/*.graphql, typed by the code generator
   * (`npm run codegen` → test/generated/operations.ts). Fails the test on any GraphQL error.
   */
  async operation<TData, TVariables extends Record<string, unknown> = Record<string, never>>(
    operationName: string,
    variables?: TVariables,
    creds: Credentials = {},
  ): Promise<TData> {
    const res = await this.post(JSON.stringify({ query: OPERATIONS, operationName, variables: variables ?? {} }), creds);
    if (res.body.errors?.length || !res.body.data) throw new Error(`GraphQL errors: ${JSON.stringify(res.body.errors)}`);
    return res.body.data as TData;
  }

  /**
   * Sends a named operation like operation(), but returns the whole response, errors included:
   * for the refused cases of a typed flow (`res.body.errors[0].extensions.code`).
   */
  attempt<TData = Record<string, any>, TVariables extends Record<string, unknown> = Record<string, unknown>>(
    operationName: string,
    variables?: TVariables,
    creds: Credentials = {},
  ): Promise<GraphqlResponse<TData>> {
    return this.post(JSON.stringify({ query: OPERATIONS, operationName, variables: variables ?? {} }), creds);
  }

  /** Like request, but fails the test on any GraphQL error and returns `data`. */
  async data<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, creds: Credentials = {}): Promise<T> {
    const res = await this.request<T>(query, variables, creds);
    if (res.body.errors?.length || !res.body.data) throw new Error(`GraphQL errors: ${JSON.stringify(res.body.errors)}`);
    return res.body.data;
  }

  /** Sends a raw body (for malformed or oversized requests). */
  post(body: string, creds: Credentials = {}, method = 'POST', urlPath = '/graphql'): Promise<GraphqlResponse<any>> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...creds.headers };
    if (creds.token) headers.authorization = `Bearer ${creds.token}`;
    if (creds.apiKey) headers['x-api-key'] = creds.apiKey;
    if (creds.at) headers[TEST_TIME_HEADER] = creds.at.toISOString();
    return new Promise((resolve, reject) => {
      const req = http.request({ socketPath: this.socketPath, path: urlPath, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body;
          try {
            body = JSON.parse(text);
          } catch {
            body = { raw: text };
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /**
   * Runs the scheduled jobs once as if it were `now` (expiry, reminders, automatic issuing), for
   * one city only: test files run in parallel, and moving the clock for all cities would expire
   * other files' offers.
   */
  runJobs(city: string, now: Date = this.clock.now()): Promise<JobResults> {
    return runJobs(this.orm, now, { cityCodes: [city] });
  }

  /**
   * Runs the background claim verifier once, as if it were `now`, over the given claims only (test
   * files share the database: verifying everyone's would decide other files' claims).
   */
  verifyClaims(claimIds: string[], now: Date = this.clock.now()) {
    return new ClaimVerifier(this.orm, this.registry, createLogger('silent'), 1000, () => now).runOnce(now, { claimIds });
  }

  /** Sends every due SMS through a recording transport (the real dispatcher, a fake gateway). */
  async dispatchSms(now: Date = this.clock.now()) {
    const transport: SmsTransport = { name: 'test', send: async (message) => void this.sentSms.push(message) };
    const dispatcher = new SmsDispatcher(this.orm, transport, createLogger('silent'), { intervalMs: 1000, maxAttempts: 3, batchSize: 500 });
    return dispatcher.runOnce(now);
  }

  /** Raw SQL against the test database, for assertions on what was (not) written. */
  sql<T = Record<string, any>>(query: string, params: unknown[] = []): Promise<T[]> {
    return this.orm.em.fork().getConnection().execute(query, params);
  }

  token(claims: KezekClaims, ttlSeconds = 3600): Promise<string> {
    return this.signer(claims, ttlSeconds);
  }

  /** The graphql-ws URL of this server's Unix socket. */
  get wsUrl(): string {
    return `ws+unix://${this.socketPath}:/graphql`;
  }

  wsClient(connectionParams: Record<string, unknown> = {}): Client {
    return createClient({ url: this.wsUrl, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
  }

  /**
   * Subscribes over graphql-ws; `next()` resolves with the next message (or rejects after
   * `timeoutMs`, so a test of "nothing arrives" is bounded), `close()` ends it.
   */
  async subscribe<T = any>(query: string, variables: Record<string, unknown> = {}, token?: string) {
    const client = this.wsClient(token ? { authorization: `Bearer ${token}` } : {});
    const iterator = client.iterate<T>({ query, variables });
    return {
      next: async (timeoutMs = 5000): Promise<T> => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms`)), timeoutMs)));
        try {
          const result = await Promise.race([iterator.next(), timeout]);
          if (result.done) throw new Error('subscription ended');
          if (result.value.errors) throw new Error(`subscription errors: ${JSON.stringify(result.value.errors)}`);
          return result.value.data as T;
        } finally {
          clearTimeout(timer);
        }
      },
      close: async () => {
        await iterator.return?.();
        await client.dispose();
      },
    };
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.orm.close(true);
    fs.rmSync(path.dirname(this.socketPath), { recursive: true, force: true });
    if (this.dropDatabase) {
      const admin = await initOrm(inject('db'), undefined, 1);
      await admin.em.getConnection().execute(`drop database ${this.dropDatabase} with (force)`);
      await admin.close(true);
    }
  }
}
