// `npm run bench -- opening-day`: the morning applications open. 200 parents' devices at once, each
// working through its own families: registerChild, then applyForVoucher, child after child, until
// 50,000 children wait in one queue (KYZYLORDA, TARGETED — a city no other benchmark touches; the
// settlement benchmark needs SHYMKENT to itself). The issue's target: no request fails.
//
// Afterwards SQL checks that the queue is fair: every category ranked as the city's rules say, no
// two applications sharing a submission instant (so the id never decides an order), and each
// device's applications submitted in the order it sent them.

import type { Knex } from '@mikro-orm/postgresql';
import { PriorityCategory, Relationship, Sex, VoucherType } from '../src/domain/enums.js';
import { priorityRank } from '../src/domain/priority.js';
import type { ConnectionParts, Orm } from '../src/db/orm.js';
import { IinSequence, seededRandom } from '../src/seed/article-scenario.js';
import { type Benchmark, type BenchLog, type BenchmarkResult, formatCount, formatSeconds, secondsSince } from './benchmark.js';
import { type BenchApi, describeFailure, formatMs, formatRate, type GraphqlClient, type GraphqlResult, LatencyRecorder, runClients, startBenchApi, succeeded } from './http-client.js';

const CITY = 'KYZYLORDA';
const TYPE = VoucherType.TARGETED;
const APPLICATIONS = 50_000;
const CLIENTS = 200;
const POSITION_CHECKS = 200;
const RULES_VERSION = 1;
/** Opening-day's own serial band: queue-scale uses 0–1,999, the article scenario 5,000–9,999. */
const IIN_SERIALS = { first: 2_000, last: 2_999 };
/** One child in two families of five, two in two, three in one: 1.8 children a family. */
const FAMILY_SIZES = [1, 1, 2, 2, 3];
const CATEGORIES: [PriorityCategory, number][] = [
  [PriorityCategory.NONE, 0.9], [PriorityCategory.LARGE_FAMILY, 0.04], [PriorityCategory.LOW_INCOME, 0.02],
  [PriorityCategory.SINGLE_PARENT, 0.015], [PriorityCategory.DISABILITY, 0.01], [PriorityCategory.MILITARY_FAMILY, 0.01], [PriorityCategory.ORPHAN, 0.005],
];

const DAY_MS = 86_400_000;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * A birth date making a child `age` today, `day` (0–364) picking which: registerChild refuses anyone
 * 18 or older on the day it runs, so fixed dates would start failing as the years pass.
 */
function birthDateAged(age: number, day: number, today = new Date()): string {
  const yearBeforeBirthday = Date.UTC(today.getUTCFullYear() - age - 1, today.getUTCMonth(), today.getUTCDate());
  return new Date(yearBeforeBirthday + (day + 1) * DAY_MS).toISOString().slice(0, 10);
}

interface Family {
  parentIin: string;
  phone: string;
  token: string;
  children: { iin: string; category: PriorityCategory }[];
}

interface Outcome {
  register: LatencyRecorder;
  apply: LatencyRecorder;
  errors: number;
  firstErrors: string[];
  /** Per client, the ids of its applications in the order it sent them. */
  applied: string[][];
  seconds: number;
}

// ---------------------------------------------------------------------------------------------
// The families, built before the clock starts.

function pickCategory(random: () => number): PriorityCategory {
  let r = random();
  for (const [category, weight] of CATEGORIES) if ((r -= weight) < 0) return category;
  return PriorityCategory.NONE;
}

async function buildFamilies(api: BenchApi, blocked: ReadonlySet<string>): Promise<Family[]> {
  const random = seededRandom(`kezek-bench-opening-day-${CITY}`);
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const childIins = new IinSequence(IIN_SERIALS, blocked);
  const parentIins = new IinSequence(IIN_SERIALS, blocked);
  const families: Family[] = [];
  for (let children = 0; children < APPLICATIONS; ) {
    const size = Math.min(FAMILY_SIZES[between(0, FAMILY_SIZES.length - 1)]!, APPLICATIONS - children);
    // Days 20–28 only: the test helpers' random parent IINs use days 10–19.
    const parentIin = parentIins.take(`${between(1975, 1995)}-${pad(between(1, 12), 2)}-${between(20, 28)}`, random() < 0.7 ? Sex.FEMALE : Sex.MALE);
    const phone = `+7701${pad(families.length, 7)}`;
    // Siblings share a category: it describes the family (large, low-income) more often than the child.
    const category = pickCategory(random);
    const kids = Array.from({ length: size }, () => {
      const sex = random() < 0.5 ? Sex.MALE : Sex.FEMALE;
      return { iin: childIins.take(birthDateAged(between(6, 15), between(0, 364)), sex), category };
    });
    families.push({ parentIin, phone, token: '', children: kids });
    children += size;
  }
  await Promise.all(families.map(async (f) => (f.token = await api.token({ role: 'PARENT', sub: f.parentIin, name: `Ата-ана ${f.parentIin}`, phone: f.phone }, 4 * 3600))));
  return families;
}

