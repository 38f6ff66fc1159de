// Live updates over graphql-ws on real PostgreSQL, fed by events that commit with their changes.
// Each test watches the TARGETED queue of a city of its own (seed.city()), so it knows every
// position, message and count exactly, and the tests run at once. The cities are made before any
// subscription: the hub learns the cities' codes once, when its first dashboard feed starts.
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
let cities: Record<'positions' | 'refusals' | 'offers' | 'instances' | 'changes', string>;
beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
  cities = { positions: await seed.city(), refusals: await seed.city(), offers: await seed.city(), instances: await seed.city(), changes: await seed.city() };
});
afterAll(() => api?.close());

const POSITION = `subscription($id: ID!) { queuePositionChanged(applicationId: $id) { applicationId position status reason } }`;
const OFFERS = `subscription { offerReceived { id status application { id } } }`;
const METRICS = `subscription($city: String!) { queueMetrics(city: $city, voucherType: TARGETED) { waiting offered city { code } voucherType } }`;
const queued = (city: string, category = 'NONE') => seed.waiting(city, 'TARGETED', { category });
/** Makes room for `count` more targeted vouchers and issues them. */
const offer = async (city: string, count: number) => {
  await seed.quotaRoom(city, 'TARGETED', count);
  return seed.issue(city, 'TARGETED', count);
};

/**
 * Reads dashboard snapshots until one satisfies `done`, and returns it; every snapshot read before it
 * must be one of `before` (the states this test passes through: coalescing may skip or repeat them).
 */
async function metricsUntil(metrics: { next(): Promise<any> }, done: (m: any) => boolean, before: object[]) {
  for (;;) {
    const snapshot = (await metrics.next()).queueMetrics;
    if (done(snapshot)) return snapshot;
    if (!before.some((b) => isDeepStrictEqual(b, snapshot))) throw new Error(`unexpected snapshot ${JSON.stringify(snapshot)}`);
  }
}

describe.concurrent('live queue positions', () => {
  it('moves when someone ahead is offered or withdraws, and stays silent when someone joins behind', async ({ expect }) => {
    const city = cities.positions;
    const leaving = await queued(city, 'ORPHAN');
    const head = await queued(city);
    const me = await queued(city);
    expect([leaving.position, head.position, me.position]).toEqual([1, 2, 3]);
    const sub = await api.subscribe(POSITION, { id: me.applicationId }, me.family.token);
    expect((await sub.next()).queuePositionChanged).toEqual({ applicationId: me.applicationId, position: 3, status: 'QUEUED', reason: 'CURRENT' });

    // Someone joins behind: nothing ahead changed, so no message (the next one is the withdrawal).
    expect((await queued(city)).position).toBe(4);
    await api.data(`mutation($id: ID!) { withdrawApplication(input: { applicationId: $id }) { application { status } } }`, { id: leaving.applicationId }, { token: leaving.family.token });
    expect((await sub.next()).queuePositionChanged).toEqual({ applicationId: me.applicationId, position: 2, status: 'QUEUED', reason: 'SOMEONE_AHEAD_LEFT' });

    // The head is offered.
    expect((await offer(city, 1)).map((o) => o.applicationId)).toEqual([head.applicationId]);
    expect((await sub.next()).queuePositionChanged).toEqual({ applicationId: me.applicationId, position: 1, status: 'QUEUED', reason: 'SOMEONE_AHEAD_OFFERED' });
    // My own turn: the status changes.
    expect((await offer(city, 1)).map((o) => o.applicationId)).toEqual([me.applicationId]);
    expect((await sub.next()).queuePositionChanged).toEqual({ applicationId: me.applicationId, position: null, status: 'OFFERED', reason: 'STATUS_CHANGED' });
    await sub.close();
  });

  it('refuses another family’s application, and anonymous callers', async ({ expect }) => {
    const theirs = await queued(cities.refusals);
    const mine = await seed.parent().withChild();
    const sub = await api.subscribe(POSITION, { id: theirs.applicationId }, mine.token);
    await expect(sub.next()).rejects.toThrow(/NOT_FOUND/);
    await sub.close();
    const anonymous = await api.subscribe(POSITION, { id: theirs.applicationId });
    await expect(anonymous.next()).rejects.toThrow(/UNAUTHENTICATED/);
    await anonymous.close();
  });
});

