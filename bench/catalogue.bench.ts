// `npm run bench -- catalogue`: parents browsing the clubs of one city (KARAGANDA): 500 approved
// providers with 5,000 programs, paged 50 at a time with the provider's name and the city's name, by
// 20 clients at once for 15 seconds. The issue sets no target here; the figures are reported.
//
// The catalogue goes in as raw INSERT … SELECT FROM unnest(…), with BINs from the article
// scenario's generator in KARAGANDA's own serial band (so a later `seed --scenario article` for
// another city cannot collide with it).

import type { Knex } from '@mikro-orm/postgresql';
import { Direction, ProviderKind, TeachingLanguage } from '../src/domain/enums.js';
import type { ConnectionParts, Orm } from '../src/db/orm.js';
import { toWeekly } from '../src/domain/schedule.js';
import { uuidv7 } from '../src/ids.js';
import { binsFrom, cityBand, seededRandom } from '../src/seed/article-scenario.js';
import { insertRows } from '../src/seed/bulk-insert.js';
import { type Benchmark, type BenchLog, type BenchmarkResult, formatCount, formatSeconds, secondsSince } from './benchmark.js';
import { describeFailure, formatMs, formatRate, type GraphqlClient, type GraphqlResult, LatencyRecorder, runClients, startBenchApi, succeeded } from './http-client.js';

const CITY = 'KARAGANDA';
const PROVIDER_MIX: [ProviderKind, number][] = [[ProviderKind.SCHOOL, 200], [ProviderKind.STATE_INSTITUTION, 150], [ProviderKind.PRIVATE, 150]];
const PROGRAMS_PER_PROVIDER = 10;
const PROVIDERS = PROVIDER_MIX.reduce((n, [, count]) => n + count, 0);
const PROGRAMS = PROVIDERS * PROGRAMS_PER_PROVIDER;
const PAGE_SIZE = 50;
const CLIENTS = 20;
const WARM_UP_SECONDS = 2;
const MEASURE_SECONDS = 15;
const APPROVED_AT = '2025-05-20T04:00:00Z';
const CLUBS: [Direction, { kk: string; ru: string; en: string }][] = [
  [Direction.EDUCATIONAL, { kk: 'Робототехника', ru: 'Робототехника', en: 'Robotics' }],
  [Direction.EDUCATIONAL, { kk: 'Шахмат', ru: 'Шахматы', en: 'Chess' }],
  [Direction.EDUCATIONAL, { kk: 'Ментальды арифметика', ru: 'Ментальная арифметика', en: 'Mental Arithmetic' }],
  [Direction.EDUCATIONAL, { kk: 'Бағдарламалау негіздері', ru: 'Основы программирования', en: 'Programming Basics' }],
  [Direction.CREATIVE, { kk: 'Домбыра', ru: 'Домбра', en: 'Dombra' }],
  [Direction.CREATIVE, { kk: 'Бейнелеу өнері', ru: 'Изобразительное искусство', en: 'Fine Art' }],
  [Direction.CREATIVE, { kk: 'Қазақ халық биі', ru: 'Казахский народный танец', en: 'Kazakh Folk Dance' }],
  [Direction.SPORTS, { kk: 'Футбол', ru: 'Футбол', en: 'Football' }],
  [Direction.SPORTS, { kk: 'Қазақ күресі', ru: 'Казакша курес', en: 'Kazakh Wrestling' }],
  [Direction.SPORTS, { kk: 'Жүзу', ru: 'Плавание', en: 'Swimming' }],
];
const KIND_NAMES: Record<ProviderKind, (n: number) => string> = {
  [ProviderKind.SCHOOL]: (n) => `Қарағанды қаласының № ${n} мектеп-гимназиясы`,
  [ProviderKind.STATE_INSTITUTION]: (n) => `Дом детского творчества № ${n} (Караганда)`,
  [ProviderKind.PRIVATE]: (n) => `«Шабыт» оқу орталығы, ${n}-филиал`,
};
const LANGUAGES = [TeachingLanguage.KK, TeachingLanguage.RU, TeachingLanguage.KK_RU];
const AGE_BANDS: [number, number][] = [[6, 10], [9, 13], [12, 16]];
const SLOTS = [['14:00', '15:30'], ['15:00', '16:30'], ['16:00', '17:30']] as const;

interface ProviderRow {
  id: string;
  bin: string;
  name: string;
  kind: ProviderKind;
}

interface ProgramRow {
  id: string;
  providerId: string;
  direction: Direction;
  title: { kk: string; ru: string; en: string };
  minAge: number;
  maxAge: number;
  seats: number;
  taken: number;
  language: TeachingLanguage;
  schedule: string;
}

// ---------------------------------------------------------------------------------------------
// Loading.

