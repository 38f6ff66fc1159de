// Issue 12: every status change of the money and identity side goes through moveTo, which writes
// its audit entry. These pin those entries exactly — action, actor, the true previous status and
// the facts recorded beside it — for sessions confirmed and disputed, payments approved, paid and
// failed, and claims decided and declared again. Each test owns its city.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { previousMonth, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
let admin: string;

const AUDIT = `query($filter: AuditFilter) { auditLog(filter: $filter, first: 100) { edges { node { action actorRole actorId entityType entityId cityCode before after reason rulesVersion } } } }`;
const RECORD = `mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { attendances { id } } }`;
const CONFIRM = `mutation($ids: [ID!]!) { confirmAttendance(input: { attendanceIds: $ids }) { attendances { id status } } }`;
const DISPUTE = `mutation($id: ID!, $reason: String!) { disputeAttendance(input: { attendanceId: $id, reason: $reason }) { attendance { id status } } }`;
const SETTLE = `mutation($city: String!, $period: String!) { settlePeriod(input: { city: $city, period: $period }) { created payments { id status provider { id } } } }`;
const APPROVE = `mutation($id: ID!) { approvePayment(input: { paymentId: $id }) { payment { status } } }`;
const PAID = `mutation($id: ID!, $ref: String!) { markPaymentPaid(input: { paymentId: $id, bankReference: $ref }) { payment { status } } }`;
const FAILED = `mutation($id: ID!, $reason: String!) { markPaymentFailed(input: { paymentId: $id, reason: $reason }) { payment { status } } }`;
const DECIDE_CATEGORY = `mutation($input: DecideClaimInput!) { decidePriorityCategory(input: $input) { case { priorityCategoryStatus } } }`;
const REGISTER = `mutation($input: RegisterChildInput!) { registerChild(input: $input) { child { id } } }`;

beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
  admin = await seed.admin();
});
afterAll(() => api?.close());

const entries = async (entityId: string) => (await api.data(AUDIT, { filter: { entityId } }, { token: admin })).auditLog.edges.map((e: any) => e.node);
/** Today in the test cities' time zone (seed.city's default, Asia/Almaty), as the API counts it. */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Almaty' }).format(api.clock.now());

