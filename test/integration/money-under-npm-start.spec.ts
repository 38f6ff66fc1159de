// The money path on the runtime users run. `npm start` is `node --import tsx src/main.ts`: a
// different transform from the test runner's, and once the only place where `setBudget` failed
// ("Do not know how to serialize a BigInt") and a second `updateCityRules` froze a city's rules.
// This file drives every money mutation through such a process, started on an empty database of
// its own and migrated by the process itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { type ProviderHandle, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
beforeAll(async () => {
  api = await TestApi.spawn();
  seed = new Seed(api);
}, 120_000);
afterAll(() => api?.close());

const CITY = 'AKTOBE';
// The city's date (UTC+5), as the API counts days.
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Aqtobe' }).format(new Date());
const period = today.slice(0, 7);
const year = today.slice(0, 4);

describe('the money mutations under npm start', () => {
  let school: ProviderHandle;
  let operator: string;

  beforeAll(async () => {
    operator = await seed.operator(CITY);
    school = await seed.provider({ city: CITY, kind: 'SCHOOL' }).approved();
  });

  it('rules with a money cap can be changed again and again', async () => {
    const update = (fields: string) => api.data(`mutation { updateCityRules(input: { city: "${CITY}", ${fields} }) { rules { version monthlyCapAmount { tiyn } } } }`, {}, { token: operator });
    const first = await update('monthlyCapTiyn: 2500000');
    expect(first.updateCityRules.rules.monthlyCapAmount).toEqual({ tiyn: 2_500_000 });
    const second = await update('confirmationWindowDays: 12');
    expect(second.updateCityRules.rules).toEqual({ version: first.updateCityRules.rules.version + 1, monthlyCapAmount: { tiyn: 2_500_000 } });
    const third = await update('monthlyCapTiyn: 0');
    expect(third.updateCityRules.rules.monthlyCapAmount).toBeNull();
  });

  it('a budget is set, a month settled, approved and paid, and the budget follows each step', async () => {
    const budget = await api.data(
      `mutation { setBudget(input: { city: "${CITY}", voucherType: UNIVERSAL, period: "${year}", allocated: { tiyn: 5000000000 } }) { budget { allocated { tiyn } committed { tiyn } remaining { tiyn } } } }`,
      {},
      { token: operator },
    );
    expect(budget.setBudget.budget).toEqual({ allocated: { tiyn: 5_000_000_000 }, committed: { tiyn: 0 }, remaining: { tiyn: 5_000_000_000 } });

    // A child enrolled today attends 2 hours today; the parent confirms.
    const program = await seed.program(school, { direction: 'CREATIVE', minAge: 6, maxAge: 12, seats: 10 });
    const pupil = await seed.enrolled(program.id, CITY, today);
    const { recordAttendance } = await api.data(
      `mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { attendances { id } } }`,
      { input: { programId: program.id, date: today, childIds: [pupil.childId], hours: 2 } },
      { token: school.token },
    );
    await api.data(`mutation($ids: [ID!]!) { confirmAttendance(input: { attendanceIds: $ids, idempotencyKey: "confirm-1" }) { attendances { status } } }`, { ids: [recordAttendance.attendances[0].id] }, { token: pupil.family.token });

    // The default rate is 1,500 tenge an hour: 2 hours = 300,000 tiyn.
    const { settlePeriod } = await api.data(
      `mutation { settlePeriod(input: { city: "${CITY}", period: "${period}", idempotencyKey: "settle-1" }) { created budgetLimited payments { id amount { tiyn } } } }`,
      {},
      { token: operator },
    );
    expect(settlePeriod).toMatchObject({ created: 1, budgetLimited: true, payments: [{ amount: { tiyn: 300_000 } }] });
    const paymentId = settlePeriod.payments[0].id as string;

    await api.data(`mutation($id: ID!) { approvePayment(input: { paymentId: $id, idempotencyKey: "approve-1" }) { payment { status } } }`, { id: paymentId }, { token: operator });
    const paid = await api.data(
      `mutation($id: ID!) { markPaymentPaid(input: { paymentId: $id, bankReference: "KZ-TR-0001", idempotencyKey: "mark-paid-1" }) { payment { status amount { tiyn } } } }`,
      { id: paymentId },
      { token: operator },
    );
    expect(paid.markPaymentPaid.payment).toEqual({ status: 'PAID', amount: { tiyn: 300_000 } });

    const { budgets } = await api.data(`query { budgets(city: "${CITY}") { voucherType allocated { tiyn } committed { tiyn } paid { tiyn } remaining { tiyn } } }`, {}, { token: operator });
    expect(budgets).toEqual([{ voucherType: 'UNIVERSAL', allocated: { tiyn: 5_000_000_000 }, committed: { tiyn: 300_000 }, paid: { tiyn: 300_000 }, remaining: { tiyn: 4_999_700_000 } }]);
    const { payments } = await api.data(`query { payments(filter: { city: "${CITY}" }) { totalAmount { tiyn } } }`, {}, { token: operator });
    expect(payments.totalAmount).toEqual({ tiyn: 300_000 });

    const statement = await api.post('', { token: operator }, 'GET', `/exports/payments/${paymentId}.csv`);
    expect(statement.status).toBe(200);
    expect((statement.body as { raw?: string }).raw).toContain('3000.00');

    // Nothing along the way was a masked error in the process's log.
    expect(api.output()).not.toMatch(/"level":50/);
  });
});
