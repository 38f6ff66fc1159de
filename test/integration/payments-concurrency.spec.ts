// Parallel confirmations and settlements, and the budget identity. Each test has a city of its own
// (seed.city()), so its settlements and budgets hold exactly its sessions, and the tests run at once.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { SettlePeriodMutation } from '../generated/operations.js';
import { TestApi } from '../support/api.js';
import { previousMonth, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;

const month = previousMonth();
const codes = (results: any[]) => results.map((r) => r.body.errors?.[0]?.extensions?.code ?? 'OK');
const BUDGETS = `query($city: String) { budgets(city: $city) { voucherType period allocated { tiyn } committed { tiyn } paid { tiyn } remaining { tiyn } } }`;

beforeAll(async () => {
  // One parent confirms one session 100 times at once: more mutations than a minute's limit allows.
  api = await TestApi.start({ rateLimits: { mutationsPerCaller: 1000 } });
  seed = new Seed(api);
});
afterAll(() => api?.close());

/** A city of the test's own with no monthly cap and a window reaching last month's second half, one school and its club. */
async function world() {
  const city = await seed.city();
  const operator = await seed.operator(city);
  await seed.rules(city, { confirmationWindowDays: month.windowDays, monthlyCapHours: 0 });
  const school = await seed.provider({ city, kind: 'SCHOOL' }).approved();
  const program = (await seed.program(school, { minAge: 6, maxAge: 12, seats: 40 })).id;
  /** A new child's 2 h session on `day` of last month, recorded (not yet confirmed). */
  const session = async (day: number) => {
    const child = await seed.enrolled(program, city, month.day(1));
    const [attendance] = await seed.recorded(school, program, month.day(day), [child.childId], 2);
    return { child, attendanceId: attendance!.id };
  };
  const settle = (key?: string) => api.attempt<SettlePeriodMutation>('SettlePeriod', { input: { city, period: month.period, idempotencyKey: key } }, { token: operator });
  const payments = () => api.sql<{ id: string; amount: string }>(`select p.id, p.amount_tiyn::text as amount from payment p join city c on c.id = p.city_id where c.code = ?`, [city]);
  return { city, operator, session, settle, payments };
}

describe.concurrent('in parallel', () => {
  it('100 confirmations of one session: one confirmation', async ({ expect }) => {
    const w = await world();
    const { child, attendanceId } = await w.session(17);
    const results = await Promise.all(Array.from({ length: 100 }, () => api.attempt('ConfirmAttendance', { input: { attendanceIds: [attendanceId] } }, { token: child.family.token })));
    expect(codes(results)).toEqual(Array(100).fill('OK'));
    expect((await api.sql(`select status from attendance where id = ?`, [attendanceId]))[0]!.status).toBe('CONFIRMED');
    expect((await api.sql(`select count(*)::int as n from audit_event where entity_id = ? and action = 'ATTENDANCE_CONFIRMED'`, [attendanceId]))[0]!.n).toBe(1);
  });

  it('a settlement over the budget is refused whole; within it, ten settlements at once make one payment and the identity holds', async ({ expect }) => {
    const w = await world();
    const year = month.period.slice(0, 4);
    const setBudget = (tiyn: number) =>
      api.data(`mutation($c: String!, $t: SafeInt!) { setBudget(input: { city: $c, voucherType: UNIVERSAL, period: "${year}", allocated: { tiyn: $t } }) { budget { id } } }`, { c: w.city, t: tiyn }, { token: w.operator });
    await setBudget(100); // 1 tenge: far too little

    const sessions = [await w.session(17), await w.session(18), await w.session(19)];
    for (const { child, attendanceId } of sessions) await seed.confirmed(child.family, [attendanceId]);

    const refused = await w.settle();
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('QUOTA_EXHAUSTED');
    expect(await w.payments()).toEqual([]);
    expect((await api.sql(`select count(*)::int as n from attendance where payment_line_id is not null and id in (?)`, [sessions.map((s) => s.attendanceId)]))[0]!.n).toBe(0);

    await setBudget(100_000_000); // 1,000,000 tenge
    const results = await Promise.all(Array.from({ length: 10 }, () => w.settle()));
    expect(codes(results)).toEqual(Array(10).fill('OK'));
    expect(results.map((r) => r.body.data!.settlePeriod.created).sort()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const payments = await w.payments();
    expect(payments).toHaveLength(1);
    // Three children × 2 h × 1,500 KZT (the default educational rate).
    expect(Number(payments[0]!.amount)).toBe(3 * 2 * 150_000);

    const budgetOf = async () => (await api.data(BUDGETS, { city: w.city }, { token: w.operator })).budgets;
    expect(await budgetOf()).toEqual([{ voucherType: 'UNIVERSAL', period: year, allocated: { tiyn: 100_000_000 }, committed: { tiyn: 900_000 }, paid: { tiyn: 0 }, remaining: { tiyn: 99_100_000 } }]);

    // Paying it moves the money from committed to paid; the identity still holds.
    await api.data(`mutation($id: ID!) { approvePayment(input: { paymentId: $id }) { payment { status } } }`, { id: payments[0]!.id }, { token: w.operator });
    const paidTwice = await Promise.all(
      Array.from({ length: 5 }, () =>
        api.request(`mutation($id: ID!) { markPaymentPaid(input: { paymentId: $id, bankReference: "KZ-KASPI-778899", idempotencyKey: "pay-kzo-0001" }) { payment { status } } }`, { id: payments[0]!.id }, { token: w.operator }),
      ),
    );
    expect(codes(paidTwice)).toEqual(Array(5).fill('OK'));
    expect(await budgetOf()).toEqual([{ voucherType: 'UNIVERSAL', period: year, allocated: { tiyn: 100_000_000 }, committed: { tiyn: 900_000 }, paid: { tiyn: 900_000 }, remaining: { tiyn: 99_100_000 } }]);
  });

  it('settlements with one idempotency key at once: one result, returned to every retry', async ({ expect }) => {
    const w = await world();
    const { child, attendanceId } = await w.session(21);
    await seed.confirmed(child.family, [attendanceId]);
    const results = await Promise.all(Array.from({ length: 5 }, () => w.settle('settle-kzo-late-1')));
    expect(codes(results)).toEqual(Array(5).fill('OK'));
    const createdIds = new Set(results.map((r) => JSON.stringify(r.body.data!.settlePeriod.payments.map((p) => p.id).sort())));
    expect(createdIds.size).toBe(1);
    const payments = await w.payments();
    expect(payments.map((p) => p.id)).toEqual(results[0]!.body.data!.settlePeriod.payments.map((p) => p.id));
    expect(payments.map((p) => Number(p.amount))).toEqual([2 * 150_000]);
  });
});
