// The whole story through the GraphQL API on real PostgreSQL: apply, the open queue, issuing with
// SMS, accepting into a program, switching without a new application, declining and expiry per
// the city's rules; verified links and priority categories in the queue. Applications in this file
// use SHYMKENT only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookRegistry } from '../../src/identity/registry.js';
import { TestApi } from '../support/api.js';
import { randomParentIin } from '../support/ids.js';
import { type ProviderHandle, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
});
afterAll(() => api?.close());

const CITY = 'SHYMKENT';
const HOUR = 3_600_000;

const APPLICATION = `query($id: ID!) { application(id: $id) { id status position publicLabel submittedAt priorityCategory offer { id status deadline } voucher { id status } } }`;
const QUEUE = `query($after: String) { queue(city: "SHYMKENT", voucherType: UNIVERSAL, first: 100, after: $after) { totalCount edges { node { position label priorityCategory submittedAt status } } pageInfo { hasNextPage endCursor } } }`;

async function wholeQueue(): Promise<any[]> {
  const entries: any[] = [];
  let after: string | null = null;
  do {
    const res: any = await api.data(QUEUE, { after });
    entries.push(...res.queue.edges.map((e: any) => e.node));
    after = res.queue.pageInfo.hasNextPage ? res.queue.pageInfo.endCursor : null;
  } while (after);
  return entries;
}

