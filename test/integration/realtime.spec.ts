// Live updates over graphql-ws on real PostgreSQL, fed by events that commit with their changes.
// Applications in this file use the ASTANA TARGETED queue only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { type FamilyHandle, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
});
afterAll(() => api?.close());

const CITY = 'ASTANA';
const POSITION = `subscription($id: ID!) { queuePositionChanged(applicationId: $id) { applicationId position status reason } }`;
const OFFERS = `subscription { offerReceived { id status application { id } } }`;
const METRICS = `subscription { queueMetrics(city: "ASTANA", voucherType: TARGETED) { waiting offered city { code } voucherType } }`;

async function queued(category = 'NONE'): Promise<{ family: FamilyHandle; applicationId: string }> {
  const family = await seed.parent().withChild(1, undefined, category);
  return { family, applicationId: await seed.apply(family, 0, 'TARGETED', CITY) };
}

describe('live queue positions', () => {
  it('moves when someone ahead is offered or withdraws, and stays silent when someone joins behind', async () => {
    const ahead = await queued('ORPHAN');
    const me = await queued();
    const sub = await api.subscribe(POSITION, { id: me.applicationId }, me.family.token);
    const start = (await sub.next()).queuePositionChanged;
    expect(start).toMatchObject({ applicationId: me.applicationId, status: 'QUEUED', reason: 'CURRENT' });

    // Someone joins behind: nothing ahead changed, so no message (the next one is the withdrawal).
    await queued();
    await api.data(`mutation($id: ID!) { withdrawApplication(input: { applicationId: $id }) { application { status } } }`, { id: ahead.applicationId }, { token: ahead.family.token });
    expect((await sub.next()).queuePositionChanged).toEqual({ applicationId: me.applicationId, position: start.position - 1, status: 'QUEUED', reason: 'SOMEONE_AHEAD_LEFT' });

    // The head is offered.
    const ahead2 = start.position - 1 - 1; // applications still ahead of me
    if (ahead2 > 0) {
      await seed.quotaRoom(CITY, 'TARGETED', 1);
      await seed.issue(CITY, 'TARGETED', 1);
      expect((await sub.next()).queuePositionChanged).toMatchObject({ position: start.position - 2, reason: 'SOMEONE_AHEAD_OFFERED' });
    }
    // My own turn: the status changes.
    const { application } = await api.data(`query($id: ID!) { application(id: $id) { position } }`, { id: me.applicationId }, { token: me.family.token });
    await seed.quotaRoom(CITY, 'TARGETED', application.position);
    await seed.issue(CITY, 'TARGETED', application.position);
    let update = (await sub.next()).queuePositionChanged;
    while (update.status === 'QUEUED') update = (await sub.next()).queuePositionChanged;
    expect(update).toEqual({ applicationId: me.applicationId, position: null, status: 'OFFERED', reason: 'STATUS_CHANGED' });
    await sub.close();
  });

  it('refuses another family’s application, and anonymous callers', async () => {
    const theirs = await queued();
    const mine = await seed.parent().withChild();
    const sub = await api.subscribe(POSITION, { id: theirs.applicationId }, mine.token);
    await expect(sub.next()).rejects.toThrow(/NOT_FOUND/);
    await sub.close();
    const anonymous = await api.subscribe(POSITION, { id: theirs.applicationId });
    await expect(anonymous.next()).rejects.toThrow(/UNAUTHENTICATED/);
    await anonymous.close();
  });
});

