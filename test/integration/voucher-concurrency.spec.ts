// Real parallel requests on the voucher lifecycle: the per-queue lock, the quota's guarded update,
// the seat counter and the partial unique indexes decide, never timing. Every test queues in a city
// of its own (`seed.city()`), so it knows the whole queue and the tests run at once.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { type FamilyHandle, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
});
afterAll(() => api?.close());

const codes = (results: any[]) => results.map((r) => r.body.errors?.[0]?.extensions?.code ?? 'OK');
const ISSUE = `mutation($city: String!, $n: Int!, $t: VoucherType!) { issueVouchers(input: { city: $city, voucherType: $t, count: $n }) { offers { id application { id } } } }`;
const ACCEPT = `mutation($o: ID!, $p: ID!) { acceptOffer(input: { offerId: $o, programId: $p, acceptTerms: true, personalDataConsent: true }) { enrollment { id } } }`;

/** `n` families with one child each, applied in order (so the queue order is known). */
async function queueUp(city: string, n: number, type: 'TARGETED' | 'UNIVERSAL'): Promise<{ family: FamilyHandle; applicationId: string }[]> {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await seed.queued(city, type));
  return out;
}

/** A city of the test's own with a school running a club of `seats` seats; returns both. */
async function cityWithClub(seats: number) {
  const city = await seed.city();
  const school = await seed.provider({ city, kind: 'SCHOOL' }).approved();
  return { city, program: (await seed.program(school, { minAge: 6, maxAge: 12, seats })).id as string };
}

