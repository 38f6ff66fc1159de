// `npm run bench -- fan-out`: live queue positions for 10,000 watching parents when the head of
// their queue is offered vouchers. The issue's targets on a 2-core machine: every changed position
// delivered within 1 s of the commit (p99), with at most 2 SQL statements per change per instance.
//
// One queue (AKTOBE, UNIVERSAL) is bulk-loaded by SQL: AHEAD applications nobody watches, then
// 10,000 watched ones. The watchers are 1,000 parents with 10 children each, one graphql-ws
// connection per parent (a connection carries one token) and one subscription per child: 1,000
// sockets instead of 10,000 keeps file descriptors (two per socket, both ends live in this
// process) well under a default 20,000 limit. The clients run in a worker thread, so the server's
// heap (this thread's isolate) can be measured alone and the clients' JSON work does not sit on the
// server's event loop — they still share the machine's two cores with the server and PostgreSQL.
//
// The API runs in-process on a Unix socket with its own ORM, whose statements are counted.

import 'reflect-metadata';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Knex } from '@mikro-orm/postgresql';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createTokenService, type TokenService } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import { type ConnectionParts, initOrm, type Orm } from '../src/db/orm.js';
import { ApplicationStatus, PriorityCategory, Relationship, Role, Sex, VoucherType } from '../src/domain/enums.js';
import { priorityRank } from '../src/domain/priority.js';
import { type KezekServer, startServer } from '../src/http/server.js';
import { BENCH_RATE_LIMITS } from '../src/http/rate-limits.js';
import { uuidv7 } from '../src/ids.js';
import { createLogger } from '../src/logger.js';
import { birthDateForAge, cityBand, IinSequence, isoMicros, seededRandom, spreadInstants } from '../src/seed/article-scenario.js';
import { type Benchmark, loadRows, type BenchLog, type BenchmarkResult, formatCount, formatSeconds, secondsSince } from './benchmark.js';

const CITY = 'AKTOBE';
const TYPE = VoucherType.UNIVERSAL;
/** Applications at the head of the queue that nobody watches; the offers reach past them into the watched ones. */
const AHEAD = 50;
const PARENTS = 1_000;
const CHILDREN_PER_PARENT = 10;
const WATCHED = PARENTS * CHILDREN_PER_PARENT;
const OFFERS = 100;
/** Connections being opened at once; each opens its 10 subscriptions together. */
const OPEN_CONCURRENCY = 20;
const OPEN_TIMEOUT_MS = 300_000;
const DELIVERY_TIMEOUT_MS = 60_000;
/** After the last delivery, how long statements the change set off are still counted (the hub's metrics flush runs 250 ms after an event). */
const SETTLE_MS = 1_000;
const TARGET_P99_MS = 1_000;
const TARGET_STATEMENTS = 2;
const RULES_VERSION = 1;
const JWT_SECRET = 'kezek-bench-fan-out-secret-long-enough-for-hs256';
const CLIENT_ROLE = 'kezek-fan-out-clients';
const POSITION = 'subscription($id: ID!) { queuePositionChanged(applicationId: $id) { applicationId position status reason at } }';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

// ---------------------------------------------------------------------------------------------
// The queue, planned in memory and bulk-loaded.

interface ParentRow {
  id: string;
  iin: string;
  name: string;
  phone: string;
}

/** One child waiting in the queue, with the parent who applied. */
interface QueueEntry {
  parent: ParentRow;
  childId: string;
  childIin: string;
  birthDate: string;
  sex: Sex;
  guardianshipId: string;
  applicationId: string;
  submittedAt: string;
}

interface Plan {
  /** The watching parents, whose `entries` are their children in queue order. */
  watchers: { parent: ParentRow; applicationIds: string[] }[];
  parents: ParentRow[];
  /** In queue order: the unwatched head first. */
  entries: QueueEntry[];
}

interface CityRow {
  id: string;
  band: number;
  cityCount: number;
  priorityOrder: PriorityCategory[];
  /** The programme year now in the city, for the quota. */
  period: string;
}

/**
 * The unwatched head (a parent each), then the watched children: entry k belongs to watching parent
 * k mod PARENTS, so each connection's subscriptions are spread along the whole queue. Applications
 * were submitted one after another over August, so submitted_at strictly increases in queue order.
 */
