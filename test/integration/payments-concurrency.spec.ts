// Parallel confirmations and settlements, and the budget identity. Enrollments and payments here
// are in KYZYLORDA only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { previousMonth, type ProviderHandle, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
let school: ProviderHandle;
let program: string;
let operator: string;

const CITY = 'KYZYLORDA';
const month = previousMonth();
const codes = (results: any[]) => results.map((r) => r.body.errors?.[0]?.extensions?.code ?? 'OK');
const RECORD = `mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { attendances { id } } }`;
const CONFIRM = `mutation($ids: [ID!]!, $key: String) { confirmAttendance(input: { attendanceIds: $ids, idempotencyKey: $key }) { attendances { id status } } }`;
const SETTLE = `mutation($key: String) { settlePeriod(input: { city: "${CITY}", period: "${month.period}", idempotencyKey: $key }) { created budgetLimited payments { id amount { tiyn } } } }`;
const BUDGETS = `{ budgets(city: "${CITY}") { voucherType period allocated { tiyn } committed { tiyn } paid { tiyn } remaining { tiyn } } }`;

beforeAll(async () => {
  // One parent confirms one session 100 times at once: more mutations than a minute's limit allows.
  api = await TestApi.start({ rateLimits: { mutationsPerCaller: 1000 } });
  seed = new Seed(api);
  operator = await seed.operator(CITY);
  await api.data(`mutation($w: Int!) { updateCityRules(input: { city: "${CITY}", confirmationWindowDays: $w, monthlyCapHours: 0 }) { rules { version } } }`, { w: month.windowDays }, { token: operator });
  school = await seed.provider({ city: CITY, kind: 'SCHOOL' }).approved();
  program = (await seed.program(school, { minAge: 6, maxAge: 12, seats: 40 })).id;
});
afterAll(() => api?.close());

async function confirmedSession(day: number) {
  const child = await seed.enrolled(program, CITY, month.day(1));
  const { recordAttendance } = await api.data(RECORD, { input: { programId: program, date: month.day(day), childIds: [child.childId], hours: 2 } }, { token: school.token });
  return { child, attendanceId: recordAttendance.attendances[0].id as string };
}

describe('in parallel', () => {
  it('100 confirmations of one session: one confirmation', async () => {
    const { child, attendanceId } = await confirmedSession(17);
    const results = await Promise.all(Array.from({ length: 100 }, () => api.request(CONFIRM, { ids: [attendanceId] }, { token: child.family.token })));
    expect(codes(results)).toEqual(Array(100).fill('OK'));
    expect((await api.sql(`select status from attendance where id = ?`, [attendanceId]))[0]!.status).toBe('CONFIRMED');
    expect((await api.sql(`select count(*)::int as n from audit_event where entity_id = ? and action = 'ATTENDANCE_CONFIRMED'`, [attendanceId]))[0]!.n).toBe(1);
  });

  it('a settlement over the budget is refused whole; within it, ten settlements at once make one payment and the identity holds', async () => {
    const year = month.period.slice(0, 4);
    const setBudget = (tiyn: number) =>
      api.data(`mutation($t: SafeInt!) { setBudget(input: { city: "${CITY}", voucherType: UNIVERSAL, period: "${year}", allocated: { tiyn: $t } }) { budget { id } } }`, { t: tiyn }, { token: operator });
    await setBudget(100); // 1 tenge: far too little

    const sessions = [await confirmedSession(18), await confirmedSession(19)];
    for (const { child, attendanceId } of sessions) await api.data(CONFIRM, { ids: [attendanceId] }, { token: child.family.token });

    const refused = await api.request(SETTLE, {}, { token: operator });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('QUOTA_EXHAUSTED');
    expect((await api.sql(`select count(*)::int as n from payment p join city c on c.id = p.city_id where c.code = ?`, [CITY]))[0]!.n).toBe(0);
    expect((await api.sql(`select count(*)::int as n from attendance where payment_line_id is not null and id in (?)`, [sessions.map((s) => s.attendanceId)]))[0]!.n).toBe(0);

    await setBudget(100_000_000); // 1,000,000 tenge
    const results = await Promise.all(Array.from({ length: 10 }, () => api.request(SETTLE, {}, { token: operator })));
    expect(codes(results)).toEqual(Array(10).fill('OK'));
    expect(results.map((r) => r.body.data!.settlePeriod.created).sort()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const payments = await api.sql(`select p.id, p.amount_tiyn::bigint as amount from payment p join city c on c.id = p.city_id where c.code = ?`, [CITY]);
    expect(payments).toHaveLength(1);
    // Three children × 2 h × 1,500 KZT (the default educational rate).
    expect(Number(payments[0]!.amount)).toBe(3 * 2 * 150_000);

    const { budgets } = await api.data(BUDGETS, {}, { token: operator });
    const universal = budgets.find((b: any) => b.voucherType === 'UNIVERSAL' && b.period === year);
    expect(universal).toEqual({ voucherType: 'UNIVERSAL', period: year, allocated: { tiyn: 100_000_000 }, committed: { tiyn: 900_000 }, paid: { tiyn: 0 }, remaining: { tiyn: 99_100_000 } });
    expect(universal.allocated.tiyn).toBe(universal.committed.tiyn + universal.remaining.tiyn);

    // Paying it moves the money from committed to paid; the identity still holds.
    await api.data(`mutation($id: ID!) { approvePayment(input: { paymentId: $id }) { payment { status } } }`, { id: payments[0]!.id }, { token: operator });
    const paidTwice = await Promise.all(
      Array.from({ length: 5 }, () =>
        api.request(`mutation($id: ID!) { markPaymentPaid(input: { paymentId: $id, bankReference: "KZ-KASPI-778899", idempotencyKey: "pay-kzo-0001" }) { payment { status } } }`, { id: payments[0]!.id }, { token: operator }),
      ),
    );
    expect(codes(paidTwice)).toEqual(Array(5).fill('OK'));
    const after = (await api.data(BUDGETS, {}, { token: operator })).budgets.find((b: any) => b.voucherType === 'UNIVERSAL' && b.period === year);
    expect(after).toMatchObject({ committed: { tiyn: 900_000 }, paid: { tiyn: 900_000 }, remaining: { tiyn: 99_100_000 } });
  });

  it('settlements with one idempotency key at once: one result, returned to every retry', async () => {
    const { child, attendanceId } = await confirmedSession(21);
    await api.data(CONFIRM, { ids: [attendanceId] }, { token: child.family.token });
    const results = await Promise.all(Array.from({ length: 5 }, () => api.request(SETTLE, { key: 'settle-kzo-late-1' }, { token: operator })));
    expect(codes(results)).toEqual(Array(5).fill('OK'));
    const createdIds = new Set(results.map((r) => JSON.stringify(r.body.data!.settlePeriod.payments.map((p: any) => p.id).sort())));
    expect(createdIds.size).toBe(1);
    expect((await api.sql(`select count(*)::int as n from payment p join city c on c.id = p.city_id where c.code = ?`, [CITY]))[0]!.n).toBe(2);
  });
});