describe.concurrent('offers and metrics', () => {
  it('delivers an offer to its family only, and updates the dashboard', async ({ expect }) => {
    const city = cities.offers;
    const snapshot = (waiting: number, offered: number) => ({ waiting, offered, city: { code: city }, voucherType: 'TARGETED' });
    const metrics = await api.subscribe(METRICS, { city });
    expect((await metrics.next()).queueMetrics).toEqual(snapshot(0, 0));

    const mine = await queued(city, 'DISABILITY');
    const other = await queued(city);
    const myOffers = await api.subscribe(OFFERS, {}, mine.family.token);
    const theirOffers = await api.subscribe(OFFERS, {}, other.family.token);
    // Subscriptions are registered once the server has them; a metrics update proves the bus runs.
    // (The two joins may come as one snapshot or as two: snapshots are coalesced, each complete.)
    expect(await metricsUntil(metrics, (m) => m.waiting === 2, [snapshot(1, 0)])).toEqual(snapshot(2, 0));

    // The child with a priority category is first: one voucher reaches it, and only it.
    const offers = await offer(city, 1);
    expect(offers.map((o) => o.applicationId)).toEqual([mine.applicationId]);
    expect((await myOffers.next()).offerReceived).toEqual({ id: offers[0]!.id, status: 'PENDING', application: { id: mine.applicationId } });
    // The other family was not offered anything, so it hears nothing.
    await expect(theirOffers.next(500)).rejects.toThrow(/no message/);
    expect(await metricsUntil(metrics, (m) => m.offered === 1, [snapshot(2, 0)])).toEqual(snapshot(1, 1));
    await Promise.all([metrics.close(), myOffers.close(), theirOffers.close()]);
  });

  it('reaches a subscriber on another API instance', async ({ expect }) => {
    const city = cities.instances;
    const second = await TestApi.start();
    try {
      const family = await seed.parent().withChild(1, undefined, 'ORPHAN');
      const offersOnSecond = await second.subscribe(OFFERS, {}, family.token);
      const applicationId = await seed.apply(family, 0, 'TARGETED', city);
      // Wait until instance two has registered the subscription: it answers a metrics snapshot first.
      const metrics = await second.subscribe(METRICS, { city });
      expect((await metrics.next()).queueMetrics).toEqual({ waiting: 1, offered: 0, city: { code: city }, voucherType: 'TARGETED' });
      const [made] = await offer(city, 1);
      expect(made!.applicationId).toBe(applicationId);
      expect((await offersOnSecond.next()).offerReceived).toEqual({ id: made!.id, status: 'PENDING', application: { id: applicationId } });
      await Promise.all([offersOnSecond.close(), metrics.close()]);
    } finally {
      await second.close();
    }
  });
});

describe.concurrent('public queue changes for dashboards', () => {
  const CHANGES = `subscription($city: String!) { queueChanges(city: $city, voucherType: TARGETED) { city { code } voucherType kind count labels at } }`;

  it('streams each change anonymised, lists the latest, and counts seats and budget', async ({ expect }) => {
    const city = cities.changes;
    const school = await seed.provider({ city, kind: 'SCHOOL' }).approved();
    await seed.program(school, { seats: 20 });
    const changes = await api.subscribe(CHANGES, { city });
    // Registered once a metrics snapshot proves this server's hub is reading (as above).
    const metrics = await api.subscribe(METRICS, { city });
    await metrics.next();
    const joined = await queued(city);
    const { application } = await api.data(`query($id: ID!) { application(id: $id) { publicLabel } }`, { id: joined.applicationId }, { token: joined.family.token });

    const change = (await changes.next()).queueChanges;
    expect(change).toEqual({ city: { code: city }, voucherType: 'TARGETED', kind: 'QUEUE_JOINED', count: 1, labels: [application.publicLabel], at: expect.any(String) });
    // Nothing that identifies the child or the application travels: only the public label.
    expect(JSON.stringify(change)).not.toContain(joined.applicationId);

    const { recentQueueChanges } = await api.data(`query($city: String!) { recentQueueChanges(city: $city, voucherType: TARGETED, first: 50) { kind labels } }`, { city });
    expect(recentQueueChanges).toEqual([{ kind: 'QUEUE_JOINED', labels: [application.publicLabel] }]);
    const bad = await api.request(`{ recentQueueChanges(city: "NOWHERE") { kind } }`);
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const { queueStats } = await api.data(`query($city: String!) { queueStats(city: $city, voucherType: TARGETED) { seatsFree budgetAllocated { tiyn currency } budgetUsed { tiyn } } }`, { city });
    const [seats] = await api.sql<{ free: number }>(
      `select coalesce(sum(pg.free_seats), 0)::int as free from program pg join provider pr on pr.id = pg.provider_id join city c on c.id = pr.city_id
        where c.code = ? and pr.status = 'APPROVED' and pg.active and pr.kind in ('SCHOOL', 'STATE_INSTITUTION')`,
      [city],
    );
    expect(seats!.free).toBe(20);
    expect(queueStats).toHaveLength(1);
    expect(queueStats[0]).toMatchObject({ seatsFree: 20, budgetAllocated: { currency: 'KZT' } });
    await Promise.all([changes.close(), metrics.close()]);
  });
});