function planQueue(city: CityRow): Plan {
  const random = seededRandom(`kezek-bench-fan-out-${CITY}`);
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const band = cityBand(city.band, city.cityCount, 5_000, 9_999);
  const childIins = new IinSequence(band);
  const parentIins = new IinSequence(band);
  const newParent = (n: number): ParentRow => {
    // Days 20–28 only: the test helpers' random parent IINs use days 10–19.
    const birth = `${between(1975, 1995)}-${pad(between(1, 12), 2)}-${between(20, 28)}`;
    return { id: uuidv7(), iin: parentIins.take(birth, random() < 0.7 ? Sex.FEMALE : Sex.MALE), name: `Ата-ана ${n + 1}`, phone: `+7701${pad(n, 7)}` };
  };
  const head = Array.from({ length: AHEAD }, (_, n) => newParent(n));
  const watching = Array.from({ length: PARENTS }, (_, n) => newParent(AHEAD + n));
  const owners = [...head, ...Array.from({ length: WATCHED }, (_, k) => watching[k % PARENTS]!)];
  const times = spreadInstants('2025-08-01T04:00:00Z', '2025-08-31T13:00:00Z', owners.length, random);
  const entries = owners.map((parent, i): QueueEntry => {
    const sex = random() < 0.5 ? Sex.MALE : Sex.FEMALE;
    const birthDate = birthDateForAge(between(6, 16), between(0, 364));
    const submittedMs = Math.floor(times[i]! / 1000);
    return {
      parent, childId: uuidv7(submittedMs), childIin: childIins.take(birthDate, sex), birthDate, sex,
      guardianshipId: uuidv7(submittedMs), applicationId: uuidv7(submittedMs), submittedAt: isoMicros(times[i]!),
    };
  });
  const watchers = watching.map((parent) => ({ parent, applicationIds: entries.filter((e) => e.parent === parent).map((e) => e.applicationId) }));
  return { watchers, parents: [...head, ...watching], entries };
}

/** The city, refused if it has applications or quotas already: the positions checked below assume an empty queue. */
async function readEmptyCity(trx: Knex.Transaction): Promise<CityRow> {
  const { rows } = await trx.raw(
    `select c.id, r.priority_order, to_char(now() at time zone c.timezone, 'YYYY') as period,
       (select count(*) from city)::int as city_count, (select count(*) from city o where o.code < c.code)::int as band,
       exists (select 1 from application where city_id = c.id) or exists (select 1 from quota where city_id = c.id) as in_use
     from city c join city_rules r on r.city_id = c.id and r.version = ? where c.code = ? for no key update of c`,
    [RULES_VERSION, CITY],
  );
  const row = rows[0];
  if (!row) throw new Error(`${CITY} or its rules version ${RULES_VERSION} is missing: run the migrations first.`);
  if (row.in_use) throw new Error(`${CITY} already has applications or quotas; the fan-out benchmark needs a fresh database.`);
  return { id: row.id, band: row.band, cityCount: row.city_count, priorityOrder: row.priority_order, period: row.period };
}

async function insertQueue(trx: Knex.Transaction, city: CityRow, plan: Plan, log: BenchLog): Promise<void> {
  const { parents, entries } = plan;
  await loadRows(trx, 'applicant', parents, [
    ['id', 'uuid', (p) => p.id], ['iin', 'text', (p) => p.iin], ['full_name', 'text', (p) => p.name],
    ['phone', 'text', (p) => p.phone], ['language', 'text', () => 'KK'],
  ], log);
  await loadRows(trx, 'child', entries, [
    ['id', 'uuid', (e) => e.childId], ['iin', 'text', (e) => e.childIin], ['full_name', 'text', (e) => `Бала ${e.childIin}`],
    ['birth_date', 'date', (e) => e.birthDate], ['sex', 'text', (e) => e.sex], ['created_at', 'timestamptz', (e) => e.submittedAt],
  ], log);
  await loadRows(trx, 'guardianship', entries, [
    ['id', 'uuid', (e) => e.guardianshipId], ['applicant_id', 'uuid', (e) => e.parent.id], ['child_id', 'uuid', (e) => e.childId],
    ['relationship', 'text', () => Relationship.MOTHER], ['created_at', 'timestamptz', (e) => e.submittedAt],
    ['full_name', 'text', () => 'Бала'], ['status', 'text', () => 'VERIFIED'], ['registry_answer', 'text', () => 'CONFIRMED'],
  ], log);
  const rank = priorityRank(city.priorityOrder, PriorityCategory.NONE);
  await loadRows(trx, 'application', entries, [
    ['id', 'uuid', (e) => e.applicationId], ['child_id', 'uuid', (e) => e.childId], ['applicant_id', 'uuid', (e) => e.parent.id],
    ['city_id', 'uuid', () => city.id], ['voucher_type', 'text', () => TYPE], ['status', 'text', () => ApplicationStatus.QUEUED],
    ['priority_category', 'text', () => PriorityCategory.NONE], ['priority_rank', 'smallint', () => rank],
    ['submitted_at', 'timestamptz', (e) => e.submittedAt], ['rules_version', 'int', () => RULES_VERSION], ['updated_at', 'timestamptz', (e) => e.submittedAt],
  ], log);
}

