// The whole story through the GraphQL API on real PostgreSQL: apply, the open queue, issuing with
// SMS, accepting into a program, switching without a new application, declining and expiry per
// the city's rules; verified links and priority categories in the queue. Every test runs in a city
// of its own (`seed.city()`), so it knows the whole queue, asserts exact positions and counts, and
// the tests run at once.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { WebhookRegistry } from '../../src/identity/registry.js';
import { TestApi } from '../support/api.js';
import { randomParentIin } from '../support/ids.js';
import { Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
});
afterAll(() => api?.close());

const HOUR = 3_600_000;

const APPLICATION = `query($id: ID!) { application(id: $id) { id status position publicLabel submittedAt priorityCategory offer { id status deadline } voucher { id status } } }`;
const QUEUE = `query($city: String!, $after: String) { queue(city: $city, voucherType: UNIVERSAL, first: 100, after: $after) { totalCount edges { node { position label priorityCategory submittedAt status } } pageInfo { hasNextPage endCursor } } }`;
const STATS = `query($city: String!) { queueStats(city: $city, voucherType: UNIVERSAL) { waiting offered active vouchers { reserved } } }`;

async function wholeQueue(city: string): Promise<any[]> {
  const entries: any[] = [];
  let after: string | null = null;
  do {
    const res: any = await api.data(QUEUE, { city, after });
    entries.push(...res.queue.edges.map((e: any) => e.node));
    after = res.queue.pageInfo.hasNextPage ? res.queue.pageInfo.endCursor : null;
  } while (after);
  return entries;
}

/** A city of the test's own with a school and a private studio, and a club at each. */
async function cityWithClubs() {
  const city = await seed.city();
  const school = await seed.provider({ city, kind: 'SCHOOL' }).approved();
  const studio = await seed.provider({ city, kind: 'PRIVATE' }).approved();
  return {
    city,
    studio,
    schoolProgram: (await seed.program(school, { minAge: 6, maxAge: 12, seats: 3 })).id as string,
    studioProgram: (await seed.program(studio, { minAge: 6, maxAge: 12, seats: 3, direction: 'CREATIVE' })).id as string,
  };
}