describe.concurrent('in parallel', () => {
  it('four operators issuing at once, with parents withdrawing meanwhile: never past the quota, never skipping the head', async ({ expect }) => {
    const city = await seed.city();
    const queued = await queueUp(city, 24, 'TARGETED');
    await seed.quotaRoom(city, 'TARGETED', 10);
    const operators = await Promise.all([1, 2, 3, 4].map(() => seed.operator(city)));
    const withdrawing = [2, 5, 9, 13, 17].map((i) => queued[i]!);
    const results = await Promise.all([
      ...operators.map((token) => api.request(ISSUE, { city, n: 5, t: 'TARGETED' }, { token })),
      ...withdrawing.map(({ family, applicationId }) =>
        api.request(`mutation($id: ID!) { withdrawApplication(input: { applicationId: $id }) { application { status } } }`, { id: applicationId }, { token: family.token }),
      ),
    ]);
    const issued = results.slice(0, 4).flatMap((r) => {
      expect(['OK', 'QUOTA_EXHAUSTED']).toContain(codes([r])[0]);
      return r.body.data?.issueVouchers.offers ?? [];
    });
    expect(issued).toHaveLength(10);

    const [quota] = await api.sql(`select q.used, q.count from quota q join city c on c.id = q.city_id where c.code = ? and q.voucher_type = 'TARGETED'`, [city]);
    expect(quota).toEqual({ used: 10, count: 10 });
    // The offers went to this city's queue alone: to ten of these 24 applications.
    expect(issued.map((o: any) => o.application.id).every((id: string) => queued.some((q) => q.applicationId === id))).toBe(true);

    // Whatever interleaving happened: every offered application comes before every one still waiting.
    const rows = await api.sql(`select id, status from application where id in (?) order by priority_rank, submitted_at, submission_seq`, [queued.map((q) => q.applicationId)]);
    const statuses = rows.map((r) => r.status);
    const lastOffered = statuses.lastIndexOf('OFFERED');
    const firstQueued = statuses.indexOf('QUEUED');
    expect(firstQueued).toBeGreaterThan(lastOffered);
    expect(statuses.filter((s) => s === 'OFFERED')).toHaveLength(10);
    expect(statuses.filter((s) => s === 'WITHDRAWN').length + statuses.filter((s) => s === 'OFFERED').length + statuses.filter((s) => s === 'QUEUED').length).toBe(24);
  });

  it('six families accepting the last seat at once: one gets it', async ({ expect }) => {
    const { city, program: lastSeat } = await cityWithClub(1);
    const queued = await queueUp(city, 6, 'UNIVERSAL');
    await seed.quotaRoom(city, 'UNIVERSAL', 6);
    const offers = await seed.issue(city, 'UNIVERSAL', 6);
    expect(offers.map((o) => o.applicationId)).toEqual(queued.map((q) => q.applicationId));
    const byApplication = new Map(offers.map((o) => [o.applicationId, o.id]));
    const results = await Promise.all(queued.map(({ family, applicationId }) => api.request(ACCEPT, { o: byApplication.get(applicationId), p: lastSeat }, { token: family.token })));
    expect(codes(results).sort()).toEqual(['CAPACITY_FULL', 'CAPACITY_FULL', 'CAPACITY_FULL', 'CAPACITY_FULL', 'CAPACITY_FULL', 'OK']);
    expect((await api.sql(`select seats_taken from program where id = ?`, [lastSeat]))[0]!.seats_taken).toBe(1);
    expect((await api.sql(`select count(*)::int as n from enrollment where program_id = ?`, [lastSeat]))[0]!.n).toBe(1);
    // The five who lost keep their offers and may choose another program.
    expect((await api.sql(`select count(*)::int as n from offer where id in (?) and status = 'PENDING'`, [offers.map((o) => o.id)]))[0]!.n).toBe(5);
  });

  it('one offer accepted ten times at once: one enrollment', async ({ expect }) => {
    const { city, program } = await cityWithClub(30);
    const { family, applicationId, offerId } = await seed.offered(city, 'UNIVERSAL');
    const offer = { id: offerId };
    const results = await Promise.all(Array.from({ length: 10 }, () => api.request(ACCEPT, { o: offer.id, p: program }, { token: family.token })));
    expect(codes(results).sort()).toEqual([...Array(9).fill('CONFLICT'), 'OK']);
    expect((await api.sql(`select count(*)::int as n from enrollment e join voucher v on v.id = e.voucher_id where v.application_id = ?`, [applicationId]))[0]!.n).toBe(1);
    expect((await api.sql(`select seats_taken from program where id = ?`, [program]))[0]!.seats_taken).toBe(1);
  });

  it('a child offered both voucher types accepting both at once: one voucher, one enrollment', async ({ expect }) => {
    const { city, program } = await cityWithClub(30);
    const family = await seed.parent().withChild(1, undefined, 'ORPHAN');
    const targeted = await seed.apply(family, 0, 'TARGETED', city);
    const universal = await seed.apply(family, 0, 'UNIVERSAL', city);
    const offers = [(await seed.offerTo(city, 'TARGETED', targeted)).id, (await seed.offerTo(city, 'UNIVERSAL', universal)).id];
    const results = await Promise.all(offers.map((o) => api.request(ACCEPT, { o, p: program }, { token: family.token })));
    expect(codes(results).sort()).toEqual(['CONFLICT', 'OK']);
    const child = family.children[0]!.id;
    expect((await api.sql(`select count(*)::int as n from voucher where child_id = ? and status in ('ACTIVE', 'SUSPENDED')`, [child]))[0]!.n).toBe(1);
    expect((await api.sql(`select count(*)::int as n from enrollment e join voucher v on v.id = e.voucher_id where v.child_id = ? and e.status = 'ACTIVE'`, [child]))[0]!.n).toBe(1);
    // The other application left the queue and its voucher went back to the quota.
    const statuses = await api.sql(`select status from application where child_id = ? order by status`, [child]);
    expect(statuses.map((r) => r.status)).toEqual(['ACCEPTED', 'CANCELLED']);
    expect((await api.sql(`select count(*)::int as n from voucher where child_id = ? and status = 'RELEASED'`, [child]))[0]!.n).toBe(1);
  });

  it('the scheduler expiring offers while parents accept them: each offer ends exactly one way', async ({ expect }) => {
    const { city, program } = await cityWithClub(30);
    const queued = await queueUp(city, 8, 'UNIVERSAL');
    await seed.quotaRoom(city, 'UNIVERSAL', 8);
    const offers = await seed.issue(city, 'UNIVERSAL', 8);
    expect(offers.map((o) => o.applicationId)).toEqual(queued.map((q) => q.applicationId));
    const { offer } = await api.data(`query($id: ID!) { offer(id: $id) { deadline } }`, { id: offers[0]!.id }, { token: queued[0]!.family.token });
    const results = await Promise.all([
      api.runJobs(city, new Date(new Date(offer.deadline).getTime() + 1000)),
      ...queued.map(({ family, applicationId }) => api.request(ACCEPT, { o: offers.find((o) => o.applicationId === applicationId)!.id, p: program }, { token: family.token })),
    ]);
    const accepted = codes(results.slice(1)).filter((c) => c === 'OK').length;
    const rows = await api.sql(`select status, count(*)::int as n from offer where id in (?) group by status`, [offers.map((o) => o.id)]);
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    expect((byStatus.ACCEPTED ?? 0) + (byStatus.EXPIRED ?? 0)).toBe(8);
    expect(byStatus.ACCEPTED ?? 0).toBe(accepted);
    // The job expired exactly the rest: the city has no other offers.
    expect((results[0] as Awaited<ReturnType<typeof api.runJobs>>).expired).toBe(8 - accepted);
    expect((await api.sql(`select seats_taken from program where id = ?`, [program]))[0]!.seats_taken).toBe(accepted);
  });

  it('two instances running the scheduler at once: every due offer expires exactly once', async ({ expect }) => {
    const city = await seed.city();
    const queued = await queueUp(city, 5, 'UNIVERSAL');
    await seed.quotaRoom(city, 'UNIVERSAL', 5);
    const offers = await seed.issue(city, 'UNIVERSAL', 5);
    const { offer } = await api.data(`query($id: ID!) { offer(id: $id) { deadline } }`, { id: offers[0]!.id }, { token: queued[0]!.family.token });
    const later = new Date(new Date(offer.deadline).getTime() + 1000);
    const [a, b] = await Promise.all([api.runJobs(city, later), api.runJobs(city, later)]);
    expect(a.expired + b.expired).toBe(5);
    const events = await api.sql(`select entity_id, count(*)::int as n from audit_event where action = 'EXPIRED' and entity_id in (?) group by entity_id`, [offers.map((o) => o.id)]);
    expect(events.map((e) => e.n)).toEqual([1, 1, 1, 1, 1]);
    const sms = await api.sql(`select count(*)::int as n from notification where idempotency_key in (?)`, [offers.map((o) => `offer:${o.id}:expired`)]);
    expect(sms[0]!.n).toBe(5);
  });

  it('one offer the expiry job cannot expire is reported by name, and every other due offer still expires', async ({ expect }) => {
    const city = await seed.city();
    const queued = await queueUp(city, 4, 'UNIVERSAL');
    await seed.quotaRoom(city, 'UNIVERSAL', 4);
    const mine = await seed.issue(city, 'UNIVERSAL', 4);
    expect(mine.map((o) => o.applicationId)).toEqual(queued.map((q) => q.applicationId));
    // A pending offer whose voucher is ACTIVE: what reinstateVoucher made of a RESERVED voucher
    // before it was refused (issue 11, finding 1). No request can make it any more, so it is
    // written here as a deliberately corrupt row, the kind of one bad row a job must survive.
    const poisoned = mine[1]!;
    await api.sql(`update voucher set status = 'ACTIVE' where id = (select voucher_id from offer where id = ?)`, [poisoned.id]);
    const { offer } = await api.data(`query($id: ID!) { offer(id: $id) { deadline } }`, { id: mine[3]!.id }, { token: queued[3]!.family.token });
    const later = new Date(new Date(offer.deadline).getTime() + 1000);
    const statuses = async () => Object.fromEntries((await api.sql(`select id, status from offer where id in (?)`, [mine.map((o) => o.id)])).map((r) => [r.id, r.status]));

    const first = await api.runJobs(city, later);
    expect(first.failures).toEqual([{ job: 'expire-offers', item: `Offer ${poisoned.id}`, error: 'Voucher cannot move from ACTIVE to RELEASED.' }]);
    expect(await statuses()).toEqual(Object.fromEntries(mine.map((o) => [o.id, o === poisoned ? 'PENDING' : 'EXPIRED'])));
    // It is tried again on every tick, and named again, while nothing else is held up.
    expect((await api.runJobs(city, later)).failures).toEqual(first.failures);

    // Once the row is repaired, the next tick expires it like any other.
    await api.sql(`update voucher set status = 'RESERVED' where id = (select voucher_id from offer where id = ?)`, [poisoned.id]);
    const repaired = await api.runJobs(city, later);
    expect(repaired.failures).toEqual([]);
    expect((await statuses())[poisoned.id]).toBe('EXPIRED');
  });

  it('a queue automatic issuing cannot serve is reported, and the other jobs of the pass still run', async ({ expect }) => {
    const city = await seed.city();
    // An offer that will be due, made first so that it is due before the one below.
    const queued = await queueUp(city, 1, 'UNIVERSAL');
    const due = await seed.offerTo(city, 'UNIVERSAL', queued[0]!.applicationId);
    // A priority child heads the city's TARGETED queue, and is offered.
    const { family, applicationId, offerId } = await seed.offered(city, 'TARGETED', { category: 'ORPHAN', birthDate: '2016-07-07' });
    const offer = { id: offerId };
    // Corrupt on purpose (no request can do this): the application is QUEUED again while its
    // offer is still pending, so offering it again breaks the one-pending-offer index.
    await api.sql(`update application set status = 'QUEUED' where id = ?`, [applicationId]);
    await seed.quotaRoom(city, 'TARGETED', 1);
    const deadline = async (id: string, token: string) => new Date((await api.data(`query($id: ID!) { offer(id: $id) { deadline } }`, { id }, { token })).offer.deadline).getTime();
    const now = new Date((await deadline(due.id, queued[0]!.family.token)) + 1);
    expect(await deadline(offer.id, family.token)).toBeGreaterThan(now.getTime());

    const result = await api.runJobs(city, now);
    expect(result.failures).toEqual([{ job: 'auto-issue', item: `Queue ${city} TARGETED`, error: expect.stringContaining('offer_one_pending_per_application') }]);
    expect(result.expired).toBe(1);
    expect(result.autoIssued).toBe(0);
    // Expiry ran in the same pass, and the failed queue's transaction wrote nothing.
    expect((await api.sql(`select status from offer where id = ?`, [due.id]))[0]!.status).toBe('EXPIRED');
    expect((await api.sql(`select count(*)::int as n from offer where application_id = ?`, [applicationId]))[0]!.n).toBe(1);

    // Repaired (and the room taken back, so no other waiting child is offered here), it is served again.
    await api.sql(`update application set status = 'OFFERED' where id = ?`, [applicationId]);
    await seed.quotaRoom(city, 'TARGETED', 0);
    expect((await api.runJobs(city, now)).failures).toEqual([]);
  });
});