/** Loads the queue in one transaction, then vacuums and analyzes as autovacuum would have. */
async function load(orm: Orm, log: BenchLog): Promise<{ city: CityRow; plan: Plan }> {
  const knex = orm.em.fork().getConnection().getKnex();
  const loaded = await knex.transaction(async (trx) => {
    const city = await readEmptyCity(trx);
    const plan = planQueue(city);
    log(`planned ${formatCount(plan.entries.length)} QUEUED applications (${AHEAD} unwatched ahead) of ${formatCount(plan.parents.length)} parents in ${CITY} ${TYPE}`);
    await insertQueue(trx, city, plan, log);
    return { city, plan };
  });
  await knex.raw('vacuum analyze applicant, child, guardianship, application');
  return loaded;
}

// ---------------------------------------------------------------------------------------------
// Measuring tools.

let collect: (() => void) | undefined;
/** heapUsed of this thread's isolate after full collections, so only live objects count. */
function liveHeap(): number {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

interface Statement {
  sql: string;
  startedAt: number;
  endedAt: number | null;
}

/** Counts the server ORM's statements; inside a window, also keeps each one's text and timing. */
class StatementLog {
  count = 0;
  private window: Statement[] | null = null;
  private readonly running = new Map<string, Statement>();

  constructor(knex: Knex) {
    knex.on('query', (query: { sql: string; __knexQueryUid?: string }) => {
      this.count++;
      if (!this.window) return;
      const statement = { sql: query.sql, startedAt: Date.now(), endedAt: null };
      this.window.push(statement);
      if (query.__knexQueryUid) this.running.set(query.__knexQueryUid, statement);
    });
    knex.on('query-response', (_response: unknown, query: { __knexQueryUid?: string }) => {
      const statement = query.__knexQueryUid ? this.running.get(query.__knexQueryUid) : undefined;
      if (statement) statement.endedAt = Date.now();
    });
  }

  open(): void {
    this.window = [];
    this.running.clear();
  }

  close(): Statement[] {
    const statements = this.window ?? [];
    this.window = null;
    return statements;
  }
}

/** The realtime machinery's statements, by SQL text; anything else in the window is the mutation's. */
const REALTIME_STATEMENTS: [label: string, pattern: RegExp][] = [
  ['event read', /from domain_event where id >/],
  // The hub's positionsInQueue (one numbering of the watched stretch of the queue), or queuePositions (a count per application).
  ['position recompute', /with w as \(select id, status, priority_rank, submitted_at, submission_seq from application\b|from application me\b/],
  ['metrics flush: city list', /from "city" as "c0" order by/],
];

function classify(sql: string): string | null {
  return REALTIME_STATEMENTS.find(([, pattern]) => pattern.test(sql))?.[0] ?? null;
}

/** Nearest-rank percentile of ascending `sorted`. */
const percentile = (sorted: number[], p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
const formatMs = (ms: number): string => `${Math.round(ms).toLocaleString('en-US')} ms`;
const formatBytes = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

// ---------------------------------------------------------------------------------------------
// The clients, in a worker thread.

interface ClientInput {
  role: typeof CLIENT_ROLE;
  socketPath: string;
  families: { token: string; applicationIds: string[] }[];
}

interface PositionMessage {
  applicationId: string;
  position: number | null;
  status: ApplicationStatus;
  reason: string;
}

interface Arrival extends PositionMessage {
  arrivedAt: number;
}

type ToWorker = { type: 'report' } | { type: 'close' };

type FromWorker =
  | { type: 'opened'; seconds: number; heapBefore: number; heapAfter: number; initial: PositionMessage[] }
  | { type: 'delivered' }
  | { type: 'report'; arrivals: Arrival[] }
  | { type: 'closed' }
  | { type: 'failed'; error: string };

const describeError = (err: unknown): string => {
  if (err instanceof Error) return err.message;
  if (Array.isArray(err)) return JSON.stringify(err);
  const close = err as { code?: number; reason?: string };
  return close?.code ? `socket closed ${close.code} ${close.reason ?? ''}` : String(err);
};

/** Runs `task` over `items` with at most `limit` in flight. */
async function inPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Opens one parent's connection and subscriptions; resolves once each has had its CURRENT message. */
function openFamily(socketPath: string, family: ClientInput['families'][number], clients: Client[], onMessage: (m: PositionMessage, at: number) => void): Promise<void> {
  const client = createClient({
    url: `ws+unix://${socketPath}:/graphql`, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${family.token}` },
  });
  clients.push(client);
  const subscriptions = family.applicationIds.map(
    (id) =>
      new Promise<void>((resolve, reject) => {
        client.subscribe<{ queuePositionChanged: PositionMessage }>({ query: POSITION, variables: { id } }, {
          next: (result) => {
            const arrivedAt = Date.now();
            const message = result.data?.queuePositionChanged;
            if (result.errors?.length || !message) return reject(new Error(`subscription ${id}: ${JSON.stringify(result.errors)}`));
            onMessage(message, arrivedAt);
            if (message.reason === 'CURRENT') resolve();
          },
          error: (err) => reject(new Error(`subscription ${id}: ${describeError(err)}`)),
          complete: () => reject(new Error(`subscription ${id} ended`)),
        });
      }),
  );
  return Promise.all(subscriptions).then(() => undefined);
}

/** The worker's side: open every subscription, report, record what arrives, close when told. */
async function runClients(input: ClientInput): Promise<void> {
  const port = parentPort!;
  const send = (message: FromWorker) => port.postMessage(message);
  const initial: PositionMessage[] = [];
  const arrivals: Arrival[] = [];
  const updated = new Set<string>();
  const clients: Client[] = [];
  let opened = false;
  let delivered = false;
  const onMessage = (message: PositionMessage, arrivedAt: number) => {
    if (!opened && message.reason === 'CURRENT') return void initial.push(message);
    arrivals.push({ ...message, arrivedAt });
    updated.add(message.applicationId);
    if (updated.size === WATCHED && !delivered) {
      delivered = true;
      send({ type: 'delivered' });
    }
  };
  port.on('message', (message: ToWorker) => {
    if (message.type === 'report') send({ type: 'report', arrivals });
    if (message.type === 'close') void Promise.all(clients.map((c) => c.dispose())).then(() => send({ type: 'closed' }));
  });
  const heapBefore = liveHeap();
  const started = performance.now();
  await inPool(input.families, OPEN_CONCURRENCY, (family) => openFamily(input.socketPath, family, clients, onMessage));
  opened = true;
  send({ type: 'opened', seconds: secondsSince(started), heapBefore, heapAfter: liveHeap(), initial });
}

/** The main thread's handle on the client worker: each message type arrives once, and may arrive before it is awaited. */
class ClientWorker {
  private readonly worker: Worker;
  private readonly arrived = new Map<FromWorker['type'], { promise: Promise<FromWorker>; resolve: (m: FromWorker) => void }>();
  private failure: Error | null = null;

  constructor(input: ClientInput) {
    // Workers do not inherit tsx's loader: the worker loads this file through tsx's API.
    const api = import.meta.resolve('tsx/esm/api');
    const code = `import(${JSON.stringify(api)}).then(({ tsImport }) => tsImport(${JSON.stringify(import.meta.url)}, ${JSON.stringify(import.meta.url)}))`;
    this.worker = new Worker(code, { eval: true, workerData: input });
    this.worker.on('message', (message: FromWorker) => this.slot(message.type).resolve(message));
    const fail = (err: Error) => {
      this.failure = err;
      for (const slot of this.arrived.values()) slot.resolve({ type: 'failed', error: err.message });
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`client worker exited with code ${code}`)));
  }

  send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  /** The message of this type, or null after `timeoutMs`; throws if the worker failed. */
  async next<T extends FromWorker['type']>(type: T, timeoutMs: number): Promise<Extract<FromWorker, { type: T }> | null> {
    if (this.failure) throw this.failure;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
    const message = await Promise.race([this.slot(type).promise, timeout]).finally(() => clearTimeout(timer));
    if (message?.type === 'failed') throw new Error(`client worker: ${message.error}`);
    return message as Extract<FromWorker, { type: T }> | null;
  }

  async terminate(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private slot(type: FromWorker['type']) {
    let slot = this.arrived.get(type);
    if (!slot) {
      let resolve!: (m: FromWorker) => void;
      const promise = new Promise<FromWorker>((r) => (resolve = r));
      slot = { promise, resolve };
      this.arrived.set(type, slot);
    }
    return slot;
  }
}

// ---------------------------------------------------------------------------------------------
// The API, in-process on a Unix socket, with its own ORM.

interface Api {
  server: KezekServer;
  orm: Orm;
  tokens: TokenService;
  socketPath: string;
  statements: StatementLog;
  close(): Promise<void>;
}

async function startApi(connection: ConnectionParts): Promise<Api> {
  const log = createLogger('warn');
  const orm = await initOrm(connection, log, 10);
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-fan-out-'));
  const socketPath = path.join(socketDir, 'api.sock');
  const tokens = createTokenService(loadConfig({ JWT_SECRET, DATA_DIR: os.tmpdir() }));
  const statements = new StatementLog(orm.em.getConnection().getKnex());
  try {
    const server = await startServer({ orm, tokens, log, port: 0, host: '127.0.0.1', listenSocket: socketPath, introspection: true, development: false, listen: connection, rateLimits: BENCH_RATE_LIMITS });
    const close = async () => {
      await server.close();
      await orm.close(true);
      fs.rmSync(socketDir, { recursive: true, force: true });
    };
    return { server, orm, tokens, socketPath, statements, close };
  } catch (err) {
    await orm.close(true);
    fs.rmSync(socketDir, { recursive: true, force: true });
    throw err;
  }
}

/** POSTs a GraphQL operation over the Unix socket; throws on any GraphQL error. */
function graphql<T>(socketPath: string, token: string, query: string, variables: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const req = http.request({ socketPath, path: '/graphql', method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: T; errors?: unknown[] };
        if (body.errors?.length || !body.data) reject(new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`));
        else resolve(body.data);
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify({ query, variables }));
  });
}