describe.concurrent('the voucher lifecycle', () => {
  it('runs from application to switching, with SMS, declines and expiry per the rules', async ({ expect }) => {
    const { city, schoolProgram, studioProgram } = await cityWithClubs();
    // A parent applies for two children; another family applies in between. The second child has
    // a priority category, so it goes ahead of both earlier plain applications.
    const family = await seed.parent({ name: 'Гүлнар Ахметова' }).withChild(1, undefined);
    const priorityFamily = await seed.parent().withChild(1, '2017-02-11', 'LARGE_FAMILY');
    const neighbour = await seed.parent().withChild(1, '2015-09-09');
    const first = await seed.apply(family, 0, 'UNIVERSAL', city);
    const third = await seed.apply(neighbour, 0, 'UNIVERSAL', city);
    const priority = await seed.apply(priorityFamily, 0, 'UNIVERSAL', city);
    const read = async (id: string, token: string) => (await api.data(APPLICATION, { id }, { token })).application;

    const [a1, a3, ap] = [await read(first, family.token), await read(third, neighbour.token), await read(priority, priorityFamily.token)];
    expect(a1.submittedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect([ap.position, a1.position, a3.position]).toEqual([1, 2, 3]);

    // The public queue shows them in that order, anonymised, and nobody else.
    const queue = await wholeQueue(city);
    expect(queue.map((e) => e.label)).toEqual([ap.publicLabel, a1.publicLabel, a3.publicLabel]);
    expect(queue.find((e) => e.label === ap.publicLabel)).toEqual({ position: 1, label: ap.publicLabel, priorityCategory: 'LARGE_FAMILY', submittedAt: ap.submittedAt, status: 'QUEUED' });
    const publicText = JSON.stringify(queue);
    for (const iin of [family.children[0]!.iin, priorityFamily.children[0]!.iin, family.iin]) expect(publicText).not.toContain(iin);
    expect(publicText).not.toContain('Бала');

    // The operator issues two vouchers: they go to the head of the queue, in order.
    const statsBefore = (await api.data(STATS, { city })).queueStats[0];
    expect(statsBefore).toEqual({ waiting: 3, offered: 0, active: 0, vouchers: { reserved: 0 } });
    await seed.quotaRoom(city, 'UNIVERSAL', 2);
    const offers = await seed.issue(city, 'UNIVERSAL', 2);
    expect(offers.map((o) => o.applicationId)).toEqual([priority, first]);
    const statsAfter = (await api.data(STATS, { city })).queueStats[0];
    expect(statsAfter).toEqual({ waiting: 1, offered: 2, active: 0, vouchers: { reserved: 2 } });
    expect((await read(third, neighbour.token)).position).toBe(1);

    // The SMS is in the outbox, in Kazakh (the parent's language), and the dispatcher sends it once.
    const [priorityOffer, firstOffer] = offers as [(typeof offers)[0], (typeof offers)[0]];
    // The dispatcher sends every due SMS in the shared database: count only this test's offers'.
    const sentHere = () => api.sentSms.map((m) => m.idempotencyKey).filter((key) => offers.some((o) => key.startsWith(`offer:${o.id}:`))).sort();
    const [outbox] = await api.sql(`select kind, language, body, status from notification where idempotency_key = ?`, [`offer:${priorityOffer.id}:made`]);
    expect(outbox).toMatchObject({ kind: 'OFFER_MADE', language: 'KK', status: 'PENDING' });
    expect(outbox!.body).toContain('Бала 1');
    await api.dispatchSms();
    await api.dispatchSms();
    expect(sentHere()).toEqual([`offer:${firstOffer.id}:made`, `offer:${priorityOffer.id}:made`].sort());
    expect((await api.sql(`select status from notification where idempotency_key = ?`, [`offer:${priorityOffer.id}:made`]))[0]!.status).toBe('SENT');

    // The parent accepts the offer into the private studio (a UNIVERSAL voucher may go anywhere approved).
    const { acceptOffer } = await api.data(
      `mutation($input: AcceptOfferInput!) { acceptOffer(input: $input) { enrollment { id status program { id } voucher { id status type } } } }`,
      { input: { offerId: priorityOffer.id, programId: studioProgram, acceptTerms: true, personalDataConsent: true } },
      { token: priorityFamily.token },
    );
    expect(acceptOffer.enrollment).toMatchObject({ status: 'ACTIVE', program: { id: studioProgram }, voucher: { status: 'ACTIVE', type: 'UNIVERSAL' } });
    // The enrolled SMS is queued in the outbox, not sent by the request: only the dispatcher sends it.
    expect(sentHere()).toEqual([`offer:${firstOffer.id}:made`, `offer:${priorityOffer.id}:made`].sort());
    expect((await api.sql(`select status from notification where idempotency_key = ?`, [`offer:${priorityOffer.id}:enrolled`]))[0]!.status).toBe('PENDING');
    await api.dispatchSms();
    expect(sentHere()).toEqual([`offer:${firstOffer.id}:made`, `offer:${priorityOffer.id}:enrolled`, `offer:${priorityOffer.id}:made`].sort());

    // … and switches to the school's club: same voucher, no new application, history kept.
    const applicationsBefore = (await api.data(`{ myApplications { id } }`, {}, { token: priorityFamily.token })).myApplications.length;
    expect(applicationsBefore).toBe(1);
    const { switchProgram } = await api.data(
      `mutation($input: SwitchProgramInput!) { switchProgram(input: $input) { enrollment { id status program { id } previous { id status } voucher { id enrollments { status program { id } } } } } }`,
      { input: { enrollmentId: acceptOffer.enrollment.id, programId: schoolProgram, acceptTerms: true, personalDataConsent: true } },
      { token: priorityFamily.token },
    );
    expect(switchProgram.enrollment).toMatchObject({
      status: 'ACTIVE',
      program: { id: schoolProgram },
      previous: { id: acceptOffer.enrollment.id, status: 'TRANSFERRED' },
      voucher: { id: acceptOffer.enrollment.voucher.id, enrollments: [{ status: 'TRANSFERRED', program: { id: studioProgram } }, { status: 'ACTIVE', program: { id: schoolProgram } }] },
    });
    expect((await api.data(`{ myApplications { id } }`, {}, { token: priorityFamily.token })).myApplications).toHaveLength(applicationsBefore);
    const seats = await api.sql(`select id, seats_taken from program where id in (?, ?) order by id`, [schoolProgram, studioProgram]);
    expect(Object.fromEntries(seats.map((r) => [r.id, r.seats_taken]))).toEqual({ [schoolProgram]: 1, [studioProgram]: 0 });
    const { myChildren } = await api.data(`{ myChildren { voucher { id status enrollment { program { id } } } } }`, {}, { token: priorityFamily.token });
    expect(myChildren[0].voucher).toEqual({ id: acceptOffer.enrollment.voucher.id, status: 'ACTIVE', enrollment: { program: { id: schoolProgram } } });

    // Declining follows the default rule: the place is cancelled and the voucher returns to the quota.
    const quotaUsed = async () => (await api.sql(`select q.used from quota q join city c on c.id = q.city_id where c.code = ? and q.voucher_type = 'UNIVERSAL'`, [city]))[0]!.used;
    const usedBeforeDecline = await quotaUsed();
    expect(usedBeforeDecline).toBe(2);
    const { declineOffer } = await api.data(`mutation($id: ID!) { declineOffer(input: { offerId: $id }) { offer { status voucher { status } application { status } } } }`, { id: firstOffer.id }, { token: family.token });
    expect(declineOffer.offer).toEqual({ status: 'DECLINED', voucher: { status: 'RELEASED' }, application: { status: 'CANCELLED' } });
    expect(await quotaUsed()).toBe(usedBeforeDecline - 1);

    // The family restores the cancelled application: back in its old place (same submission time),
    // ahead of the neighbour who applied after it.
    const { restoreApplication } = await api.data(`mutation($id: ID!) { restoreApplication(input: { applicationId: $id }) { application { status submittedAt restoreCount } } }`, { id: first }, { token: family.token });
    expect(restoreApplication.application).toEqual({ status: 'QUEUED', submittedAt: a1.submittedAt, restoreCount: 1 });
    const again = await api.request(`mutation($id: ID!) { restoreApplication(input: { applicationId: $id }) { application { status } } }`, { id: first }, { token: family.token });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect([(await read(first, family.token)).position, (await read(third, neighbour.token)).position]).toEqual([1, 2]);

    // The city switches expiry to "back in the same place"; an offer that lapses does exactly that.
    const operator = await seed.operator(city);
    const { updateCityRules } = await api.data(`mutation($city: String!) { updateCityRules(input: { city: $city, onExpiry: REQUEUE }) { rules { version onExpiry onDecline } } }`, { city }, { token: operator });
    expect(updateCityRules.rules).toEqual({ version: 2, onExpiry: 'REQUEUE', onDecline: 'CANCEL' });
    const next = await seed.issue(city, 'UNIVERSAL', 1);
    expect(next.map((o) => o.applicationId)).toEqual([first]);
    const lapsing = next[0]!;
    const deadline = new Date((await api.data(`query($id: ID!) { offer(id: $id) { deadline rulesVersion } }`, { id: lapsing.id }, { token: family.token })).offer.deadline);
    expect(deadline.getTime()).toBeGreaterThan(Date.now() + 119 * HOUR);

    // The city's only pending offer is this one: one reminder, then one expiry.
    const reminders = await api.runJobs(city, new Date(deadline.getTime() - 2 * HOUR));
    expect(reminders.reminded).toBe(1);
    expect((await api.sql(`select kind from notification where idempotency_key = ?`, [`offer:${lapsing.id}:expiring`]))[0]!.kind).toBe('OFFER_EXPIRING');

    const jobs = await api.runJobs(city, new Date(deadline.getTime() + 1000));
    expect(jobs.expired).toBe(1);
    const lapsed = await read(first, family.token);
    expect(lapsed).toMatchObject({ status: 'QUEUED', position: 1, submittedAt: a1.submittedAt, offer: { id: lapsing.id, status: 'EXPIRED' }, voucher: { status: 'RELEASED' } });
    expect((await api.sql(`select kind from notification where idempotency_key = ?`, [`offer:${lapsing.id}:expired`]))[0]!.kind).toBe('OFFER_EXPIRED');
    // A lapsed offer was made under the rules in force when it was made (version 1 said CANCEL for
    // the first offer; this one was made under the new version, which says REQUEUE).
    const history = await api.data(`query($city: String!) { cityRulesHistory(city: $city) { version onExpiry } }`, { city });
    expect(history.cityRulesHistory).toEqual([{ version: 2, onExpiry: 'REQUEUE' }, { version: 1, onExpiry: 'CANCEL' }]);

    // Everything above is in the audit log, readable by the city's operator.
    const audit = await api.data(`query($id: ID!) { auditLog(filter: { entityId: $id }, first: 50) { edges { node { action actorRole rulesVersion } } } }`, { id: first }, { token: operator });
    expect(audit.auditLog.edges.map((e: any) => e.node.action)).toEqual(['APPLIED', 'OFFERED', 'RESTORED', 'OFFERED']);
    const offerAudit = await api.data(`query($id: ID!) { auditLog(filter: { entityId: $id }) { edges { node { action actorRole } } } }`, { id: lapsing.id }, { token: operator });
    expect(offerAudit.auditLog.edges.map((e: any) => e.node)).toEqual([{ action: 'EXPIRED', actorRole: 'SYSTEM' }]);
  });

  it('offers targeted vouchers automatically whenever the quota allows (the default rule), but not universal ones', async ({ expect }) => {
    const city = await seed.city();
    const family = await seed.parent().withChild(2, undefined);
    const targeted = await seed.apply(family, 0, 'TARGETED', city);
    const universal = await seed.apply(family, 1, 'UNIVERSAL', city);
    const position = async (id: string) => (await api.data(APPLICATION, { id }, { token: family.token })).application.position;
    expect([await position(targeted), await position(universal)]).toEqual([1, 1]);
    await seed.quotaRoom(city, 'TARGETED', 1);
    await seed.quotaRoom(city, 'UNIVERSAL', 1);

    const result = await api.runJobs(city);
    expect(result.autoIssued).toBe(1);
    const after = await api.data(APPLICATION, { id: targeted }, { token: family.token });
    expect(after.application).toMatchObject({ status: 'OFFERED', offer: { status: 'PENDING' }, voucher: { status: 'RESERVED' } });
    expect((await api.data(APPLICATION, { id: universal }, { token: family.token })).application).toMatchObject({ status: 'QUEUED', position: 1 });
    const audit = await api.data(`query($id: ID!) { auditLog(filter: { entityId: $id, action: "OFFERED" }) { edges { node { actorRole actorId } } } }`, { id: targeted }, { token: await seed.operator(city) });
    expect(audit.auditLog.edges.map((e: any) => e.node)).toEqual([{ actorRole: 'SYSTEM', actorId: 'scheduler' }]);
  });

  it('keeps the audit log append-only, whoever connects', async ({ expect }) => {
    // Rows of this test's own (an application's APPLIED entry, the city's rules), so the statements
    // meet a row whatever ran before, and would touch nobody else's if the guard were missing.
    const city = await seed.city();
    const { applicationId } = await seed.queued(city, 'UNIVERSAL');
    const [entry] = await api.sql(`select id, action from audit_event where entity_id = ?`, [applicationId]);
    expect(entry!.action).toBe('APPLIED');
    await expect(api.sql(`update audit_event set action = 'FORGED' where id = ?`, [entry!.id])).rejects.toThrow(/append-only/);
    await expect(api.sql(`delete from audit_event where id = ?`, [entry!.id])).rejects.toThrow(/append-only/);
    await expect(api.sql(`delete from city_rules where city_id = (select id from city where code = ?)`, [city])).rejects.toThrow(/append-only/);
    expect(await api.sql(`select action from audit_event where entity_id = ?`, [applicationId])).toEqual([{ action: 'APPLIED' }]);
  });

  it('lets an operator suspend, reinstate and revoke a voucher, freeing the seat on revocation', async ({ expect }) => {
    const { city, studio } = await cityWithClubs();
    const { family, offerId } = await seed.offered(city, 'UNIVERSAL', { category: 'ORPHAN', birthDate: '2016-01-01' });
    const program = (await seed.program(studio, { minAge: 6, maxAge: 12, seats: 2 })).id;
    const { acceptOffer } = await api.data(`mutation($o: ID!, $p: ID!) { acceptOffer(input: { offerId: $o, programId: $p, acceptTerms: true, personalDataConsent: true }) { enrollment { voucher { id } } } }`, { o: offerId, p: program }, { token: family.token });
    const voucherId = acceptOffer.enrollment.voucher.id;
    const operator = await seed.operator(city);
    const change = (name: string, reason: string) =>
      api.request(`mutation($id: ID!, $r: String!) { ${name}(input: { voucherId: $id, reason: $r }) { voucher { status statusReason enrollment { id } } } }`, { id: voucherId, r: reason }, { token: operator });

    expect((await change('suspendVoucher', 'Documents under review')).body.data!.suspendVoucher.voucher).toMatchObject({ status: 'SUSPENDED', statusReason: 'Documents under review' });
    expect((await change('reinstateVoucher', 'Documents confirmed')).body.data!.reinstateVoucher.voucher.status).toBe('ACTIVE');
    expect((await change('revokeVoucher', 'Fraudulent attendance')).body.data!.revokeVoucher.voucher).toEqual({ status: 'REVOKED', statusReason: 'Fraudulent attendance', enrollment: null });
    expect((await api.sql(`select seats_taken from program where id = ?`, [program]))[0]!.seats_taken).toBe(0);
    expect((await change('reinstateVoucher', 'Oops')).body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const other = await api.request(`mutation($id: ID!) { suspendVoucher(input: { voucherId: $id, reason: "x-city" }) { voucher { id } } }`, { id: voucherId }, { token: await seed.operator('ASTANA') });
    expect(other.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

// Issue 10 §3: claims in the queue. Each test queues in a city of its own, so it knows who is ahead.
describe.concurrent('claims in the queue', () => {
  const POSITION = `subscription($id: ID!) { queuePositionChanged(applicationId: $id) { position status reason } }`;
  const DECIDE = (field: string) => `mutation($input: DecideClaimInput!) { ${field}(input: $input) { case { id } } }`;
  const read = async (id: string, token: string) => (await api.data(APPLICATION, { id }, { token })).application;
  const decide = async (city: string, field: 'decideChildLink' | 'decidePriorityCategory', childIin: string, decision: 'VERIFY' | 'REJECT', evidenceReference: string) => {
    const operator = await seed.operator(city);
    const caseId = await seed.caseOf(childIin, operator);
    await api.data(DECIDE(field), { input: { caseId, decision, evidenceReference } }, { token: operator });
    return caseId;
  };

  it('a self-declared ORPHAN waits at the ordinary rank; verified, it moves ahead with its original submission time and a reason the parent sees', async ({ expect }) => {
    const city = await seed.city();
    const plain = await seed.parent().withChild(1);
    const declared = await seed.parent().withChild(1, undefined, 'ORPHAN', { categoryVerified: false });
    const rejected = await seed.parent().withChild(1, undefined, 'DISABILITY', { categoryVerified: false });
    const a = await seed.apply(plain, 0, 'UNIVERSAL', city);
    const b = await seed.apply(declared, 0, 'UNIVERSAL', city);
    const c = await seed.apply(rejected, 0, 'UNIVERSAL', city);
    const [a0, b0, c0] = [await read(a, plain.token), await read(b, declared.token), await read(c, rejected.token)];
    // Before, the ORPHAN declared last went straight to the head. Now it waits behind the earlier family.
    expect([b0.priorityCategory, c0.priorityCategory]).toEqual(['NONE', 'NONE']);
    expect([a0.position, b0.position, c0.position]).toEqual([1, 2, 3]);
    expect((await wholeQueue(city)).find((e) => e.label === b0.publicLabel)?.priorityCategory).toBe('NONE');

    const mine = await api.subscribe(POSITION, { id: b }, declared.token);
    const theirs = await api.subscribe(POSITION, { id: a }, plain.token);
    try {
      expect((await mine.next()).queuePositionChanged).toEqual({ position: 2, status: 'QUEUED', reason: 'CURRENT' });
      expect((await theirs.next()).queuePositionChanged).toEqual({ position: 1, status: 'QUEUED', reason: 'CURRENT' });

      await decide(city, 'decidePriorityCategory', declared.children[0]!.iin, 'VERIFY', 'Orphan status decision No. 55/2026');
      const moved = (await mine.next()).queuePositionChanged;
      expect(moved).toEqual({ position: 1, status: 'QUEUED', reason: 'PRIORITY_VERIFIED' });
      expect((await theirs.next()).queuePositionChanged).toEqual({ position: 2, status: 'QUEUED', reason: 'PRIORITY_VERIFIED' });
      const b1 = await read(b, declared.token);
      expect(b1).toMatchObject({ position: 1, priorityCategory: 'ORPHAN', submittedAt: b0.submittedAt });
      // The queue counters (queue_block) follow the re-ranking: positions agree with a plain count.
      const [count] = await api.sql<{ n: number }>(
        `select count(*)::int as n from application x join application me on me.id = ?
          where x.city_id = me.city_id and x.voucher_type = me.voucher_type and x.status = 'QUEUED'
            and (x.priority_rank, x.submitted_at, x.submission_seq) <= (me.priority_rank, me.submitted_at, me.submission_seq)`,
        [b],
      );
      expect(count!.n).toBe(b1.position);

      // A rejected category leaves its application where it was: at the ordinary rank.
      await decide(city, 'decidePriorityCategory', rejected.children[0]!.iin, 'REJECT', 'Certificate expired 2025-12-31');
      expect(await read(c, rejected.token)).toMatchObject({ position: 3, priorityCategory: 'NONE', submittedAt: c0.submittedAt });
    } finally {
      await mine.close();
      await theirs.close();
    }
  });

  it('an application whose link is unverified keeps its place but is passed over by issueVouchers, and is offered once verified', async ({ expect }) => {
    const city = await seed.city();
    // This family's registry lookup failed (the gateway is unreachable): its link stays CLAIMED.
    const registryDown = await TestApi.start({ registry: new WebhookRegistry({ url: new URL('http://127.0.0.1:9/check'), timeoutMs: 2000 }) });
    try {
      const unverified = await new Seed(registryDown).parent().withChild(1);
      const waiting = await new Seed(registryDown).apply(unverified, 0, 'UNIVERSAL', city);
      const verified = await seed.parent().withChild(1);
      const behind = await seed.apply(verified, 0, 'UNIVERSAL', city);
      const [u0, v0] = [await read(waiting, unverified.token), await read(behind, verified.token)];
      expect([u0.position, v0.position]).toEqual([1, 2]);

      await seed.quotaRoom(city, 'UNIVERSAL', 2);
      const offers = await seed.issue(city, 'UNIVERSAL', 2);
      expect(offers.map((o) => o.applicationId)).toEqual([behind]);
      // It kept its place: everyone ahead of it was offered, so it is first now.
      expect(await read(waiting, unverified.token)).toMatchObject({ status: 'QUEUED', position: 1, submittedAt: u0.submittedAt });
      // Automatic issuing (TARGETED, by the default rules) passes it over too, with room in the quota.
      const targeted = await new Seed(registryDown).apply(unverified, 0, 'TARGETED', city);
      await seed.quotaRoom(city, 'TARGETED', 50);
      expect((await api.runJobs(city)).autoIssued).toBe(0);
      expect((await read(targeted, unverified.token)).status).toBe('QUEUED');
      // And the database refuses to offer it, whatever the code does.
      await expect(api.sql(`update application set status = 'OFFERED' where id = ?`, [waiting])).rejects.toThrow(/not verified/);

      await decide(city, 'decideChildLink', unverified.children[0]!.iin, 'VERIFY', 'Birth certificate I-ОҚ 778899');
      const offered = await seed.issue(city, 'UNIVERSAL', 1);
      expect(offered.map((o) => o.applicationId)).toEqual([waiting]);
    } finally {
      await registryDown.close();
    }
  });

  it('rejecting a family’s link takes its waiting applications for the child out of the queue', async ({ expect }) => {
    const city = await seed.city();
    const hijacker = await seed.parent().withChild(1);
    const child = hijacker.children[0]!;
    const application = await seed.apply(hijacker, 0, 'UNIVERSAL', city);
    const realParent = await api.token({ role: 'PARENT', sub: randomParentIin(), name: 'Айгүл Сәрсенова', phone: '+77011234567' });
    await api.data(`mutation($input: RegisterChildInput!) { registerChild(input: $input) { child { id } } }`, { input: { iin: child.iin, fullName: 'Әлия', relationship: 'MOTHER' } }, { token: realParent });
    // The real parent's claim (no city given) waits for the operator of the city where the child is
    // queued; she cannot apply meanwhile (the hijacker's place is not hers).
    const apply = () => api.request(`mutation($input: ApplyForVoucherInput!) { applyForVoucher(input: $input) { application { id } } }`, { input: { childId: child.id, voucherType: 'UNIVERSAL', city } }, { token: realParent });
    expect((await apply()).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    await decide(city, 'decideChildLink', child.iin, 'VERIFY', 'Birth certificate I-ОҚ 112233');
    expect(await read(application, hijacker.token)).toMatchObject({ status: 'CANCELLED', position: null });
    const reapplied = (await apply()).body.data?.applyForVoucher.application.id;
    expect(reapplied).toBeDefined();
    // The real family's application is the city's whole queue now.
    expect((await read(reapplied, realParent)).position).toBe(1);
    const { myChildren } = await api.data(`{ myChildren { id applications { id } voucher { id } link { status } } }`, {}, { token: hijacker.token });
    expect(myChildren.find((c: any) => c.id === child.id)).toEqual({ id: child.id, applications: [{ id: application }], voucher: null, link: { status: 'REJECTED' } });
    // Nor does its old application lead to the child's record: the real family's name and application stay hidden.
    const { myApplications } = await api.data(`{ myApplications { id child { fullName applications { id } } } }`, {}, { token: hijacker.token });
    expect(myApplications.find((a: any) => a.id === application).child).toEqual({ fullName: 'Бала 1', applications: [{ id: application }] });
  });
});
