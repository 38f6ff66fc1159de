// Article claim 9 against the real PostgreSQL: `npm run seed -- --scenario article` must produce the
// article's exact figures, only placements the rules allow, and refuse a second run. Seeds the pilot
// city KARAGANDA in a database of this file's own, freshly migrated: the scenario needs a pilot city
// nobody has used (other files may queue in KARAGANDA), and its id bands are cut by the number of
// cities (tests add cities of their own to the shared database). Every row there is the scenario's.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { initOrm, migrate, type Orm } from '../../src/db/orm.js';
import { parseIin } from '../../src/domain/kazakh-ids.js';
import { createLogger } from '../../src/logger.js';
import { ARTICLE_FIGURES, seedArticleScenario, type ArticleScenarioResult } from '../../src/seed/article-scenario.js';
import { TestApi } from '../support/api.js';

const CITY = 'KARAGANDA';
/** The scenario back-dates its rows to the summer of 2025 (in this database, every row is one of them). */
const SCENARIO_ROWS_BEFORE = '2026-01-01';
const dbName = `kezek_article_${randomBytes(4).toString('hex')}`;
const ownDb = () => ({ ...inject('db'), dbName });
const onCluster = async (statement: string) => {
  const admin = await initOrm(inject('db'), undefined, 1);
  try {
    await admin.em.getConnection().execute(statement);
  } finally {
    await admin.close(true);
  }
};

let orm: Orm;
let result: ArticleScenarioResult;
/** Why the second of two simultaneous seeds failed. */
let rivalError: unknown;

const sql = async <T = Record<string, any>>(query: string, params: unknown[] = []): Promise<T[]> =>
  orm.em.fork().getConnection().execute(query, params) as Promise<T[]>;

beforeAll(async () => {
  await onCluster(`create database ${dbName}`);
  orm = await initOrm(ownDb(), createLogger('silent'), 4);
  await migrate(orm);
  // Two seeds at once: the city lock lets one through, the other then finds the city in use.
  const [first, second] = await Promise.allSettled([seedArticleScenario(orm, { city: CITY }), seedArticleScenario(orm, { city: CITY })]);
  const winner = [first, second].find((r) => r.status === 'fulfilled');
  if (!winner) throw new Error(`Both seeds failed: ${String((first as PromiseRejectedResult).reason)}`);
  result = winner.value;
  rivalError = [first, second].find((r) => r.status === 'rejected')?.reason;
  console.log(`article scenario: seeded ${CITY} in ${(result.ms / 1000).toFixed(1)} s`);
}, 120_000);
afterAll(async () => {
  await orm?.close(true);
  await onCluster(`drop database if exists ${dbName} with (force)`);
});