const SET_QUOTA = 'mutation($input: SetQuotaInput!) { setQuota(input: $input) { quota { id } } }';
const ISSUE = 'mutation($input: IssueVouchersInput!) { issueVouchers(input: $input) { offers { id } } }';

// ---------------------------------------------------------------------------------------------
// The run.

interface Opened {
  seconds: number;
  statements: number;
  serverHeapPerSubscriber: number;
  clientHeapPerSubscriber: number;
  rssPerSubscriber: number;
}

/** Opens every subscription and checks each CURRENT position against the planned queue order. */
async function openSubscriptions(api: Api, plan: Plan, log: BenchLog): Promise<{ clients: ClientWorker; opened: Opened }> {
  const families = await Promise.all(
    plan.watchers.map(async ({ parent, applicationIds }) => ({
      token: await api.tokens.sign!({ role: Role.PARENT, sub: parent.iin, name: parent.name, phone: parent.phone }, 3600),
      applicationIds,
    })),
  );
  const serverHeapBefore = liveHeap();
  const rssBefore = process.memoryUsage().rss;
  const statementsBefore = api.statements.count;
  const clients = new ClientWorker({ role: CLIENT_ROLE, socketPath: api.socketPath, families });
  log(`opening ${formatCount(WATCHED)} subscriptions over ${formatCount(PARENTS)} connections`);
  const opened = await clients.next('opened', OPEN_TIMEOUT_MS);
  if (!opened) throw new Error(`the subscriptions were not all open within ${OPEN_TIMEOUT_MS / 1000} s`);
  const statements = api.statements.count - statementsBefore;
  const serverHeapAfter = liveHeap();
  const rssAfter = process.memoryUsage().rss;
  checkInitial(plan, opened.initial);
  log(`opened in ${formatSeconds(opened.seconds)}; ${formatCount(statements)} server statements`);
  return {
    clients,
    opened: {
      seconds: opened.seconds, statements,
      serverHeapPerSubscriber: (serverHeapAfter - serverHeapBefore) / WATCHED,
      clientHeapPerSubscriber: (opened.heapAfter - opened.heapBefore) / WATCHED,
      rssPerSubscriber: (rssAfter - rssBefore) / WATCHED,
    },
  };
}

