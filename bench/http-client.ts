// What the API benchmarks talk to: the real server (schema, services, ORM) started in this process
// on a Unix socket — loopback TCP is throttled on the benchmark machines — and a small keep-alive
// GraphQL client that records each request's latency. Client and server share this process's event
// loop, so the figures include the client's own (small) cost of encoding and parsing JSON.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createTokenService, type KezekClaims } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import { type ConnectionParts, initOrm } from '../src/db/orm.js';
import { startServer } from '../src/http/server.js';
import { BENCH_RATE_LIMITS } from '../src/http/rate-limits.js';
import { createLogger } from '../src/logger.js';

/** The production pool size (ormOptions' default): the API under test runs as it would in service. */
const API_POOL_SIZE = 20;
const BENCH_JWT_SECRET = 'kezek-bench-secret-long-enough-for-hs256-signing';

export interface GraphqlError {
  message: string;
  extensions?: { code?: string };
}

export interface GraphqlResult<T> {
  status: number;
  data?: T | null;
  errors?: GraphqlError[];
  /** Wall time from sending the request to the last byte of the response. */
  ms: number;
}

/** A result is good when the server answered 200 with data and no errors. */
export const succeeded = <T>(r: GraphqlResult<T>): r is GraphqlResult<T> & { data: T } =>
  r.status === 200 && !r.errors?.length && r.data != null;

/** One error line for a failed result, for logs and thrown errors. */
export const describeFailure = (r: GraphqlResult<unknown>): string =>
  `HTTP ${r.status}: ${r.errors?.map((e) => `${e.extensions?.code ?? '?'} ${e.message}`).join('; ') || 'no data'}`;

/** GraphQL over HTTP on a Unix socket, with keep-alive connections shared by every caller. */
export class GraphqlClient {
  private readonly agent: http.Agent;

  constructor(
    private readonly socketPath: string,
    maxSockets: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  request<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphqlResult<T>> {
    const body = JSON.stringify({ query, variables });
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (token) headers.authorization = `Bearer ${token}`;
    const started = performance.now();
    return new Promise((resolve) => {
      // A broken connection is a failed request like any other: counted by the caller, not thrown.
      const failed = (err: Error) => resolve({ status: 0, errors: [{ message: `connection: ${err.message}` }], ms: performance.now() - started });
      const req = http.request({ socketPath: this.socketPath, path: '/graphql', method: 'POST', headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', failed);
        res.on('end', () => {
          const ms = performance.now() - started;
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            const parsed = JSON.parse(text) as { data?: T | null; errors?: GraphqlError[] };
            resolve({ status: res.statusCode ?? 0, data: parsed.data, errors: parsed.errors, ms });
          } catch {
            resolve({ status: res.statusCode ?? 0, errors: [{ message: `not JSON: ${text.slice(0, 200)}` }], ms });
          }
        });
      });
      req.on('error', failed);
      req.end(body);
    });
  }

  /** Closes the kept-alive sockets, so the server can drain at once. */
  close(): void {
    this.agent.destroy();
  }
}

/** Latencies in milliseconds, summarised by nearest-rank percentiles. */
export class LatencyRecorder {
  private readonly samples: number[] = [];
  private sorted: number[] | null = null;

  record(ms: number): void {
    this.samples.push(ms);
    this.sorted = null;
  }

  get count(): number {
    return this.samples.length;
  }

  /** The p-th percentile (0 < p ≤ 100), nearest rank: a value that was actually measured. */
  percentile(p: number): number {
    this.sorted ??= [...this.samples].sort((a, b) => a - b);
    if (this.sorted.length === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.sorted.length));
    return this.sorted[rank - 1]!;
  }

  mean(): number {
    return this.samples.reduce((sum, ms) => sum + ms, 0) / this.samples.length;
  }

  /** "p50 1.23 ms · p99 4.56 ms · max 7.89 ms", for progress logs. */
  summary(): string {
    return `p50 ${formatMs(this.percentile(50))} · p90 ${formatMs(this.percentile(90))} · p99 ${formatMs(this.percentile(99))} · max ${formatMs(this.percentile(100))}`;
  }
}

export const formatMs = (ms: number): string => `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;

/** Per-second rate with thin grouping, e.g. "1,234/s". */
export const formatRate = (count: number, seconds: number): string => `${Math.round(count / seconds).toLocaleString('en-US')}/s`;

/** Runs `clients` loops side by side, each handed its index; resolves when all have finished. */
export async function runClients(clients: number, loop: (client: number) => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: clients }, (_, client) => loop(client)));
}

export interface BenchApi {
  client(maxSockets: number): GraphqlClient;
  /** A token as the API's own signer makes it (PARENT: `sub` is the parent's IIN). */
  token(claims: KezekClaims, ttlSeconds?: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the API on a Unix socket in a fresh temporary folder, with its own ORM and connection
 * pool (the runner's small pool stays free for loading and checking). Logs only errors.
 */
export async function startBenchApi(connection: ConnectionParts): Promise<BenchApi> {
  const log = createLogger('error');
  const tokens = createTokenService(loadConfig({ JWT_SECRET: BENCH_JWT_SECRET, DATA_DIR: os.tmpdir() }));
  const orm = await initOrm(connection, log, API_POOL_SIZE);
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-bench-api-'));
  const socketPath = path.join(socketDir, 'api.sock');
  const clients: GraphqlClient[] = [];
  let server;
  try {
    server = await startServer({ orm, tokens, log, port: 0, host: '127.0.0.1', listenSocket: socketPath, introspection: true, development: false, listen: connection, rateLimits: BENCH_RATE_LIMITS });
  } catch (err) {
    await orm.close(true);
    fs.rmSync(socketDir, { recursive: true, force: true });
    throw err;
  }
  const running = server;
  return {
    client(maxSockets) {
      const client = new GraphqlClient(socketPath, maxSockets);
      clients.push(client);
      return client;
    },
    token: (claims, ttlSeconds = 3600) => tokens.sign!(claims, ttlSeconds),
    async close() {
      for (const client of clients) client.close();
      await running.close();
      await orm.close(true);
      fs.rmSync(socketDir, { recursive: true, force: true });
    },
  };
}