function buildCatalogue(bins: string[]): { providers: ProviderRow[]; programs: ProgramRow[] } {
  const random = seededRandom(`kezek-bench-catalogue-${CITY}`);
  const createdMs = Date.parse(APPROVED_AT);
  const providers: ProviderRow[] = [];
  const programs: ProgramRow[] = [];
  for (const [kind, count] of PROVIDER_MIX) {
    for (let n = 1; n <= count; n++) {
      const provider = { id: uuidv7(createdMs), bin: bins[providers.length]!, name: KIND_NAMES[kind](n), kind };
      providers.push(provider);
      for (let c = 0; c < PROGRAMS_PER_PROVIDER; c++) {
        const p = programs.length;
        const [direction, title] = CLUBS[(n + c) % CLUBS.length]!;
        const [minAge, maxAge] = AGE_BANDS[p % AGE_BANDS.length]!;
        const [startsAt, endsAt] = SLOTS[p % SLOTS.length]!;
        const seats = 15 + Math.floor(random() * 16);
        programs.push({
          id: uuidv7(createdMs), providerId: provider.id, direction, title, minAge, maxAge, seats, taken: Math.floor(random() * (seats + 1)),
          language: LANGUAGES[p % LANGUAGES.length]!, schedule: JSON.stringify([1 + (p % 3), 3 + (p % 3)].map((weekday) => ({ weekday, startsAt, endsAt }))),
        });
      }
    }
  }
  return { providers, programs };
}

/** The city (refused if it has providers already), and BINs free in its band. */
async function prepare(trx: Knex.Transaction): Promise<{ cityId: string; bins: string[] }> {
  const { rows } = await trx.raw(
    `select c.id, (select count(*) from city)::int as city_count, (select count(*) from city o where o.code < c.code)::int as band,
       exists (select 1 from provider where city_id = c.id) as in_use
     from city c where c.code = ? for no key update of c`,
    [CITY],
  );
  const row = rows[0];
  if (!row) throw new Error(`${CITY} is missing: run the migrations first.`);
  if (row.in_use) throw new Error(`${CITY} already has providers; the catalogue benchmark needs a fresh database.`);
  const taken = new Set<string>((await trx.raw(`select bin from provider`)).rows.map((r: { bin: string }) => r.bin));
  return { cityId: row.id, bins: binsFrom(cityBand(row.band, row.city_count, 90_000, 99_999), PROVIDERS, taken) };
}

async function load(orm: Orm, log: BenchLog): Promise<void> {
  const knex = orm.em.fork().getConnection().getKnex();
  await knex.transaction(async (trx) => {
    const { cityId, bins } = await prepare(trx);
    const { providers, programs } = buildCatalogue(bins);
    await insertRows(trx, 'provider', providers, [
      ['id', 'uuid', (p) => p.id], ['bin', 'text', (p) => p.bin], ['name', 'text', (p) => p.name], ['kind', 'text', (p) => p.kind],
      ['city_id', 'uuid', () => cityId], ['status', 'text', () => 'APPROVED'], ['approved_at', 'timestamptz', () => APPROVED_AT],
      ['created_at', 'timestamptz', () => APPROVED_AT],
    ]);
    await insertRows(trx, 'program', programs, [
      ['id', 'uuid', (p) => p.id], ['provider_id', 'uuid', (p) => p.providerId], ['title_kk', 'text', (p) => p.title.kk],
      ['title_ru', 'text', (p) => p.title.ru], ['title_en', 'text', (p) => p.title.en], ['direction', 'text', (p) => p.direction],
      ['min_age', 'smallint', (p) => p.minAge], ['max_age', 'smallint', (p) => p.maxAge], ['seats', 'int', (p) => p.seats],
      ['seats_taken', 'int', (p) => p.taken], ['schedule', 'jsonb', (p) => p.schedule], ['language', 'text', (p) => p.language],
      // Published, as the public catalogue shows only published programs.
      ['weekly_schedule', 'jsonb', (p) => JSON.stringify(toWeekly(JSON.parse(p.schedule)))], ['status', 'text', () => 'PUBLISHED'], ['published_at', 'timestamptz', () => APPROVED_AT],
      ['created_at', 'timestamptz', () => APPROVED_AT],
    ]);
    log(`  ${formatCount(providers.length)} providers, ${formatCount(programs.length)} programs in ${CITY}`);
  });
  await knex.raw('analyze provider, program');
}

// ---------------------------------------------------------------------------------------------
// Browsing.

const PAGE_QUERY = `query($after: String) {
  programs(first: ${PAGE_SIZE}, after: $after, filter: { city: "${CITY}" }) {
    edges { node { id title { kk ru } provider { name } city { name { kk } } } }
    pageInfo { endCursor hasNextPage }
  }
}`;