/** The queue position each application should have: the entries' order, 1-based. */
const plannedPositions = (plan: Plan) => new Map(plan.entries.map((e, i) => [e.applicationId, i + 1]));

function checkInitial(plan: Plan, initial: PositionMessage[]): void {
  const planned = plannedPositions(plan);
  const wrong = initial.filter((m) => m.status !== ApplicationStatus.QUEUED || m.position !== planned.get(m.applicationId));
  if (initial.length !== WATCHED || new Set(initial.map((m) => m.applicationId)).size !== WATCHED || wrong.length > 0) {
    throw new Error(`${initial.length} CURRENT messages, ${wrong.length} wrong (first: ${JSON.stringify(wrong[0])}); expected ${WATCHED} with planned positions`);
  }
}

/** Each watched application's one update: OFFERED if within the first OFFERS, else OFFERS places nearer. */
function checkArrivals(plan: Plan, arrivals: Arrival[]): void {
  const planned = plannedPositions(plan);
  const wrong = arrivals.filter((a) => {
    const before = planned.get(a.applicationId)!;
    return before <= OFFERS
      ? a.status !== ApplicationStatus.OFFERED || a.position !== null || a.reason !== 'STATUS_CHANGED'
      : a.status !== ApplicationStatus.QUEUED || a.position !== before - OFFERS || a.reason !== 'SOMEONE_AHEAD_OFFERED';
  });
  const distinct = new Set(arrivals.map((a) => a.applicationId)).size;
  if (arrivals.length !== WATCHED || distinct !== WATCHED || wrong.length > 0) {
    throw new Error(`${arrivals.length} updates for ${distinct} subscriptions, ${wrong.length} wrong (first: ${JSON.stringify(wrong[0])}); expected one each for ${WATCHED}`);
  }
}