describe('offers and metrics', () => {
  it('delivers an offer to its family only, and updates the dashboard', async () => {
    const metrics = await api.subscribe(METRICS);
    const first = (await metrics.next()).queueMetrics;
    expect(first).toMatchObject({ city: { code: CITY }, voucherType: 'TARGETED' });

    const mine = await queued('DISABILITY');
    const other = await queued();
    const myOffers = await api.subscribe(OFFERS, {}, mine.family.token);
    const theirOffers = await api.subscribe(OFFERS, {}, other.family.token);
    // Subscriptions are registered once the server has them; a metrics update proves the bus runs.
    // (An update already under way may arrive first; each snapshot is complete, so read on.)
    let afterJoin = (await metrics.next()).queueMetrics;
    while (afterJoin.waiting < first.waiting + 2) afterJoin = (await metrics.next()).queueMetrics;
    expect(afterJoin.waiting).toBe(first.waiting + 2);

    const { application } = await api.data(`query($id: ID!) { application(id: $id) { position } }`, { id: mine.applicationId }, { token: mine.family.token });
    await seed.quotaRoom(CITY, 'TARGETED', application.position);
    const offers = await seed.issue(CITY, 'TARGETED', application.position);
    const mineOffer = offers.find((o) => o.applicationId === mine.applicationId)!;
    expect((await myOffers.next()).offerReceived).toEqual({ id: mineOffer.id, status: 'PENDING', application: { id: mine.applicationId } });
    // The other family was not offered anything, so it hears nothing.
    if (!offers.some((o) => o.applicationId === other.applicationId)) await expect(theirOffers.next(500)).rejects.toThrow(/no message/);

    let snapshot = (await metrics.next()).queueMetrics;
    while (snapshot.offered < offers.length) snapshot = (await metrics.next()).queueMetrics;
    expect(snapshot.offered).toBeGreaterThanOrEqual(offers.length);
    await Promise.all([metrics.close(), myOffers.close(), theirOffers.close()]);
  });

  it('reaches a subscriber on another API instance', async () => {
    const second = await TestApi.start();
    try {
      const family = await seed.parent().withChild(1, undefined, 'ORPHAN');
      const offersOnSecond = await second.subscribe(OFFERS, {}, family.token);
      const applicationId = await seed.apply(family, 0, 'TARGETED', CITY);
      // Wait until instance two has registered the subscription: it answers a metrics snapshot first.
      const metrics = await second.subscribe(METRICS);
      await metrics.next();
      const { application } = await api.data(`query($id: ID!) { application(id: $id) { position } }`, { id: applicationId }, { token: family.token });
      await seed.quotaRoom(CITY, 'TARGETED', application.position);
      const offer = (await seed.issue(CITY, 'TARGETED', application.position)).find((o) => o.applicationId === applicationId)!;
      expect((await offersOnSecond.next()).offerReceived.id).toBe(offer.id);
      await Promise.all([offersOnSecond.close(), metrics.close()]);
    } finally {
      await second.close();
    }
  });
});

describe('public queue changes for dashboards', () => {
  const CHANGES = `subscription { queueChanges(city: "ASTANA", voucherType: TARGETED) { city { code } voucherType kind count labels at } }`;

  it('streams each change anonymised, lists the latest, and counts seats and budget', async () => {
    const changes = await api.subscribe(CHANGES);
    // Registered once a metrics snapshot proves this server's hub is reading (as above).
    const metrics = await api.subscribe(METRICS);
    await metrics.next();
    const joined = await queued();
    const { application } = await api.data(`query($id: ID!) { application(id: $id) { publicLabel } }`, { id: joined.applicationId }, { token: joined.family.token });

    let change = (await changes.next()).queueChanges;
    while (!change.labels.includes(application.publicLabel)) change = (await changes.next()).queueChanges;
    expect(change).toMatchObject({ city: { code: CITY }, voucherType: 'TARGETED', kind: 'QUEUE_JOINED', count: 1, labels: [application.publicLabel] });
    // Nothing that identifies the child or the application travels: only the public label.
    expect(JSON.stringify(change)).not.toContain(joined.applicationId);

    const { recentQueueChanges } = await api.data(`{ recentQueueChanges(city: "ASTANA", voucherType: TARGETED, first: 50) { kind labels } }`);
    expect(recentQueueChanges).toContainEqual({ kind: 'QUEUE_JOINED', labels: [application.publicLabel] });
    const bad = await api.request(`{ recentQueueChanges(city: "NOWHERE") { kind } }`);
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const { queueStats } = await api.data(`{ queueStats(city: "ASTANA", voucherType: TARGETED) { seatsFree budgetAllocated { tiyn currency } budgetUsed { tiyn } } }`);
    const [seats] = await api.sql<{ free: number }>(
      `select coalesce(sum(pg.free_seats), 0)::int as free from program pg join provider pr on pr.id = pg.provider_id join city c on c.id = pr.city_id
        where c.code = ? and pr.status = 'APPROVED' and pg.active and pr.kind in ('SCHOOL', 'STATE_INSTITUTION')`,
      [CITY],
    );
    expect(queueStats[0]).toMatchObject({ seatsFree: seats!.free, budgetAllocated: { currency: 'KZT' } });
    await Promise.all([changes.close(), metrics.close()]);
  });
});