// ---------------------------------------------------------------------------------------------
// Opening day.

const REGISTER = `mutation($input: RegisterChildInput!) { registerChild(input: $input) { child { id } } }`;
const APPLY = `mutation($input: ApplyForVoucherInput!) { applyForVoucher(input: $input) { application { id } } }`;

/** Each client works through families client, client + CLIENTS, … one request at a time. */
async function openingDay(api: BenchApi, families: Family[], log: BenchLog): Promise<Outcome> {
  const http = api.client(CLIENTS);
  const outcome: Outcome = { register: new LatencyRecorder(), apply: new LatencyRecorder(), errors: 0, firstErrors: [], applied: [], seconds: 0 };
  let done = 0;
  const failed = (what: string, result: GraphqlResult<unknown>) => {
    outcome.errors++;
    if (outcome.firstErrors.length < 5) outcome.firstErrors.push(`${what}: ${describeFailure(result)}`);
  };
  const started = performance.now();
  await runClients(CLIENTS, async (client) => {
    const applied: string[] = (outcome.applied[client] = []);
    for (let f = client; f < families.length; f += CLIENTS) {
      const family = families[f]!;
      for (const [i, child] of family.children.entries()) {
        const childId = await register(http, family, child, i, outcome, failed);
        if (!childId) continue;
        const result = await http.request<{ applyForVoucher: { application: { id: string } } }>(APPLY, { input: { childId, voucherType: TYPE, city: CITY } }, family.token);
        if (!succeeded(result)) {
          failed('applyForVoucher', result);
          continue;
        }
        outcome.apply.record(result.ms);
        applied.push(result.data.applyForVoucher.application.id);
        if (++done % 10_000 === 0) log(`  ${formatCount(done)} applications, ${formatRate(done, secondsSince(started))}; applyForVoucher ${outcome.apply.summary()}`);
      }
    }
  });
  outcome.seconds = secondsSince(started);
  return outcome;
}

async function register(
  http: GraphqlClient,
  family: Family,
  child: Family['children'][number],
  index: number,
  outcome: Outcome,
  failed: (what: string, result: GraphqlResult<unknown>) => void,
): Promise<string | null> {
  const input = { iin: child.iin, fullName: `Бала ${child.iin}`, relationship: index % 2 ? Relationship.FATHER : Relationship.MOTHER, priorityCategory: child.category };
  const result = await http.request<{ registerChild: { child: { id: string } } }>(REGISTER, { input }, family.token);
  if (!succeeded(result)) {
    failed('registerChild', result);
    return null;
  }
  outcome.register.record(result.ms);
  return result.data.registerChild.child.id;
}

// ---------------------------------------------------------------------------------------------
// Checking.

interface QueueCheck {
  waiting: number;
  /** Applications whose submitted_at another application of the queue also has. */
  sharedInstants: number;
  /** Applications whose place among same-instant ones was decided by submission_seq (arrival order). */
  seqDecided: number;
  /** Applications whose rank is not what the city's rules give their category. */
  misranked: number;
  /** Applications queued ahead of (lower submitted_at or submission_seq) one their own client had sent earlier. */
  outOfClientOrder: number;
}