interface Issued {
  sentAt: number;
  respondedAt: number;
  occurredAt: number;
  arrivals: Arrival[];
  statements: Statement[];
  /** The server thread's longest event-loop stall while the updates went out. */
  longestStallMs: number;
}

/** Sets the quota, then issues OFFERS vouchers and collects every subscriber's update and the server's statements. */
async function issueAndCollect(api: Api, orm: Orm, city: CityRow, clients: ClientWorker, log: BenchLog): Promise<Issued> {
  const operator = await api.tokens.sign!({ role: Role.OPERATOR, city: CITY }, 3600);
  await graphql(api.socketPath, operator, SET_QUOTA, { input: { city: CITY, voucherType: TYPE, period: city.period, count: OFFERS } });
  api.statements.open();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const sentAt = Date.now();
  const issued = await graphql<{ issueVouchers: { offers: { id: string }[] } }>(api.socketPath, operator, ISSUE, { input: { city: CITY, voucherType: TYPE, count: OFFERS } });
  const respondedAt = Date.now();
  if (issued.issueVouchers.offers.length !== OFFERS) throw new Error(`issueVouchers made ${issued.issueVouchers.offers.length} offers, expected ${OFFERS}`);
  log(`issued ${OFFERS} vouchers in ${formatMs(respondedAt - sentAt)}; waiting for the updates`);
  const delivered = await clients.next('delivered', DELIVERY_TIMEOUT_MS);
  loop.disable();
  if (!delivered) log(`not every subscription had an update within ${DELIVERY_TIMEOUT_MS / 1000} s`);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const statements = api.statements.close();
  clients.send({ type: 'report' });
  const report = await clients.next('report', 30_000);
  const [event] = await orm.em.fork().getConnection().execute<{ ms: number }[]>(
    `select extract(epoch from occurred_at) * 1000 as ms from domain_event where kind = 'OFFERED' and city_id = ? order by id desc limit 1`,
    [city.id],
  );
  if (!event) throw new Error('no OFFERED domain_event was written');
  return { sentAt, respondedAt, occurredAt: Number(event.ms), arrivals: report?.arrivals ?? [], statements, longestStallMs: loop.max / 1e6 };
}

