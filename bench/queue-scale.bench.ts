// `npm run bench -- queue-scale`: one queue (ASTANA, UNIVERSAL) holding 1,000,000 waiting
// applications. Measured through the API: a parent's `application(id) { position }` for
// applications spread through the whole queue, then an operator issuing 1,000 vouchers to its head.
// The issue's target: position lookup p99 under 10 ms on a 2-core machine.
//
// The queue goes in as raw INSERT … SELECT FROM unnest(…) batches in one transaction, like the
// settlement benchmark: 500,000 parents with two children each, every child with one waiting
// application. IINs come from the article scenario's generator, in serial band 0–1,999 (the
// article scenario and settlement use 5,000–9,999; opening-day uses 2,000–2,999).

import type { Knex } from '@mikro-orm/postgresql';
import { PriorityCategory, Relationship, Sex, VoucherType } from '../src/domain/enums.js';
import { priorityRank } from '../src/domain/priority.js';
import type { ConnectionParts, Orm } from '../src/db/orm.js';
import { uuidv7 } from '../src/ids.js';
import { maintainQueueBlocks, queuePositionsStatement } from '../src/services/queue-blocks.js';
import { IinSequence, birthDateForAge, isoMicros, seededRandom, spreadInstants } from '../src/seed/article-scenario.js';
import { type Benchmark, loadRows, type BenchLog, type BenchmarkResult, formatCount, formatSeconds, secondsSince } from './benchmark.js';
import { type BenchApi, describeFailure, formatMs, formatRate, LatencyRecorder, startBenchApi, succeeded } from './http-client.js';

const CITY = 'ASTANA';
const TYPE = VoucherType.UNIVERSAL;
const WAITING = 1_000_000;
const CHILDREN_PER_PARENT = 2;
const PARENTS = WAITING / CHILDREN_PER_PARENT;
const LOOKUPS = 2_000;
const WARM_UP_LOOKUPS = 100;
const ISSUED = 1_000;
const TARGET_P99_MS = 10;
const RULES_VERSION = 1;
const IIN_SERIALS = { first: 0, last: 1_999 };
/** A year of applications, so submission instants are about 31 s apart. */
const SUBMISSION_WINDOW = ['2025-06-01T04:00:00Z', '2026-06-01T04:00:00Z'] as const;
/** Mostly no priority, a few per cent in categories (as in the article scenario, a little fewer). */
const CATEGORIES: [PriorityCategory, number][] = [
  [PriorityCategory.NONE, 0.93], [PriorityCategory.LARGE_FAMILY, 0.03], [PriorityCategory.LOW_INCOME, 0.015],
  [PriorityCategory.SINGLE_PARENT, 0.01], [PriorityCategory.DISABILITY, 0.007], [PriorityCategory.MILITARY_FAMILY, 0.005], [PriorityCategory.ORPHAN, 0.003],
];

const pad = (n: number, width: number) => String(n).padStart(width, '0');

interface QueueCity {
  id: string;
  timezone: string;
  priorityOrder: PriorityCategory[];
}

interface Parent {
  id: string;
  iin: string;
  phone: string;
  createdAt: string;
}

interface Waiting {
  childId: string;
  childIin: string;
  birthDate: string;
  sex: Sex;
  category: PriorityCategory;
  rank: number;
  parent: Parent;
  guardianshipId: string;
  applicationId: string;
  submittedAt: string;
}

// ---------------------------------------------------------------------------------------------
// The plan, built in memory.

function pickCategory(random: () => number): PriorityCategory {
  let r = random();
  for (const [category, weight] of CATEGORIES) if ((r -= weight) < 0) return category;
  return PriorityCategory.NONE;
}