async function checkQueue(orm: Orm, cityId: string, priorityOrder: PriorityCategory[], applied: string[][]): Promise<QueueCheck> {
  // knex.raw, not execute(): execute() inlines an array as a list, and these are array parameters.
  const knex = orm.em.fork().getConnection().getKnex();
  const categories = Object.values(PriorityCategory);
  const { rows: [row] } = await knex.raw(
    `with q as (select priority_category, priority_rank, submitted_at, submission_seq from application where city_id = ? and voucher_type = ? and status = 'QUEUED'),
          w as (select q.*, count(*) over (partition by submitted_at) as same_instant,
                       row_number() over (order by priority_rank, submitted_at, submission_seq) as by_seq,
                       rank() over (order by priority_rank, submitted_at) as by_time from q),
          rules as (select * from unnest(?::text[], ?::int[]) as r(category, rank))
     select count(*)::int as waiting,
            count(*) filter (where same_instant > 1)::int as shared_instants,
            count(*) filter (where by_seq <> by_time)::int as seq_decided,
            count(*) filter (where w.priority_rank <> r.rank)::int as misranked
       from w left join rules r on r.category = w.priority_category`,
    [cityId, TYPE, categories, categories.map((c) => priorityRank(priorityOrder, c))],
  );
  const sent = applied.flatMap((ids, client) => ids.map((id, seq) => ({ id, client, seq })));
  const { rows: [order] } = await knex.raw(
    `select count(*)::int as out_of_order from (
       select a.submitted_at, a.submission_seq, lag(a.submitted_at) over w as previous, lag(a.submission_seq) over w as previous_seq
         from unnest(?::uuid[], ?::int[], ?::int[]) as s(id, client, seq) join application a on a.id = s.id
       window w as (partition by s.client order by s.seq)) x
      where previous > submitted_at or previous_seq > submission_seq`,
    [sent.map((s) => s.id), sent.map((s) => s.client), sent.map((s) => s.seq)],
  );
  return {
    waiting: Number(row!.waiting), sharedInstants: Number(row!.shared_instants), seqDecided: Number(row!.seq_decided),
    misranked: Number(row!.misranked), outOfClientOrder: Number(order!.out_of_order),
  };
}

/** Positions the API reports to parents for a sample of applications, against SQL's ranking. */
async function checkPositions(api: BenchApi, orm: Orm, cityId: string, families: Family[]): Promise<void> {
  const parentOf = new Map(families.map((f) => [f.parentIin, f.token]));
  const rows: { id: string; iin: string; position: number }[] = await orm.em.fork().getConnection().execute(
    `select id, iin, position from (
       select a.id, p.iin, row_number() over (order by a.priority_rank, a.submitted_at, a.submission_seq)::int as position
         from application a join applicant p on p.id = a.applicant_id where a.city_id = ? and a.voucher_type = ? and a.status = 'QUEUED') q
      where position % ? = 1`,
    [cityId, TYPE, Math.max(1, Math.floor(APPLICATIONS / POSITION_CHECKS))],
  );
  const http = api.client(1);
  for (const row of rows) {
    const result = await http.request<{ application: { position: number | null } | null }>(`query($id: ID!) { application(id: $id) { position } }`, { id: row.id }, parentOf.get(row.iin));
    if (!succeeded(result)) throw new Error(`position lookup failed: ${describeFailure(result)}`);
    if (result.data.application?.position !== Number(row.position)) {
      throw new Error(`application ${row.id}: the API says position ${result.data.application?.position}, SQL ranks it ${row.position}`);
    }
  }
}

async function readEmptyQueue(knex: Knex): Promise<{ id: string; priorityOrder: PriorityCategory[]; blocked: Set<string> }> {
  const { rows } = await knex.raw(
    `select c.id, r.priority_order, exists (select 1 from application where city_id = c.id and voucher_type = ?) as in_use
       from city c join city_rules r on r.city_id = c.id and r.version = ? where c.code = ?`,
    [TYPE, RULES_VERSION, CITY],
  );
  const row = rows[0];
  if (!row) throw new Error(`${CITY} or its rules version ${RULES_VERSION} is missing: run the migrations first.`);
  if (row.in_use) throw new Error(`${CITY} already has ${TYPE} applications; the opening-day benchmark needs a fresh database.`);
  const inBand = `substr(iin, 8, 4)::int between ${IIN_SERIALS.first} and ${IIN_SERIALS.last}`;
  const taken = await knex.raw(`select iin from child where ${inBand} union select iin from applicant where ${inBand}`);
  return { id: row.id, priorityOrder: row.priority_order, blocked: new Set(taken.rows.map((r: { iin: string }) => r.iin)) };
}