interface Breakdown {
  realtime: Map<string, Statement[]>;
  mutation: Statement[];
  unclassifiedAfter: Statement[];
  lastArrival: number;
}

/** Splits the window's statements: realtime ones by SQL text; the rest before the response are the mutation's. */
function breakDown(issued: Issued): Breakdown {
  const lastArrival = Math.max(...issued.arrivals.map((a) => a.arrivedAt));
  const realtime = new Map<string, Statement[]>();
  const mutation: Statement[] = [];
  const unclassifiedAfter: Statement[] = [];
  for (const statement of issued.statements) {
    const kind = classify(statement.sql);
    if (kind) realtime.set(kind, [...(realtime.get(kind) ?? []), statement]);
    else if (statement.startedAt <= issued.respondedAt) mutation.push(statement);
    else unclassifiedAfter.push(statement);
  }
  return { realtime, mutation, unclassifiedAfter, lastArrival };
}

function latencies(arrivals: Arrival[], from: number): { p50: number; p99: number; max: number } {
  const sorted = arrivals.map((a) => a.arrivedAt - from).sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1)! };
}

function report(opened: Opened, issued: Issued, loadSeconds: number): BenchmarkResult {
  const { realtime, mutation, unclassifiedAfter, lastArrival } = breakDown(issued);
  const fromEvent = latencies(issued.arrivals, issued.occurredAt);
  const woken = realtime.get('event read')?.[0]?.startedAt;
  const fromWake = woken ? latencies(issued.arrivals, woken) : null;
  const fromResponse = latencies(issued.arrivals, issued.respondedAt);
  const spread = (l: { p50: number; p99: number; max: number } | null) => (l ? `${formatMs(l.p50)} / ${formatMs(l.p99)} / ${formatMs(l.max)}` : 'n/a');
  const realtimeCount = [...realtime.values()].reduce((n, s) => n + s.length, 0) + unclassifiedAfter.length;
  const beforeLastDelivery = [...realtime.values()].flat().filter((s) => s.startedAt <= lastArrival).length;
  const offered = issued.arrivals.filter((a) => a.reason === 'STATUS_CHANGED').length;
  const at = (ms: number | null | undefined) => (ms == null ? 'n/a' : `+${formatMs(ms - issued.occurredAt)}`);
  const timeline = [...realtime].map(([kind, list]) => `${kind} ×${list.length} (${list.map((s) => `${at(s.startedAt)}→${at(s.endedAt)}`).join(', ')})`);
  const firstArrival = Math.min(...issued.arrivals.map((a) => a.arrivedAt));
  const met = fromEvent.p99 < TARGET_P99_MS && realtimeCount <= TARGET_STATEMENTS;
  return {
    figures: [
      { label: `Data load (${formatCount(AHEAD + WATCHED)} applications with applicants, children, guardianships; vacuum analyze)`, value: formatSeconds(loadSeconds) },
      { label: `Opening ${formatCount(WATCHED)} subscriptions over ${formatCount(PARENTS)} connections (each to its first CURRENT message)`, value: formatSeconds(opened.seconds) },
      { label: 'Server statements per subscription opened', value: (opened.statements / WATCHED).toFixed(2) },
      { label: 'Server heap per subscriber (server thread, after GC)', value: formatBytes(opened.serverHeapPerSubscriber) },
      { label: 'Client heap per subscriber (client worker thread, after GC)', value: formatBytes(opened.clientHeapPerSubscriber) },
      { label: 'Process RSS growth per subscriber (server + clients + socket buffers)', value: formatBytes(opened.rssPerSubscriber) },
      { label: `issueVouchers (${OFFERS} offers) HTTP round trip`, value: formatMs(issued.respondedAt - issued.sentAt) },
      { label: 'Position messages received (SOMEONE_AHEAD_OFFERED / STATUS_CHANGED)', value: `${formatCount(issued.arrivals.length)} (${formatCount(issued.arrivals.length - offered)} / ${offered})` },
      { label: 'Event occurred_at (before commit) → delivery: p50 / p99 / max', value: spread(fromEvent) },
      { label: 'Listener woken by the commit\'s NOTIFY → delivery: p50 / p99 / max', value: spread(fromWake) },
      { label: 'Mutation response → delivery: p50 / p99 / max', value: spread(fromResponse) },
      { label: 'Timeline from occurred_at: mutation response, first and last delivery', value: `${at(issued.respondedAt)}, ${at(firstArrival)}, ${at(lastArrival)}` },
      { label: 'Longest server event-loop stall while the updates went out', value: formatMs(issued.longestStallMs) },
      { label: 'Realtime statements for the change, start→end from occurred_at', value: timeline.join('; ') + (unclassifiedAfter.length ? `; other ×${unclassifiedAfter.length}` : '') },
      { label: 'Server statements for the change (realtime, this instance)', value: String(realtimeCount) },
      { label: 'Of these, started before the last delivery', value: String(beforeLastDelivery) },
      { label: 'issueVouchers statements (not counted above)', value: String(mutation.length) },
    ],
    target: { text: `p99 commit → delivery under ${formatMs(TARGET_P99_MS)} and at most ${TARGET_STATEMENTS} statements per change per instance`, met },
  };
}

