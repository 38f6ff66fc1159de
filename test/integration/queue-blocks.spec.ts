// Queue positions come from per-block counters kept by triggers (queue_block). Whatever the block
// layout and whatever runs at the same time, every position must equal the row's rank in the queue.
// Every test has a TARGETED queue of its own (in a city of its own, `seed.city()`), so it knows the
// whole queue and its blocks, and the tests run at once.
import { afterAll, beforeAll, describe, type ExpectStatic, it } from 'vitest';
import { VoucherType } from '../../src/domain/enums.js';
import { expireOffers } from '../../src/jobs/scheduler.js';
import { maintainQueueBlocks, miscountedBlocks, positionsInQueue } from '../../src/services/queue-blocks.js';
import { TestApi } from '../support/api.js';
import { type FamilyHandle, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
});
afterAll(() => api?.close());

const TYPE = VoucherType.TARGETED;

interface Waiting {
  family: FamilyHandle;
  applicationId: string;
}

/** The TARGETED queue of a new city of the test's own, and what the tests do with it. */
async function ownQueue() {
  const city = await seed.city();
  const cityId = (await api.sql<{ id: string }>(`select id from city where code = ?`, [city]))[0]!.id;

  const apply = (category = 'NONE'): Promise<Waiting> => seed.queued(city, TYPE, { category });

  const maintain = (blockSize: number) => api.orm.em.fork().transactional((em) => maintainQueueBlocks(em, cityId, TYPE, blockSize));

  /** Every waiting application's rank, counted the slow, obvious way. */
  async function ranks(): Promise<Map<string, number>> {
    const rows = await api.sql<{ id: string; rank: number }>(
      `select id, row_number() over (order by priority_rank, submitted_at, submission_seq)::int as rank
         from application where city_id = ? and voucher_type = ? and status = 'QUEUED'`,
      [cityId, TYPE],
    );
    return new Map(rows.map((r) => [r.id, r.rank]));
  }

  /**
   * Counters agree with a recount; the API, the live hub's query and the public queue agree with the
   * ranks; and the queue holds exactly `waitingCount` applications.
   */
  async function expectExactPositions(expect: ExpectStatic, waiting: Waiting[], waitingCount: number): Promise<void> {
    expect(await miscountedBlocks(api.orm.em.fork(), cityId, TYPE)).toEqual([]);
    const expected = await ranks();
    expect(expected.size).toBe(waitingCount);
    for (const { family, applicationId } of waiting) {
      // application(id) computes the position in its own statement; myApplications through the batched loader.
      const { application, myApplications } = await api.data(
        `query($id: ID!) { application(id: $id) { position } myApplications { id position } }`,
        { id: applicationId },
        { token: family.token },
      );
      expect(application.position, applicationId).toBe(expected.get(applicationId) ?? null);
      expect(myApplications.find((a: { id: string }) => a.id === applicationId).position, applicationId).toBe(expected.get(applicationId) ?? null);
    }
    const live = await positionsInQueue(api.orm.em.fork(), { cityId, voucherType: TYPE }, waiting.map((w) => w.applicationId));
    for (const row of live) expect(row.position, row.id).toBe(expected.get(row.id) ?? null);

    // The public queue, in pages of 7: positions run 1, 2, 3 … over waiting entries.
    const listed: number[] = [];
    let after: string | null = null;
    do {
      const { queue }: any = await api.data(
        `query($city: String!, $after: String) { queue(city: $city, voucherType: TARGETED, first: 7, after: $after) { edges { node { position status } } pageInfo { hasNextPage endCursor } } }`,
        { city, after },
      );
      listed.push(...queue.edges.filter((e: any) => e.node.status === 'QUEUED').map((e: any) => e.node.position));
      after = queue.pageInfo.hasNextPage ? queue.pageInfo.endCursor : null;
    } while (after);
    expect(listed).toEqual(Array.from({ length: expected.size }, (_, i) => i + 1));
  }

  return { city, cityId, apply, maintain, expectExactPositions };
}

const withdraw = (w: Waiting) =>
  api.data(`mutation($id: ID!) { withdrawApplication(input: { applicationId: $id }) { application { status } } }`, { id: w.applicationId }, { token: w.family.token });

describe.concurrent('queue blocks', () => {
  it('keep positions exact through closing, priority arrivals, withdrawals, offers, lapses and rebuilds', async ({ expect }) => {
    const q = await ownQueue();
    const waiting: Waiting[] = [];
    for (let i = 0; i < 24; i++) waiting.push(await q.apply(i % 6 === 5 ? 'ORPHAN' : 'NONE'));
    // 24 waiting in blocks of 4: five closed blocks, the last four open.
    expect(await q.maintain(4)).toEqual({ closed: 5, rebuilt: false });
    await q.expectExactPositions(expect, waiting, 24);

    // Priority applicants land inside closed blocks; withdrawals leave them.
    for (let i = 0; i < 3; i++) waiting.push(await q.apply('DISABILITY'));
    for (const w of waiting.slice(6, 9)) await withdraw(w);
    await q.expectExactPositions(expect, waiting, 24);

    // The head is offered, then the offers lapse and those applications come back in their old places.
    await seed.quotaRoom(q.city, 'TARGETED', 5);
    const offers = await seed.issue(q.city, 'TARGETED', 5);
    expect(offers).toHaveLength(5);
    await q.expectExactPositions(expect, waiting, 19);
    // The expiry job runs over the city once their deadline has passed (its own clock moved past it;
    // the other jobs of a pass would offer the returned vouchers again, so it runs alone).
    const [{ last }] = (await api.sql<{ last: string }>(`select max(deadline) as last from offer where id in (?)`, [offers.map((o) => o.id)])) as [{ last: string }];
    expect(await expireOffers(api.orm.em.fork(), new Date(new Date(last).getTime() + 60_000), { cityCodes: [q.city] })).toBe(5);
    // By the default rules a lapsed offer cancels its application: five fewer waiting, positions still exact.
    await q.expectExactPositions(expect, waiting, 19);

    // Blocks far from their size are renumbered.
    const rebuilt = await q.maintain(1);
    expect(rebuilt.rebuilt).toBe(true);
    await q.expectExactPositions(expect, waiting, 19);
  });

  it('keep exact counts while applications arrive and leave in parallel with block closing', async ({ expect }) => {
    const q = await ownQueue();
    const first = await Promise.all(Array.from({ length: 12 }, (_, i) => q.apply(i % 4 === 0 ? 'LARGE_FAMILY' : 'NONE')));
    await q.maintain(3);
    const rounds = await Promise.all([
      ...Array.from({ length: 16 }, (_, i) => q.apply(i % 3 === 0 ? 'ORPHAN' : 'NONE')),
      ...first.slice(0, 6).map(withdraw),
      ...Array.from({ length: 6 }, () => q.maintain(3)),
    ]);
    const arrived = rounds.slice(0, 16) as Waiting[];
    await q.expectExactPositions(expect, [...first, ...arrived], 12 - 6 + 16);
  });

  it('refuses a counter below zero', async ({ expect }) => {
    const q = await ownQueue();
    await q.apply();
    await q.apply();
    expect((await q.maintain(1)).closed).toBe(1);
    const [block] = await api.sql<{ id: string }>(`select id::text from queue_block where city_id = ? and voucher_type = ? limit 1`, [q.cityId, TYPE]);
    expect(block).toBeDefined();
    await expect(api.sql(`update queue_block set waiting = -1 where id = ?`, [block!.id])).rejects.toThrow(/queue_block_waiting_not_negative/);
  });
});