async function run(orm: Orm, log: BenchLog, connection: ConnectionParts): Promise<BenchmarkResult> {
  const city = await readEmptyQueue(orm.em.fork().getConnection().getKnex());
  const api = await startBenchApi(connection);
  try {
    const families = await buildFamilies(api, city.blocked);
    const prioritised = families.reduce((n, f) => n + f.children.filter((c) => c.category !== PriorityCategory.NONE).length, 0);
    log(`${formatCount(families.length)} families with ${formatCount(APPLICATIONS)} children (${formatCount(prioritised)} with a priority), tokens signed; ${CLIENTS} clients start`);
    const outcome = await openingDay(api, families, log);
    log(`${formatCount(outcome.apply.count)} applications in ${formatSeconds(outcome.seconds)}, ${outcome.errors} errors${outcome.firstErrors.length ? `: ${outcome.firstErrors.join(' | ')}` : ''}`);
    const check = await checkQueue(orm, city.id, city.priorityOrder, outcome.applied);
    log(`queue check: ${JSON.stringify(check)}`);
    if (check.waiting !== outcome.apply.count) throw new Error(`${check.waiting} applications wait in the queue, but ${outcome.apply.count} were accepted by the API`);
    if (check.misranked > 0) throw new Error(`${check.misranked} applications carry a rank their category does not have under rules version ${RULES_VERSION}`);
    await checkPositions(api, orm, city.id, families);
    if (check.outOfClientOrder > 0) throw new Error(`${check.outOfClientOrder} applications are queued ahead of one their own client sent earlier`);
    return {
      figures: [
        { label: 'Applications (registerChild + applyForVoucher each)', value: `${formatCount(outcome.apply.count)} of ${formatCount(APPLICATIONS)} (${formatCount(prioritised)} with a priority category), ${formatCount(families.length)} families` },
        { label: 'Concurrent clients', value: String(CLIENTS) },
        { label: 'Wall time', value: formatSeconds(outcome.seconds) },
        { label: 'Throughput (applications/s)', value: formatRate(outcome.apply.count, outcome.seconds) },
        { label: 'Throughput (requests/s, both mutations)', value: formatRate(outcome.apply.count + outcome.register.count, outcome.seconds) },
        { label: 'Errors', value: String(outcome.errors) },
        { label: 'applyForVoucher p50', value: formatMs(outcome.apply.percentile(50)) },
        { label: 'applyForVoucher p99', value: formatMs(outcome.apply.percentile(99)) },
        { label: 'registerChild p50 / p99', value: `${formatMs(outcome.register.percentile(50))} / ${formatMs(outcome.register.percentile(99))}` },
        { label: 'Applications sharing their submitted_at with another (to the microsecond)', value: String(check.sharedInstants) },
        { label: 'Of those, placed by submission_seq (same rank and instant: arrival order decides)', value: String(check.seqDecided) },
        { label: "Applications out of their client's sending order", value: String(check.outOfClientOrder) },
        { label: `API positions checked against SQL ranking (as the parent)`, value: `${POSITION_CHECKS}, all equal` },
      ],
      target: { text: '0 errors', met: outcome.errors === 0 },
    };
  } finally {
    await api.close();
  }
}

export const openingDayBenchmark: Benchmark = {
  name: 'opening-day',
  title: `Opening day: ${formatCount(APPLICATIONS)} applications from ${CLIENTS} concurrent clients`,
  description:
    `${CLIENTS} clients at once, over the API on a Unix socket (keep-alive, one connection each, in the same process as the server), ` +
    `each working through its own families one request at a time: \`registerChild\` (the parent's first one also creates the parent), ` +
    `then \`applyForVoucher\` (${CITY}, ${TYPE}), until ${formatCount(APPLICATIONS)} children wait in the queue. Families of 1–3 children, ` +
    `about 10% of them in a priority category; valid, unique IINs; tokens signed beforehand. Throughput counts applications over the wall time ` +
    'of the whole run. Then SQL checks the queue: its size equals the applications the API accepted, every category ranked as rules version ' +
    `${RULES_VERSION} says, how many applications share a submitted_at microsecond (their order is then decided by submission_seq, ` +
    "the arrival sequence), each client's applications queued in the order it sent them (a failure otherwise); and the API's `position` for " +
    `${POSITION_CHECKS} applications spread through the queue, asked as their parent, equals SQL's ranking.`,
  run,
};