async function run(orm: Orm, log: BenchLog, connection: ConnectionParts): Promise<BenchmarkResult> {
  const loadStarted = performance.now();
  const { city, plan } = await load(orm, log);
  const loadSeconds = secondsSince(loadStarted);
  log(`loaded in ${formatSeconds(loadSeconds)}; starting the API`);
  const api = await startApi(connection);
  let clients: ClientWorker | undefined;
  try {
    const started = await openSubscriptions(api, plan, log);
    clients = started.clients;
    const issued = await issueAndCollect(api, orm, city, clients, log);
    for (const statement of breakDown(issued).unclassifiedAfter) log(`  unclassified statement after the response: ${statement.sql.slice(0, 160)}`);
    checkArrivals(plan, issued.arrivals);
    return report(started.opened, issued, loadSeconds);
  } finally {
    if (clients) {
      clients.send({ type: 'close' });
      await clients.next('closed', 30_000).catch(() => null);
      await clients.terminate();
    }
    await api.close();
  }
}

export const fanOutBenchmark: Benchmark = {
  name: 'fan-out',
  title: `Live queue positions: ${formatCount(WATCHED)} subscribers, ${OFFERS} vouchers issued`,
  description:
    `One queue (${CITY} ${TYPE}) of ${formatCount(AHEAD + WATCHED)} QUEUED applications, bulk-loaded by SQL: ${AHEAD} at the head that nobody ` +
    `watches, then ${formatCount(WATCHED)} belonging to ${formatCount(PARENTS)} parents with ${CHILDREN_PER_PARENT} children each. ` +
    `The API runs in-process on a Unix socket; a worker thread opens one graphql-ws connection per parent with one ` +
    `\`queuePositionChanged\` subscription per child and waits for every CURRENT position. Then an operator sets the quota and ` +
    `issues ${OFFERS} vouchers through \`issueVouchers\`: ${AHEAD} go to the unwatched head and ${OFFERS - AHEAD} to watched children ` +
    `(STATUS_CHANGED); the other ${formatCount(WATCHED - OFFERS + AHEAD)} subscribers move ${OFFERS} places (SOMEONE_AHEAD_OFFERED). ` +
    'Latency runs to each update\'s arrival at its client from three starts: the OFFERED domain_event\'s occurred_at (written ' +
    'inside the transaction before its last inserts, so the earliest; the target uses it), the server\'s event read woken by the ' +
    'commit\'s NOTIFY (closest to the commit), and the arrival of the mutation\'s HTTP response. Statements are the server ORM\'s ' +
    'own, classified by SQL text: event reads, position recomputations and metrics flushes count for the change; the rest, ' +
    'all before the response, are the mutation\'s. Heap per subscriber is measured after GC in each thread before and after ' +
    'opening; RSS covers the whole process. Every position is checked against the planned queue order.',
  run,
};

// In the client worker, this module is loaded only to run the clients.
if (!isMainThread && (workerData as Partial<ClientInput> | null)?.role === CLIENT_ROLE) {
  runClients(workerData as ClientInput).catch((err: unknown) => parentPort!.postMessage({ type: 'failed', error: describeError(err) } satisfies FromWorker));
}