/** Child i belongs to parent i mod PARENTS, so a parent's two children sit half a year apart in the queue. */
function buildQueue(city: QueueCity, blocked: ReadonlySet<string>): Waiting[] {
  const random = seededRandom(`kezek-bench-queue-scale-${CITY}`);
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const childIins = new IinSequence(IIN_SERIALS, blocked);
  const parentIins = new IinSequence(IIN_SERIALS, blocked);
  const instants = spreadInstants(...SUBMISSION_WINDOW, WAITING, random);
  const parents: Parent[] = [];
  return instants.map((us, i) => {
    const submittedMs = Math.floor(us / 1000);
    const submittedAt = isoMicros(us);
    if (i < PARENTS) {
      // Days 20–28 only: the test helpers' random parent IINs use days 10–19.
      const birth = `${between(1975, 1995)}-${pad(between(1, 12), 2)}-${between(20, 28)}`;
      parents.push({ id: uuidv7(submittedMs), iin: parentIins.take(birth, random() < 0.7 ? Sex.FEMALE : Sex.MALE), phone: `+7700${pad(i, 7)}`, createdAt: submittedAt });
    }
    const sex = random() < 0.5 ? Sex.MALE : Sex.FEMALE;
    const birthDate = birthDateForAge(between(6, 16), between(0, 364));
    const category = pickCategory(random);
    return {
      childId: uuidv7(submittedMs), childIin: childIins.take(birthDate, sex), birthDate, sex, category,
      rank: priorityRank(city.priorityOrder, category), parent: parents[i % PARENTS]!,
      guardianshipId: uuidv7(submittedMs), applicationId: uuidv7(submittedMs), submittedAt,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Loading.

/** The city and its rules, refused if its UNIVERSAL queue or quota has anything in it already. */
async function readEmptyQueue(trx: Knex.Transaction): Promise<QueueCity> {
  const { rows } = await trx.raw(
    `select c.id, c.timezone, r.priority_order,
       exists (select 1 from application where city_id = c.id and voucher_type = ?)
         or exists (select 1 from quota where city_id = c.id and voucher_type = ?) as in_use
     from city c join city_rules r on r.city_id = c.id and r.version = ? where c.code = ? for no key update of c`,
    [TYPE, TYPE, RULES_VERSION, CITY],
  );
  const row = rows[0];
  if (!row) throw new Error(`${CITY} or its rules version ${RULES_VERSION} is missing: run the migrations first.`);
  if (row.in_use) throw new Error(`${CITY} already has ${TYPE} applications or quotas; the queue-scale benchmark needs a fresh database.`);
  return { id: row.id, timezone: row.timezone, priorityOrder: row.priority_order };
}

/** IINs already taken in our serial band (none in a fresh database), for the generators to skip. */
async function takenIins(trx: Knex.Transaction): Promise<Set<string>> {
  const inBand = `substr(iin, 8, 4)::int between ${IIN_SERIALS.first} and ${IIN_SERIALS.last}`;
  const { rows } = await trx.raw(`select iin from child where ${inBand} union select iin from applicant where ${inBand}`);
  return new Set(rows.map((r: { iin: string }) => r.iin));
}

async function insertQueue(trx: Knex.Transaction, city: QueueCity, queue: Waiting[], log: BenchLog): Promise<void> {
  await loadRows(trx, 'applicant', queue.slice(0, PARENTS).map((w) => w.parent), [
    ['id', 'uuid', (p) => p.id], ['iin', 'text', (p) => p.iin], ['full_name', 'text', (p) => `Ата-ана ${p.iin}`],
    ['phone', 'text', (p) => p.phone], ['language', 'text', () => 'KK'], ['created_at', 'timestamptz', (p) => p.createdAt],
  ], log);
  await loadRows(trx, 'child', queue, [
    ['id', 'uuid', (w) => w.childId], ['iin', 'text', (w) => w.childIin], ['full_name', 'text', (w) => `Бала ${w.childIin}`],
    ['birth_date', 'date', (w) => w.birthDate], ['sex', 'text', (w) => w.sex], ['priority_category', 'text', (w) => w.category],
    ['created_at', 'timestamptz', (w) => w.submittedAt],
  ], log);
  await loadRows(trx, 'guardianship', queue, [
    ['id', 'uuid', (w) => w.guardianshipId], ['applicant_id', 'uuid', (w) => w.parent.id], ['child_id', 'uuid', (w) => w.childId],
    ['relationship', 'text', () => Relationship.MOTHER], ['created_at', 'timestamptz', (w) => w.submittedAt],
    ['full_name', 'text', () => 'Бала'], ['status', 'text', () => 'VERIFIED'], ['registry_answer', 'text', () => 'CONFIRMED'],
  ], log);
  await loadRows(trx, 'application', queue, [
    ['id', 'uuid', (w) => w.applicationId], ['child_id', 'uuid', (w) => w.childId], ['applicant_id', 'uuid', (w) => w.parent.id],
    ['city_id', 'uuid', () => city.id], ['voucher_type', 'text', () => TYPE], ['status', 'text', () => 'QUEUED'],
    ['priority_category', 'text', (w) => w.category], ['priority_rank', 'smallint', (w) => w.rank],
    ['submitted_at', 'timestamptz', (w) => w.submittedAt], ['rules_version', 'int', () => RULES_VERSION], ['updated_at', 'timestamptz', (w) => w.submittedAt],
  ], log);
}

/** Loads the queue in one transaction, then vacuums and analyzes as autovacuum would have by then. */
async function load(orm: Orm, log: BenchLog): Promise<{ city: QueueCity; prioritised: number; blocks: { closed: number; seconds: number } }> {
  const knex = orm.em.fork().getConnection().getKnex();
  const loaded = await knex.transaction(async (trx) => {
    const city = await readEmptyQueue(trx);
    const planned = performance.now();
    const queue = buildQueue(city, await takenIins(trx));
    const prioritised = queue.filter((w) => w.category !== PriorityCategory.NONE).length;
    log(`planned ${formatCount(PARENTS)} parents and ${formatCount(queue.length)} waiting children (${formatCount(prioritised)} with a priority) in ${formatSeconds(secondsSince(planned))}`);
    await insertQueue(trx, city, queue, log);
    return { city, prioritised };
  });
  log('vacuum analyze');
  await knex.raw('vacuum analyze applicant, child, guardianship, application');
  // What the scheduler does within seconds of a load: cut the queue into counted blocks.
  const started = performance.now();
  const blocks = await orm.em.fork().transactional((em) => maintainQueueBlocks(em, loaded.city.id, TYPE));
  const seconds = secondsSince(started);
  log(`queue blocks: ${formatCount(blocks.closed)} closed in ${formatSeconds(seconds)}`);
  await knex.raw('vacuum analyze queue_block');
  return { ...loaded, blocks: { closed: blocks.closed, seconds } };
}

// ---------------------------------------------------------------------------------------------
// Measuring and checking.

interface Sampled {
  id: string;
  parentIin: string;
  position: number;
}

/**
 * About LOOKUPS applications at even steps through the queue, the last one included, with their
 * positions as SQL ranks them, in shuffled order so consecutive lookups land far apart.
 */
async function sampleQueue(orm: Orm, city: QueueCity): Promise<Sampled[]> {
  const step = Math.floor(WAITING / LOOKUPS);
  const rows: { id: string; iin: string; position: number }[] = await orm.em.fork().getConnection().execute(
    `select id, iin, position from (
       select a.id, p.iin, row_number() over (order by a.priority_rank, a.submitted_at, a.submission_seq)::int as position, count(*) over () as total
         from application a join applicant p on p.id = a.applicant_id
        where a.city_id = ? and a.voucher_type = ? and a.status = 'QUEUED') q
      where position % ? = 1 or position = total`,
    [city.id, TYPE, step],
  );
  const random = seededRandom('kezek-bench-queue-scale-lookups');
  const sample = rows.map((r) => ({ id: r.id, parentIin: r.iin, position: Number(r.position) }));
  for (let i = sample.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [sample[i], sample[j]] = [sample[j]!, sample[i]!];
  }
  return sample;
}

const POSITION_QUERY = `query($id: ID!) { application(id: $id) { id position } }`;

/** Sequential lookups by each application's own parent; every answer must be its SQL rank. */
async function measureLookups(api: BenchApi, sample: Sampled[], log: BenchLog): Promise<{ latency: LatencyRecorder; seconds: number }> {
  const client = api.client(1);
  const tokens = await Promise.all(sample.map((s) => api.token({ role: 'PARENT', sub: s.parentIin, name: 'Ата-ана', phone: '+77011234567' })));
  const lookup = async (i: number) => {
    const result = await client.request<{ application: { id: string; position: number | null } | null }>(POSITION_QUERY, { id: sample[i]!.id }, tokens[i]);
    if (!succeeded(result)) throw new Error(`position lookup failed: ${describeFailure(result)}`);
    const position = result.data.application?.position;
    if (position !== sample[i]!.position) throw new Error(`application ${sample[i]!.id}: the API says position ${position}, SQL ranks it ${sample[i]!.position}`);
    return result.ms;
  };
  for (let i = 0; i < WARM_UP_LOOKUPS; i++) await lookup(i % sample.length);
  const latency = new LatencyRecorder();
  const started = performance.now();
  for (let i = 0; i < sample.length; i++) {
    latency.record(await lookup(i));
    if ((i + 1) % 500 === 0) log(`  ${i + 1}/${sample.length} lookups: ${latency.summary()}`);
  }
  return { latency, seconds: secondsSince(started) };
}

interface PlanFacts {
  executionMs: number;
  /** The plan as EXPLAIN prints it, for the log. */
  text: string;
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the statement queuePositions sends (src/services/queue-blocks.ts),
 * for the application at the end of the queue. Run warm, as the lookups left it. The work happens
 * inside queue_position() (PL/pgSQL), whose own statements EXPLAIN does not show; its time does.
 */
async function explainPosition(orm: Orm, applicationId: string): Promise<PlanFacts> {
  const [sql, params] = queuePositionsStatement([applicationId]);
  const conn = orm.em.fork().getConnection();
  const textRows: Record<string, string>[] = await conn.execute(`explain (analyze, buffers) ${sql}`, params);
  const [jsonRow] = await conn.execute<{ 'QUERY PLAN': [{ 'Execution Time': number }] }[]>(`explain (analyze, buffers, format json) ${sql}`, params);
  return { executionMs: jsonRow!['QUERY PLAN'][0]['Execution Time'], text: textRows.map((r) => r['QUERY PLAN']).join('\n') };
}

/** The ids at the head of the queue, in queue order: who issuing must reach first. */
async function queueHead(orm: Orm, city: QueueCity, count: number): Promise<string[]> {
  const rows: { id: string }[] = await orm.em.fork().getConnection().execute(
    `select id from application where city_id = ? and voucher_type = ? and status = 'QUEUED' order by priority_rank, submitted_at, submission_seq limit ?`,
    [city.id, TYPE, count],
  );
  return rows.map((r) => r.id);
}

/** setQuota (count ISSUED for this year), then one timed issueVouchers; offers must go to the head in order. */
async function issueTimed(api: BenchApi, orm: Orm, city: QueueCity): Promise<number> {
  const client = api.client(1);
  const operator = await api.token({ role: 'OPERATOR', city: CITY });
  const period = new Intl.DateTimeFormat('en-CA', { timeZone: city.timezone, year: 'numeric' }).format(new Date());
  const quota = await client.request(`mutation($input: SetQuotaInput!) { setQuota(input: $input) { quota { id count } } }`, {
    input: { city: CITY, voucherType: TYPE, period, count: ISSUED },
  }, operator);
  if (!succeeded(quota)) throw new Error(`setQuota failed: ${describeFailure(quota)}`);
  const head = await queueHead(orm, city, ISSUED);
  const started = performance.now();
  const issued = await client.request<{ issueVouchers: { offers: { id: string; application: { id: string } }[] } }>(
    `mutation($input: IssueVouchersInput!) { issueVouchers(input: $input) { offers { id application { id } } } }`,
    { input: { city: CITY, voucherType: TYPE, count: ISSUED } },
    operator,
  );
  const seconds = secondsSince(started);
  if (!succeeded(issued)) throw new Error(`issueVouchers failed: ${describeFailure(issued)}`);
  const offered = issued.data.issueVouchers.offers.map((o) => o.application.id);
  if (offered.length !== ISSUED) throw new Error(`issueVouchers made ${offered.length} offers, expected ${ISSUED}`);
  const outOfOrder = offered.findIndex((id, i) => id !== head[i]);
  if (outOfOrder !== -1) throw new Error(`offer ${outOfOrder + 1} went to ${offered[outOfOrder]}, but the queue's head there is ${head[outOfOrder]}`);
  return seconds;
}

async function run(orm: Orm, log: BenchLog, connection: ConnectionParts): Promise<BenchmarkResult> {
  const loadStarted = performance.now();
  const { city, prioritised, blocks } = await load(orm, log);
  const loadSeconds = secondsSince(loadStarted);
  log(`loaded in ${formatSeconds(loadSeconds)}; sampling the queue`);
  const sample = await sampleQueue(orm, city);
  const last = sample.reduce((a, b) => (b.position > a.position ? b : a));
  if (last.position !== WAITING) throw new Error(`the queue holds ${last.position} waiting applications, expected ${WAITING}`);
  const api = await startBenchApi(connection);
  try {
    log(`API up; ${sample.length} position lookups, one at a time, each as the application's parent`);
    const { latency, seconds } = await measureLookups(api, sample, log);
    log(`lookups: ${latency.summary()}`);
    const plan = await explainPosition(orm, last.id);
    log(`plan of the position statement for the last application (position ${formatCount(last.position)}):\n${plan.text}`);
    log(`issuing ${ISSUED} vouchers`);
    const issueSeconds = await issueTimed(api, orm, city);
    log(`issued ${ISSUED} in ${formatSeconds(issueSeconds)}`);
    const p99 = latency.percentile(99);
    return {
      figures: [
        { label: `Data load (${formatCount(PARENTS)} parents, ${formatCount(WAITING)} children, guardianships and applications, then vacuum analyze)`, value: formatSeconds(loadSeconds) },
        { label: 'Waiting applications in the queue', value: `${formatCount(WAITING)} (${formatCount(prioritised)} in priority categories)` },
        { label: 'Position lookups (sequential, as the owning parent, spread through the queue)', value: formatCount(latency.count) },
        { label: 'Position lookup p50', value: formatMs(latency.percentile(50)) },
        { label: 'Position lookup p90', value: formatMs(latency.percentile(90)) },
        { label: 'Position lookup p99', value: formatMs(p99) },
        { label: 'Position lookup max', value: formatMs(latency.percentile(100)) },
        { label: 'Position lookups per second (one client)', value: formatRate(latency.count, seconds) },
        { label: `Queue cut into blocks (${formatCount(blocks.closed)} blocks of 1,000, one maintainQueueBlocks)`, value: formatSeconds(blocks.seconds) },
        { label: `Position statement, EXPLAIN ANALYZE execution time (last application, position ${formatCount(last.position)})`, value: formatMs(plan.executionMs) },
        { label: `issueVouchers: ${formatCount(ISSUED)} offers to the queue's head (one mutation)`, value: formatSeconds(issueSeconds) },
      ],
      target: { text: `position lookup p99 under ${TARGET_P99_MS} ms with ${formatCount(WAITING)} waiting`, met: p99 < TARGET_P99_MS },
    };
  } finally {
    await api.close();
  }
}

export const queueScaleBenchmark: Benchmark = {
  name: 'queue-scale',
  title: `A queue of ${formatCount(WAITING)}: position lookups and issuing`,
  description:
    `One queue (${CITY}, ${TYPE}) with ${formatCount(WAITING)} QUEUED applications submitted over a year at strictly increasing ` +
    `instants, ${CATEGORIES.filter(([c]) => c !== PriorityCategory.NONE).reduce((p, [, w]) => p + w * 100, 0).toFixed(1)}% of them in priority ` +
    `categories (ranked by the city's rules version ${RULES_VERSION}), the rest NONE; ${formatCount(PARENTS)} parents with two children each. ` +
    'Loaded by SQL, then `vacuum analyze`, then the queue is cut into counted blocks of ~1,000 as the scheduler does within seconds ' +
    '(`maintainQueueBlocks`; a position is then a sum over ~1,000 block counters plus a count inside one block). Measured through the API on a Unix socket (client in the same process): ' +
    `${formatCount(LOOKUPS)} \`application(id) { position }\` queries, one at a time after ${WARM_UP_LOOKUPS} warm-up queries, ` +
    'each as the parent who owns the application, for applications at even steps through the queue (the last one included) in shuffled order; ' +
    'every position returned is checked against SQL `row_number()`. Then `EXPLAIN (ANALYZE, BUFFERS)` of the position statement for the last ' +
    `application, and one \`issueVouchers\` of ${formatCount(ISSUED)} after \`setQuota\`, checked to offer exactly the queue's head in order.`,
  run,
};