describe('the voucher lifecycle', () => {
  let school: ProviderHandle;
  let studio: ProviderHandle;
  let schoolProgram: string;
  let studioProgram: string;

  beforeAll(async () => {
    school = await seed.provider({ city: CITY, kind: 'SCHOOL' }).approved();
    studio = await seed.provider({ city: CITY, kind: 'PRIVATE' }).approved();
    schoolProgram = (await seed.program(school, { minAge: 6, maxAge: 12, seats: 3 })).id;
    studioProgram = (await seed.program(studio, { minAge: 6, maxAge: 12, seats: 3, direction: 'CREATIVE' })).id;
  });

  it('runs from application to switching, with SMS, declines and expiry per the rules', async () => {
    // A parent applies for two children; another family applies in between. The second child has
    // a priority category, so it goes ahead of both earlier plain applications.
    const family = await seed.parent({ name: 'Гүлнар Ахметова' }).withChild(1, undefined);
    const priorityFamily = await seed.parent().withChild(1, '2017-02-11', 'LARGE_FAMILY');
    const neighbour = await seed.parent().withChild(1, '2015-09-09');
    const first = await seed.apply(family, 0, 'UNIVERSAL', CITY);
    const third = await seed.apply(neighbour, 0, 'UNIVERSAL', CITY);
    const priority = await seed.apply(priorityFamily, 0, 'UNIVERSAL', CITY);
    const read = async (id: string, token: string) => (await api.data(APPLICATION, { id }, { token })).application;

    const [a1, a3, ap] = [await read(first, family.token), await read(third, neighbour.token), await read(priority, priorityFamily.token)];
    expect(a1.submittedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect(ap.position).toBeLessThan(a1.position);
    expect(a1.position).toBeLessThan(a3.position);

    // The public queue shows them in that order, anonymised.
    const queue = await wholeQueue();
    const labels = queue.map((e) => e.label);
    expect(labels.indexOf(ap.publicLabel)).toBeLessThan(labels.indexOf(a1.publicLabel));
    expect(labels.indexOf(a1.publicLabel)).toBeLessThan(labels.indexOf(a3.publicLabel));
    expect(queue.find((e) => e.label === ap.publicLabel)).toEqual({ position: ap.position, label: ap.publicLabel, priorityCategory: 'LARGE_FAMILY', submittedAt: ap.submittedAt, status: 'QUEUED' });
    const publicText = JSON.stringify(queue);
    for (const iin of [family.children[0]!.iin, priorityFamily.children[0]!.iin, family.iin]) expect(publicText).not.toContain(iin);
    expect(publicText).not.toContain('Бала');

    // The operator issues two vouchers: they go to the head of the queue, in order.
    const statsBefore = (await api.data(`{ queueStats(city: "SHYMKENT", voucherType: UNIVERSAL) { waiting offered active vouchers { reserved } } }`)).queueStats[0];
    const ahead = ap.position - 1;
    await seed.quotaRoom(CITY, 'UNIVERSAL', ahead + 2);
    const offers = await seed.issue(CITY, 'UNIVERSAL', ahead + 2);
    expect(offers.slice(-2).map((o) => o.applicationId)).toEqual([priority, first]);
    const statsAfter = (await api.data(`{ queueStats(city: "SHYMKENT", voucherType: UNIVERSAL) { waiting offered active vouchers { reserved } } }`)).queueStats[0];
    expect(statsAfter.waiting).toBe(statsBefore.waiting - ahead - 2);
    expect(statsAfter.offered).toBe(statsBefore.offered + ahead + 2);
    expect(statsAfter.vouchers.reserved).toBe(statsBefore.vouchers.reserved + ahead + 2);
    expect((await read(third, neighbour.token)).position).toBe(a3.position - ahead - 2);

    // The SMS is in the outbox, in Kazakh (the parent's language), and the dispatcher sends it once.
    const priorityOffer = offers.at(-2)!;
    const firstOffer = offers.at(-1)!;
    const [outbox] = await api.sql(`select kind, language, body, status from notification where idempotency_key = ?`, [`offer:${priorityOffer.id}:made`]);
    expect(outbox).toMatchObject({ kind: 'OFFER_MADE', language: 'KK', status: 'PENDING' });
    expect(outbox!.body).toContain('Бала 1');
    await api.dispatchSms();
    await api.dispatchSms();
    expect(api.sentSms.filter((m) => m.idempotencyKey === `offer:${priorityOffer.id}:made`)).toHaveLength(1);
    expect((await api.sql(`select status from notification where idempotency_key = ?`, [`offer:${priorityOffer.id}:made`]))[0]!.status).toBe('SENT');

    // The parent accepts the offer into the private studio (a UNIVERSAL voucher may go anywhere approved).
    const { acceptOffer } = await api.data(
      `mutation($input: AcceptOfferInput!) { acceptOffer(input: $input) { enrollment { id status program { id } voucher { id status type } } } }`,
      { input: { offerId: priorityOffer.id, programId: studioProgram } },
      { token: priorityFamily.token },
    );
    expect(acceptOffer.enrollment).toMatchObject({ status: 'ACTIVE', program: { id: studioProgram }, voucher: { status: 'ACTIVE', type: 'UNIVERSAL' } });
    expect(api.sentSms).toHaveLength(api.sentSms.length); // (enrolled SMS is queued; dispatched below)
    await api.dispatchSms();
    expect(api.sentSms.some((m) => m.idempotencyKey === `offer:${priorityOffer.id}:enrolled`)).toBe(true);

    // … and switches to the school's club: same voucher, no new application, history kept.
    const applicationsBefore = (await api.data(`{ myApplications { id } }`, {}, { token: priorityFamily.token })).myApplications.length;
    const { switchProgram } = await api.data(
      `mutation($input: SwitchProgramInput!) { switchProgram(input: $input) { enrollment { id status program { id } previous { id status } voucher { id enrollments { status program { id } } } } } }`,
      { input: { enrollmentId: acceptOffer.enrollment.id, programId: schoolProgram } },
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
    const quotaUsed = async () => (await api.sql(`select q.used from quota q join city c on c.id = q.city_id where c.code = ? and q.voucher_type = 'UNIVERSAL'`, [CITY]))[0]!.used;
    const usedBeforeDecline = await quotaUsed();
    const { declineOffer } = await api.data(`mutation($id: ID!) { declineOffer(input: { offerId: $id }) { offer { status voucher { status } application { status } } } }`, { id: firstOffer.id }, { token: family.token });
    expect(declineOffer.offer).toEqual({ status: 'DECLINED', voucher: { status: 'RELEASED' }, application: { status: 'CANCELLED' } });
    expect(await quotaUsed()).toBe(usedBeforeDecline - 1);

    // The family restores the cancelled application: back in its old place (same submission time).
    const { restoreApplication } = await api.data(`mutation($id: ID!) { restoreApplication(input: { applicationId: $id }) { application { status submittedAt restoreCount } } }`, { id: first }, { token: family.token });
    expect(restoreApplication.application).toEqual({ status: 'QUEUED', submittedAt: a1.submittedAt, restoreCount: 1 });
    const again = await api.request(`mutation($id: ID!) { restoreApplication(input: { applicationId: $id }) { application { status } } }`, { id: first }, { token: family.token });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');

    // The city switches expiry to "back in the same place"; an offer that lapses does exactly that.
    const operator = await seed.operator(CITY);
    const { updateCityRules } = await api.data(`mutation { updateCityRules(input: { city: "SHYMKENT", onExpiry: REQUEUE }) { rules { version onExpiry onDecline } } }`, {}, { token: operator });
    expect(updateCityRules.rules).toMatchObject({ onExpiry: 'REQUEUE', onDecline: 'CANCEL' });
    const restoredPosition = (await read(first, family.token)).position;
    await seed.quotaRoom(CITY, 'UNIVERSAL', restoredPosition);
    const next = await seed.issue(CITY, 'UNIVERSAL', restoredPosition);
    const lapsing = next.find((o) => o.applicationId === first)!;
    const deadline = new Date((await api.data(`query($id: ID!) { offer(id: $id) { deadline rulesVersion } }`, { id: lapsing.id }, { token: family.token })).offer.deadline);
    expect(deadline.getTime()).toBeGreaterThan(Date.now() + 119 * HOUR);

    const reminders = await api.runJobs(CITY, new Date(deadline.getTime() - 2 * HOUR));
    expect(reminders.reminded).toBeGreaterThanOrEqual(1);
    expect((await api.sql(`select kind from notification where idempotency_key = ?`, [`offer:${lapsing.id}:expiring`]))[0]!.kind).toBe('OFFER_EXPIRING');

    const jobs = await api.runJobs(CITY, new Date(deadline.getTime() + 1000));
    expect(jobs.expired).toBeGreaterThanOrEqual(1);
    const lapsed = await read(first, family.token);
    expect(lapsed).toMatchObject({ status: 'QUEUED', submittedAt: a1.submittedAt, offer: { id: lapsing.id, status: 'EXPIRED' }, voucher: { status: 'RELEASED' } });
    expect((await api.sql(`select kind from notification where idempotency_key = ?`, [`offer:${lapsing.id}:expired`]))[0]!.kind).toBe('OFFER_EXPIRED');
    // A lapsed offer was made under the rules in force when it was made (version 1 said CANCEL for
    // the first offer; this one was made under the new version, which says REQUEUE).
    const history = await api.data(`{ cityRulesHistory(city: "SHYMKENT") { version onExpiry } }`);
    expect(history.cityRulesHistory[0].onExpiry).toBe('REQUEUE');
    expect(history.cityRulesHistory.at(-1)).toEqual({ version: 1, onExpiry: 'CANCEL' });

    // Everything above is in the audit log, readable by the city's operator.
    const audit = await api.data(`query($id: ID!) { auditLog(filter: { entityId: $id }, first: 50) { edges { node { action actorRole rulesVersion } } } }`, { id: first }, { token: operator });
    expect(audit.auditLog.edges.map((e: any) => e.node.action)).toEqual(['APPLIED', 'OFFERED', 'RESTORED', 'OFFERED']);
    const offerAudit = await api.data(`query($id: ID!) { auditLog(filter: { entityId: $id }) { edges { node { action actorRole } } } }`, { id: lapsing.id }, { token: operator });
    expect(offerAudit.auditLog.edges.map((e: any) => e.node)).toEqual([{ action: 'EXPIRED', actorRole: 'SYSTEM' }]);
  });

  it('offers targeted vouchers automatically whenever the quota allows (the default rule), but not universal ones', async () => {
    const family = await seed.parent().withChild(2, undefined);
    const targeted = await seed.apply(family, 0, 'TARGETED', CITY);
    const universal = await seed.apply(family, 1, 'UNIVERSAL', CITY);
    const position = async (id: string) => (await api.data(APPLICATION, { id }, { token: family.token })).application.position;
    await seed.quotaRoom(CITY, 'TARGETED', await position(targeted));
    await seed.quotaRoom(CITY, 'UNIVERSAL', await position(universal));

    const result = await api.runJobs(CITY);
    expect(result.autoIssued).toBeGreaterThanOrEqual(1);
    const after = await api.data(APPLICATION, { id: targeted }, { token: family.token });
    expect(after.application).toMatchObject({ status: 'OFFERED', offer: { status: 'PENDING' }, voucher: { status: 'RESERVED' } });
    expect((await api.data(APPLICATION, { id: universal }, { token: family.token })).application.status).toBe('QUEUED');
    const audit = await api.data(`query($id: ID!) { auditLog(filter: { entityId: $id, action: "OFFERED" }) { edges { node { actorRole actorId } } } }`, { id: targeted }, { token: await seed.operator(CITY) });
    expect(audit.auditLog.edges.map((e: any) => e.node)).toEqual([{ actorRole: 'SYSTEM', actorId: 'scheduler' }]);
  });

  it('keeps the audit log append-only, whoever connects', async () => {
    await expect(api.sql(`update audit_event set action = 'FORGED'`)).rejects.toThrow(/append-only/);
    await expect(api.sql(`delete from audit_event`)).rejects.toThrow(/append-only/);
    await expect(api.sql(`delete from city_rules`)).rejects.toThrow(/append-only/);
  });

  it('lets an operator suspend, reinstate and revoke a voucher, freeing the seat on revocation', async () => {
    const family = await seed.parent().withChild(1, '2016-01-01', 'ORPHAN');
    const application = await seed.apply(family, 0, 'UNIVERSAL', CITY);
    const position = (await api.data(APPLICATION, { id: application }, { token: family.token })).application.position;
    await seed.quotaRoom(CITY, 'UNIVERSAL', position);
    const offer = (await seed.issue(CITY, 'UNIVERSAL', position)).find((o) => o.applicationId === application)!;
    const program = (await seed.program(studio, { minAge: 6, maxAge: 12, seats: 2 })).id;
    const { acceptOffer } = await api.data(`mutation($o: ID!, $p: ID!) { acceptOffer(input: { offerId: $o, programId: $p }) { enrollment { voucher { id } } } }`, { o: offer.id, p: program }, { token: family.token });
    const voucherId = acceptOffer.enrollment.voucher.id;
    const operator = await seed.operator(CITY);
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

// Issue 10 §3: claims in the queue. Each test here runs after the lifecycle above (tests in a file
// run in order), so SHYMKENT's queues hold only this file's applications, whatever is left ahead.
describe('claims in the queue', () => {
  const POSITION = `subscription($id: ID!) { queuePositionChanged(applicationId: $id) { position status reason } }`;
  const DECIDE = (field: string) => `mutation($input: DecideClaimInput!) { ${field}(input: $input) { case { id } } }`;
  const read = async (id: string, token: string) => (await api.data(APPLICATION, { id }, { token })).application;
  const decide = async (field: 'decideChildLink' | 'decidePriorityCategory', childIin: string, decision: 'VERIFY' | 'REJECT', evidenceReference: string) => {
    const operator = await seed.operator(CITY);
    const caseId = await seed.caseOf(childIin, operator);
    await api.data(DECIDE(field), { input: { caseId, decision, evidenceReference } }, { token: operator });
    return caseId;
  };

  it('a self-declared ORPHAN waits at the ordinary rank; verified, it moves ahead with its original submission time and a reason the parent sees', async () => {
    const plain = await seed.parent().withChild(1);
    const declared = await seed.parent().withChild(1, undefined, 'ORPHAN', { categoryVerified: false });
    const rejected = await seed.parent().withChild(1, undefined, 'DISABILITY', { categoryVerified: false });
    const a = await seed.apply(plain, 0, 'UNIVERSAL', CITY);
    const b = await seed.apply(declared, 0, 'UNIVERSAL', CITY);
    const c = await seed.apply(rejected, 0, 'UNIVERSAL', CITY);
    const [a0, b0, c0] = [await read(a, plain.token), await read(b, declared.token), await read(c, rejected.token)];
    // Before, the ORPHAN declared last went straight to the head. Now it waits behind the earlier family.
    expect([b0.priorityCategory, c0.priorityCategory]).toEqual(['NONE', 'NONE']);
    expect(b0.position).toBe(a0.position + 1);
    expect(c0.position).toBe(a0.position + 2);
    expect((await wholeQueue()).find((e) => e.label === b0.publicLabel)?.priorityCategory).toBe('NONE');

    const mine = await api.subscribe(POSITION, { id: b }, declared.token);
    const theirs = await api.subscribe(POSITION, { id: a }, plain.token);
    expect((await mine.next()).queuePositionChanged).toEqual({ position: b0.position, status: 'QUEUED', reason: 'CURRENT' });
    expect((await theirs.next()).queuePositionChanged).toEqual({ position: a0.position, status: 'QUEUED', reason: 'CURRENT' });

    await decide('decidePriorityCategory', declared.children[0]!.iin, 'VERIFY', 'Orphan status decision No. 55/2026');
    const moved = (await mine.next()).queuePositionChanged;
    expect(moved.reason).toBe('PRIORITY_VERIFIED');
    expect(moved.position).toBeLessThan(a0.position);
    expect((await theirs.next()).queuePositionChanged).toEqual({ position: a0.position + 1, status: 'QUEUED', reason: 'PRIORITY_VERIFIED' });
    const b1 = await read(b, declared.token);
    expect(b1).toMatchObject({ position: moved.position, priorityCategory: 'ORPHAN', submittedAt: b0.submittedAt });
    // The queue counters (queue_block) follow the re-ranking: positions agree with a plain count.
    const [count] = await api.sql<{ n: number }>(
      `select count(*)::int as n from application x join application me on me.id = ?
        where x.city_id = me.city_id and x.voucher_type = me.voucher_type and x.status = 'QUEUED'
          and (x.priority_rank, x.submitted_at, x.submission_seq) <= (me.priority_rank, me.submitted_at, me.submission_seq)`,
      [b],
    );
    expect(count!.n).toBe(b1.position);

    // A rejected category leaves its application where it was: at the ordinary rank.
    const before = (await read(c, rejected.token)).position;
    await decide('decidePriorityCategory', rejected.children[0]!.iin, 'REJECT', 'Certificate expired 2025-12-31');
    expect(await read(c, rejected.token)).toMatchObject({ position: before, priorityCategory: 'NONE', submittedAt: c0.submittedAt });
    await mine.close();
    await theirs.close();
  });

  it('an application whose link is unverified keeps its place but is passed over by issueVouchers, and is offered once verified', async () => {
    // This family's registry lookup failed (the gateway is unreachable): its link stays CLAIMED.
    const registryDown = await TestApi.start({ registry: new WebhookRegistry({ url: new URL('http://127.0.0.1:9/check'), timeoutMs: 2000 }) });
    try {
      const unverified = await new Seed(registryDown).parent().withChild(1);
      const waiting = await new Seed(registryDown).apply(unverified, 0, 'UNIVERSAL', CITY);
      const verified = await seed.parent().withChild(1);
      const behind = await seed.apply(verified, 0, 'UNIVERSAL', CITY);
      const [u0, v0] = [await read(waiting, unverified.token), await read(behind, verified.token)];
      expect(v0.position).toBe(u0.position + 1);

      await seed.quotaRoom(CITY, 'UNIVERSAL', v0.position);
      const offers = await seed.issue(CITY, 'UNIVERSAL', v0.position);
      expect(offers.map((o) => o.applicationId)).toContain(behind);
      expect(offers.map((o) => o.applicationId)).not.toContain(waiting);
      // It kept its place: everyone ahead of it was offered, so it is first now.
      expect(await read(waiting, unverified.token)).toMatchObject({ status: 'QUEUED', position: 1, submittedAt: u0.submittedAt });
      // Automatic issuing (TARGETED, by the default rules) passes it over too, with room in the quota.
      const targeted = await new Seed(registryDown).apply(unverified, 0, 'TARGETED', CITY);
      await seed.quotaRoom(CITY, 'TARGETED', 50);
      await api.runJobs(CITY);
      expect((await read(targeted, unverified.token)).status).toBe('QUEUED');
      // And the database refuses to offer it, whatever the code does.
      await expect(api.sql(`update application set status = 'OFFERED' where id = ?`, [waiting])).rejects.toThrow(/not verified/);

      await decide('decideChildLink', unverified.children[0]!.iin, 'VERIFY', 'Birth certificate I-ОҚ 778899');
      const offered = await seed.issue(CITY, 'UNIVERSAL', 1);
      expect(offered.map((o) => o.applicationId)).toEqual([waiting]);
    } finally {
      await registryDown.close();
    }
  });

  it('rejecting a family’s link takes its waiting applications for the child out of the queue', async () => {
    const hijacker = await seed.parent().withChild(1);
    const child = hijacker.children[0]!;
    const application = await seed.apply(hijacker, 0, 'UNIVERSAL', CITY);
    const realParent = await api.token({ role: 'PARENT', sub: randomParentIin(), name: 'Айгүл Сәрсенова', phone: '+77011234567' });
    await api.data(`mutation($input: RegisterChildInput!) { registerChild(input: $input) { child { id } } }`, { input: { iin: child.iin, fullName: 'Әлия', relationship: 'MOTHER' } }, { token: realParent });
    // The real parent's claim (no city given) waits for the operator of the city where the child is
    // queued; she cannot apply meanwhile (the hijacker's place is not hers).
    const apply = () => api.request(`mutation($input: ApplyForVoucherInput!) { applyForVoucher(input: $input) { application { id } } }`, { input: { childId: child.id, voucherType: 'UNIVERSAL', city: CITY } }, { token: realParent });
    expect((await apply()).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    await decide('decideChildLink', child.iin, 'VERIFY', 'Birth certificate I-ОҚ 112233');
    expect(await read(application, hijacker.token)).toMatchObject({ status: 'CANCELLED', position: null });
    expect((await apply()).body.data?.applyForVoucher.application.id).toBeDefined();
    const { myChildren } = await api.data(`{ myChildren { id applications { id } voucher { id } link { status } } }`, {}, { token: hijacker.token });
    expect(myChildren.find((c: any) => c.id === child.id)).toEqual({ id: child.id, applications: [{ id: application }], voucher: null, link: { status: 'REJECTED' } });
    // Nor does its old application lead to the child's record: the real family's name and application stay hidden.
    const { myApplications } = await api.data(`{ myApplications { id child { fullName applications { id } } } }`, {}, { token: hijacker.token });
    expect(myApplications.find((a: any) => a.id === application).child).toEqual({ fullName: 'Бала 1', applications: [{ id: application }] });
  });
});