// Every test only reads (or is refused and writes nothing): they run at once.
describe.concurrent('the article scenario', () => {
  // How long it took is logged above and measured by `npm run bench`; tests assert no timings.
  it('reports the article’s figures', ({ expect }) => {
    expect(result).toMatchObject({ city: CITY, vouchers: { TARGETED: 29_061, UNIVERSAL: 11_113 }, waiting: 12_454 });
  });

  it('shows them through the public queueStats query', async ({ expect }) => {
    const api = await TestApi.start({ db: ownDb() });
    try {
      const { queueStats } = await api.data(`{ queueStats(city: "KARAGANDA") { voucherType waiting offered active } }`);
      expect(queueStats).toEqual([
        { voucherType: 'TARGETED', waiting: 4_654, offered: 0, active: 29_061 },
        { voucherType: 'UNIVERSAL', waiting: 7_800, offered: 0, active: 11_113 },
      ]);
      expect(queueStats.reduce((sum: number, row: { waiting: number }) => sum + row.waiting, 0)).toBe(ARTICLE_FIGURES.waitingChildren);
    } finally {
      await api.close();
    }
  });

  it('leaves exactly those vouchers and applications in the database', async ({ expect }) => {
    const vouchers = await sql(
      `select v.status, v.type, count(*)::int as n from voucher v join city c on c.id = v.city_id where c.code = ? group by 1, 2 order by 1, 2`,
      [CITY],
    );
    expect(vouchers).toEqual([
      { status: 'ACTIVE', type: 'TARGETED', n: ARTICLE_FIGURES.targetedVouchers },
      { status: 'ACTIVE', type: 'UNIVERSAL', n: ARTICLE_FIGURES.universalVouchers },
    ]);
    const applications = await sql(
      `select a.status, a.voucher_type, count(*)::int as n from application a join city c on c.id = a.city_id where c.code = ? group by 1, 2 order by 1, 2`,
      [CITY],
    );
    expect(applications).toEqual([
      { status: 'ACCEPTED', voucher_type: 'TARGETED', n: 29_061 },
      { status: 'ACCEPTED', voucher_type: 'UNIVERSAL', n: 11_113 },
      { status: 'QUEUED', voucher_type: 'TARGETED', n: 4_654 },
      { status: 'QUEUED', voucher_type: 'UNIVERSAL', n: 7_800 },
    ]);
    const quotas = await sql(
      `select q.voucher_type, q.period, q.count, q.used from quota q join city c on c.id = q.city_id where c.code = ? order by 1`,
      [CITY],
    );
    expect(quotas).toEqual([
      { voucher_type: 'TARGETED', period: '2026', count: 29_061, used: 29_061 },
      { voucher_type: 'UNIVERSAL', period: '2026', count: 11_113, used: 11_113 },
    ]);
  });

  it('gives no child two vouchers, and every voucher one accepted offer and one active enrollment', async ({ expect }) => {
    const [row] = await sql(
      `select count(distinct v.child_id)::int as children, count(*)::int as vouchers,
              count(*) filter (where o.status = 'ACCEPTED' and o.application_id = v.application_id)::int as accepted_offers,
              count(*) filter (where e.status = 'ACTIVE')::int as active_enrollments,
              count(*) filter (where a.status = 'ACCEPTED' and a.child_id = v.child_id and a.voucher_type = v.type)::int as matching_applications
       from voucher v join city c on c.id = v.city_id
         join application a on a.id = v.application_id
         join offer o on o.voucher_id = v.id
         join enrollment e on e.voucher_id = v.id
       where c.code = ?`,
      [CITY],
    );
    const total = ARTICLE_FIGURES.targetedVouchers + ARTICLE_FIGURES.universalVouchers;
    expect(row).toEqual({ children: total, vouchers: total, accepted_offers: total, active_enrollments: total, matching_applications: total });
  });

  it('enrolls every voucher in an approved program of its city that accepts its type, at the child’s age, without overbooking', async ({ expect }) => {
    const [row] = await sql(
      `select count(*) filter (where v.type = 'TARGETED' and pr.kind = 'PRIVATE')::int as wrong_kind,
              count(*) filter (where pr.status <> 'APPROVED' or pr.city_id <> v.city_id)::int as wrong_provider,
              count(*) filter (where extract(year from age(date '2025-09-01', ch.birth_date)) not between p.min_age and p.max_age)::int as wrong_age
       from enrollment e join voucher v on v.id = e.voucher_id join program p on p.id = e.program_id
         join provider pr on pr.id = p.provider_id join child ch on ch.id = v.child_id join city c on c.id = v.city_id
       where c.code = ?`,
      [CITY],
    );
    expect(row).toEqual({ wrong_kind: 0, wrong_provider: 0, wrong_age: 0 });
    const [seats] = await sql(
      `select count(*)::int as programs, count(*) filter (where p.seats_taken > p.seats)::int as overbooked,
              count(*) filter (where p.seats_taken <> (select count(*) from enrollment e where e.program_id = p.id and e.status = 'ACTIVE'))::int as miscounted,
              count(*) filter (where pr.created_at >= ?)::int as not_the_scenarios
       from program p join provider pr on pr.id = p.provider_id join city c on c.id = pr.city_id
       where c.code = ?`,
      [SCENARIO_ROWS_BEFORE, CITY],
    );
    expect(seats).toEqual({ programs: 630, overbooked: 0, miscounted: 0, not_the_scenarios: 0 });
    // Nothing else is in this database: every program, child and parent is the scenario's.
    const [all] = await sql(`select (select count(*) from program)::int as programs, (select count(*) from child)::int as children, (select count(*) from applicant)::int as parents`);
    expect(all).toEqual({ programs: 630, children: 52_628, parents: 52_628 });
  });

  it('queues the waiting children in August 2025, at distinct instants, ranked by the city’s rules version 1', async ({ expect }) => {
    const [row] = await sql(
      `select count(*)::int as waiting, count(distinct a.submitted_at)::int as instants,
              min(a.submitted_at) >= '2025-08-01T00:00:00+05' and max(a.submitted_at) < '2025-09-01T00:00:00+05' as in_august,
              count(*) filter (where a.rules_version <> 1 or a.priority_rank <> coalesce(
                (select e.ord - 1 from jsonb_array_elements_text(r.priority_order) with ordinality e(category, ord)
                 where e.category = a.priority_category and a.priority_category <> 'NONE'),
                jsonb_array_length(r.priority_order)))::int as misranked,
              count(*) filter (where a.priority_category <> 'NONE')::int as prioritised,
              count(*) filter (where ch.priority_category <> a.priority_category)::int as category_mismatch
       from application a join city c on c.id = a.city_id join city_rules r on r.city_id = c.id and r.version = 1
         join child ch on ch.id = a.child_id
       where c.code = ? and a.status = 'QUEUED'`,
      [CITY],
    );
    expect(row).toMatchObject({ waiting: 12_454, instants: 12_454, in_august: true, misranked: 0, category_mismatch: 0 });
    // "Mostly NONE, a few per cent in other categories."
    expect(row!.prioritised).toBeGreaterThan(12_454 * 0.05);
    expect(row!.prioritised).toBeLessThan(12_454 * 0.15);
  });

  it('registers every child and parent with a valid IIN that agrees with the stored birth date and sex', async ({ expect }) => {
    const rows = await sql<{ child_iin: string; birth_date: string; sex: string; parent_iin: string; phone: string }>(
      `select ch.iin as child_iin, to_char(ch.birth_date, 'YYYY-MM-DD') as birth_date, ch.sex, ap.iin as parent_iin, ap.phone
       from application a join city c on c.id = a.city_id join child ch on ch.id = a.child_id
         join guardianship g on g.child_id = ch.id and g.applicant_id = a.applicant_id join applicant ap on ap.id = a.applicant_id
       where c.code = ?`,
      [CITY],
    );
    expect(rows).toHaveLength(52_628);
    const wrong = rows.filter((r) => {
      const child = parseIin(r.child_iin);
      const parent = parseIin(r.parent_iin);
      return !child.ok || child.facts.birthDate !== r.birth_date || child.facts.sex !== r.sex || !parent.ok || parent.facts.birthDate > '2005-01-01';
    });
    expect(wrong).toEqual([]);
    expect(rows.every((r) => /^\+77\d{9}$/.test(r.phone))).toBe(true);
    expect(rows.every((r) => r.birth_date >= '2008-01-01' && r.birth_date <= '2019-12-31')).toBe(true);
  });

  it('lets only one of two simultaneous seeds of a city through', ({ expect }) => {
    expect(rivalError).toBeInstanceOf(Error);
    expect((rivalError as Error).message).toContain(`${CITY} already has applications or vouchers`);
  });

  it('refuses a second run on the same city and writes nothing', async ({ expect }) => {
    const snapshot = () =>
      sql(
        `select (select count(*) from application a where a.city_id = c.id)::int as applications,
                (select count(*) from voucher v where v.city_id = c.id)::int as vouchers,
                (select count(*) from quota q where q.city_id = c.id)::int as quotas,
                (select count(*) from provider p where p.city_id = c.id and p.created_at < ?)::int as providers,
                (select count(*) from child ch where ch.created_at < ?)::int as children,
                (select count(*) from applicant ap where ap.created_at < ?)::int as applicants
         from city c where c.code = ?`,
        [SCENARIO_ROWS_BEFORE, SCENARIO_ROWS_BEFORE, SCENARIO_ROWS_BEFORE, CITY],
      );
    const before = await snapshot();
    await expect(seedArticleScenario(orm, { city: CITY })).rejects.toThrow(`${CITY} already has applications or vouchers`);
    expect(await snapshot()).toEqual(before);
  });

  it('names the pilot cities when given an unknown one', async ({ expect }) => {
    await expect(seedArticleScenario(orm, { city: 'ALMATY' })).rejects.toThrow(/Unknown city "ALMATY".*KARAGANDA/);
  });
});