describe.concurrent('audit entries of status changes', () => {
  it('a session confirmed and one disputed: RECORDED before, the parent as actor, the rules version, the reason', async () => {
    const city = await seed.city();
    const provider = await seed.provider({ city, kind: 'SCHOOL' }).approved();
    const program = (await seed.program(provider, { minAge: 6, maxAge: 12, seats: 10 })).id;
    const a = await seed.enrolled(program, city, previousMonth().day(1));
    const b = await seed.enrolled(program, city, previousMonth().day(1));
    const [one] = (await api.data(RECORD, { input: { programId: program, date: today(), childIds: [a.childId], hours: 1 } }, { token: provider.token })).recordAttendance.attendances;
    const [two] = (await api.data(RECORD, { input: { programId: program, date: today(), childIds: [b.childId], hours: 1 } }, { token: provider.token })).recordAttendance.attendances;
    await api.data(CONFIRM, { ids: [one.id] }, { token: a.family.token });
    await api.data(DISPUTE, { id: two.id, reason: 'Not there that day' }, { token: b.family.token });

    const decided = (log: any[]) => log.filter((e) => e.action !== 'ATTENDANCE_RECORDED');
    expect(decided(await entries(one.id))).toEqual([
      { action: 'ATTENDANCE_CONFIRMED', actorRole: 'PARENT', actorId: a.family.iin, entityType: 'Attendance', entityId: one.id, cityCode: city, before: { status: 'RECORDED' }, after: { status: 'CONFIRMED' }, reason: null, rulesVersion: 1 },
    ]);
    expect(decided(await entries(two.id))).toEqual([
      { action: 'ATTENDANCE_DISPUTED', actorRole: 'PARENT', actorId: b.family.iin, entityType: 'Attendance', entityId: two.id, cityCode: city, before: { status: 'RECORDED' }, after: { status: 'DISPUTED' }, reason: 'Not there that day', rulesVersion: 1 },
    ]);
  });

  it('payments approved, then paid or failed: each entry names the status it left and what the operator gave', async () => {
    const city = await seed.city();
    const operator = await seed.operator(city);
    const school = await seed.provider({ city, kind: 'SCHOOL' }).approved();
    const studio = await seed.provider({ city, kind: 'PRIVATE' }).approved();
    for (const provider of [school, studio]) {
      const program = (await seed.program(provider, { minAge: 6, maxAge: 12, seats: 10 })).id;
      const child = await seed.enrolled(program, city, previousMonth().day(1));
      const [session] = (await api.data(RECORD, { input: { programId: program, date: today(), childIds: [child.childId], hours: 1 } }, { token: provider.token })).recordAttendance.attendances;
      await api.data(CONFIRM, { ids: [session.id] }, { token: child.family.token });
    }
    const { settlePeriod } = await api.data(SETTLE, { city, period: today().slice(0, 7) }, { token: operator });
    expect(settlePeriod.created).toBe(2);
    const paymentOf = (providerId: string) => settlePeriod.payments.find((p: any) => p.provider.id === providerId).id as string;
    const [paid, failed] = [paymentOf(school.id), paymentOf(studio.id)];
    for (const id of [paid, failed]) await api.data(APPROVE, { id }, { token: operator });
    await api.data(PAID, { id: paid, ref: 'TX-2026-0001' }, { token: operator });
    await api.data(FAILED, { id: failed, reason: 'Account closed' }, { token: operator });

    const move = (id: string, action: string, before: object, after: object) => ({
      action, actorRole: 'OPERATOR', actorId: city, entityType: 'Payment', entityId: id, cityCode: city, before, after, reason: null, rulesVersion: null,
    });
    const moves = (log: any[]) => log.filter((e) => e.action !== 'PAYMENT_CALCULATED');
    // Approval names the provider's confirmed bank details it pays to.
    const details = async (id: string) => (await api.data(`query($id: ID!) { payment(id: $id) { bankDetails { id } } }`, { id }, { token: operator })).payment.bankDetails.id as string;
    expect(moves(await entries(paid))).toEqual([
      move(paid, 'PAYMENT_APPROVED', { status: 'CALCULATED' }, { status: 'APPROVED', bankDetailsId: await details(paid) }),
      move(paid, 'PAYMENT_PAID', { status: 'APPROVED' }, { status: 'PAID', bankReference: 'TX-2026-0001' }),
    ]);
    expect(moves(await entries(failed))).toEqual([
      move(failed, 'PAYMENT_APPROVED', { status: 'CALCULATED' }, { status: 'APPROVED', bankDetailsId: await details(failed) }),
      move(failed, 'PAYMENT_FAILED', { status: 'APPROVED' }, { status: 'FAILED', failureReason: 'Account closed' }),
    ]);
  });

  it('a claim verified by the registry, its category rejected and then declared again: every entry with the status it left', async () => {
    const family = await seed.parent().withChild(1, undefined, 'ORPHAN', { categoryVerified: false });
    const child = family.children[0]!;
    const caseId = await seed.caseOf(child.iin);
    await api.data(DECIDE_CATEGORY, { input: { caseId, decision: 'REJECT', evidenceReference: 'No certificate', note: 'Nothing on file' } }, { token: admin });
    // The family declares another category on the same link: a new category claim begins.
    await api.data(REGISTER, { input: { iin: child.iin, fullName: 'Бала 1', relationship: 'MOTHER', priorityCategory: 'DISABILITY' } }, { token: family.token });

    const entry = (action: string, actorRole: string, actorId: string, entityType: string, before: object | null, after: object, reason: string | null = null) => ({
      action, actorRole, actorId, entityType, entityId: caseId, cityCode: null, before, after, reason, rulesVersion: null,
    });
    expect(await entries(caseId)).toEqual([
      entry('LINK_CLAIMED', 'PARENT', family.iin, 'ChildLink', null, { status: 'CLAIMED', relationship: 'MOTHER', claimedCategory: 'ORPHAN' }),
      entry('LINK_VERIFIED', 'SYSTEM', 'population-registry', 'ChildLink', { status: 'CLAIMED' }, {
        status: 'VERIFIED', childId: child.id, applicantId: expect.any(String), evidenceReference: 'registry:demo',
      }),
      entry('PRIORITY_CATEGORY_REJECTED', 'ADMIN', 'test-admin', 'PriorityCategoryClaim', { status: 'CLAIMED', category: 'ORPHAN' }, {
        status: 'REJECTED', category: 'ORPHAN', childId: child.id, evidenceReference: 'No certificate',
      }, 'Nothing on file'),
      entry('PRIORITY_CATEGORY_CLAIMED', 'PARENT', family.iin, 'PriorityCategoryClaim', { status: 'REJECTED', category: 'ORPHAN' }, { status: 'CLAIMED', category: 'DISABILITY' }),
    ]);
  });
});