interface Page {
  programs: { edges: { node: { id: string; provider: { name: string } } }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
}

interface Browsing {
  latency: LatencyRecorder;
  pages: number;
  programsServed: number;
  seconds: number;
}

async function fetchPage(http: GraphqlClient, after: string | null): Promise<GraphqlResult<Page> & { data: Page }> {
  const response = await http.request<Page>(PAGE_QUERY, { after });
  if (!succeeded(response)) throw new Error(`programs failed: ${describeFailure(response)}`);
  return response;
}

/** One walk through the whole catalogue, page by page: it must list every program exactly once. */
async function checkWalk(http: GraphqlClient): Promise<number> {
  const seen = new Set<string>();
  let listed = 0;
  let pages = 0;
  for (let after: string | null = null; ; pages++) {
    const { programs }: Page = (await fetchPage(http, after)).data;
    for (const { node } of programs.edges) seen.add(node.id);
    listed += programs.edges.length;
    if (!programs.pageInfo.hasNextPage) break;
    after = programs.pageInfo.endCursor;
  }
  if (listed !== PROGRAMS || seen.size !== PROGRAMS) throw new Error(`a walk through ${CITY}'s catalogue listed ${listed} programs (${seen.size} distinct), expected ${PROGRAMS}`);
  return pages + 1;
}

/**
 * Each client pages through the city's catalogue and starts over at the end, through the warm-up
 * and the measured time; only requests sent in the measured time count. Any error fails the run.
 */
async function browse(http: GraphqlClient): Promise<Browsing> {
  const result: Browsing = { latency: new LatencyRecorder(), pages: 0, programsServed: 0, seconds: 0 };
  const startsAt = performance.now() + WARM_UP_SECONDS * 1000;
  const endsAt = startsAt + MEASURE_SECONDS * 1000;
  let failed = false;
  await runClients(CLIENTS, async () => {
    let after: string | null = null;
    while (!failed && performance.now() < endsAt) {
      const sentAt = performance.now();
      let response: GraphqlResult<Page> & { data: Page };
      try {
        response = await fetchPage(http, after);
      } catch (err) {
        failed = true; // the other clients stop too
        throw err;
      }
      const { edges, pageInfo }: Page['programs'] = response.data.programs;
      if (sentAt >= startsAt) {
        result.latency.record(response.ms);
        result.pages++;
        result.programsServed += edges.length;
      }
      after = pageInfo.hasNextPage ? pageInfo.endCursor : null;
    }
  });
  result.seconds = (Math.max(performance.now(), endsAt) - startsAt) / 1000;
  return result;
}

async function run(orm: Orm, log: BenchLog, connection: ConnectionParts): Promise<BenchmarkResult> {
  const loadStarted = performance.now();
  await load(orm, log);
  const loadSeconds = secondsSince(loadStarted);
  const api = await startBenchApi(connection);
  try {
    const http = api.client(CLIENTS);
    const walkPages = await checkWalk(http);
    log(`API up; a walk through the catalogue took ${walkPages} pages and listed every program once; ${CLIENTS} clients page through it for ${WARM_UP_SECONDS} s warm-up + ${MEASURE_SECONDS} s`);
    const browsing = await browse(http);
    log(`${formatCount(browsing.pages)} pages in ${formatSeconds(browsing.seconds)}: ${browsing.latency.summary()}`);
    return {
      figures: [
        { label: `Data load (${PROVIDERS} providers, ${formatCount(PROGRAMS)} programs, then analyze)`, value: formatSeconds(loadSeconds) },
        { label: 'Concurrent clients (keep-alive)', value: String(CLIENTS) },
        { label: 'Pages served in the measured time', value: `${formatCount(browsing.pages)} in ${formatSeconds(browsing.seconds)}` },
        { label: 'Requests per second', value: formatRate(browsing.pages, browsing.seconds) },
        { label: 'Programs served per second', value: formatRate(browsing.programsServed, browsing.seconds) },
        { label: 'Latency p50', value: formatMs(browsing.latency.percentile(50)) },
        { label: 'Latency p90', value: formatMs(browsing.latency.percentile(90)) },
        { label: 'Latency p99', value: formatMs(browsing.latency.percentile(99)) },
        { label: 'One walk through the whole catalogue (checked before the clients start)', value: `${walkPages} pages, every program exactly once` },
        { label: 'Errors', value: '0' },
      ],
      target: { text: 'none set by the issue: throughput and latency reported (any error fails the run)', met: true },
    };
  } finally {
    await api.close();
  }
}

export const catalogueBenchmark: Benchmark = {
  name: 'catalogue',
  title: `Catalogue browsing: ${formatCount(PROGRAMS)} programs, ${CLIENTS} concurrent clients`,
  description:
    `One city (${CITY}) with ${PROVIDERS} approved providers (schools, state institutions, private) and ${formatCount(PROGRAMS)} active programs, ` +
    `loaded by SQL. ${CLIENTS} anonymous clients over the API on a Unix socket (keep-alive, in the same process as the server) each page through ` +
    `the city's catalogue with \`programs(first: ${PAGE_SIZE}, after, filter: { city })\` selecting \`id title { kk ru } provider { name } city { name { kk } }\`, ` +
    `starting over at the end, for ${WARM_UP_SECONDS} s of warm-up and then ${MEASURE_SECONDS} s measured. Before that, one walk through the whole catalogue is checked to list every program exactly once.`,
  run,
};
