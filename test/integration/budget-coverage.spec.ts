// Issue 11, finding 5: what a budget covers. A budget covers every payment of its city, voucher
// type and year that is not FAILED — settled before the budget was set or after — so whatever the
// order of settlePeriod, setBudget, markPaymentPaid and markPaymentFailed, allocated = committed +
// remaining, committed = the year's unfailed payments and paid = its paid ones.
// Settlement settles a whole city's month: each scenario has a city of its own (seed.city()), so
// its budget and ledger hold exactly its payments, and the scenarios run at once.
import { afterAll, beforeAll, describe, type ExpectStatic, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { previousMonth, type ProviderHandle, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
});
afterAll(() => api?.close());

const month = previousMonth();
const year = month.period.slice(0, 4);
const code = (res: any) => res.body.errors?.[0]?.extensions?.code;

const SET_BUDGET = `mutation($input: SetBudgetInput!) { setBudget(input: $input) { budget { allocated { tiyn } committed { tiyn } paid { tiyn } remaining { tiyn } } } }`;
const BUDGETS = `query($city: String) { budgets(city: $city) { voucherType period allocated { tiyn } committed { tiyn } paid { tiyn } remaining { tiyn } } }`;
const APPROVE = `mutation($id: ID!) { approvePayment(input: { paymentId: $id }) { payment { status } } }`;
const PAID = `mutation($id: ID!) { markPaymentPaid(input: { paymentId: $id, bankReference: "KZ-BANK-000001" }) { payment { status } } }`;
const FAILED = `mutation($id: ID!) { markPaymentFailed(input: { paymentId: $id, reason: "account closed" }) { payment { status } } }`;

/** A city of the test's own with one approved provider and one program paid 1,000 KZT an hour (a 1.5 h session is 150,000 tiyn). */
async function cityWorld(expect: ExpectStatic) {
  const city = await seed.city();
  const operator = await seed.operator(city);
  await seed.rules(city, { confirmationWindowDays: 90, rates: [{ direction: 'EDUCATIONAL', tiynPerHour: 100000 }] });
  const provider: ProviderHandle = await seed.provider({ city, kind: 'SCHOOL' }).approved();
  const program = (await seed.program(provider, { direction: 'EDUCATIONAL', minAge: 6, maxAge: 12, seats: 30 })).id;
  const as = (token: string) => ({ token });

  /** One more child's confirmed 1.5 h session (150,000 tiyn when settled). */
  const prepare = async (day: number): Promise<void> => {
    const child = await seed.enrolled(program, city, month.day(1));
    const [session] = await seed.recorded(provider, program, month.day(day), [child.childId], 1.5);
    await seed.confirmed(child.family, [session!.id]);
  };
  /** One more child's session, then a settlement: the new payment (150,000 tiyn, plus any failed payment's sessions paid again). */
  const settleOne = async (day: number, amount = 150_000): Promise<string> => {
    await prepare(day);
    const settlePeriod = await seed.settled(city, month.period);
    expect(settlePeriod.created).toBe(1);
    const payment = settlePeriod.payments.at(-1)!;
    expect(payment).toMatchObject({ status: 'CALCULATED', amount: { tiyn: amount } });
    return payment.id;
  };
  const setBudget = (tiyn: number): Promise<any> => api.request(SET_BUDGET, { input: { city, voucherType: 'UNIVERSAL', period: year, allocated: { tiyn } } }, as(operator));
  const budget = async () => {
    const { budgets } = await api.data(BUDGETS, { city }, as(operator));
    return budgets.filter((b: any) => b.voucherType === 'UNIVERSAL' && b.period === year).map((b: any) => ({ allocated: b.allocated.tiyn, committed: b.committed.tiyn, paid: b.paid.tiyn, remaining: b.remaining.tiyn }));
  };
  /** The year's payments as the ledger has them: what the budget must show as committed and paid. */
  const ledger = async () => {
    const [row] = await api.sql<{ committed: string; paid: string }>(
      `select coalesce(sum(x.amount_tiyn) filter (where x.status <> 'FAILED'), 0)::text as committed, coalesce(sum(x.amount_tiyn) filter (where x.status = 'PAID'), 0)::text as paid
         from payment x join city c on c.id = x.city_id where c.code = ? and x.period like ?`,
      [city, `${year}-%`],
    );
    return { committed: Number(row!.committed), paid: Number(row!.paid) };
  };
  const move = async (query: string, id: string) => {
    const res = await api.request(query, { id }, as(operator));
    expect(res.body.errors).toBeUndefined();
  };
  const settleAgain = () => seed.settled(city, month.period);
  const settleRefused = () => api.attempt('SettlePeriod', { input: { city, period: month.period } }, as(operator));
  return { city, settleRefused, prepare, settleOne, settleAgain, setBudget, budget, ledger, approve: (id: string) => move(APPROVE, id), pay: (id: string) => move(PAID, id), fail: (id: string) => move(FAILED, id) };
}

describe.concurrent('a budget covers the year’s payments, whenever it was set', () => {
  it('budget set after a settlement: it takes in the settled payment; paying and failing it keep the identity', async ({ expect }) => {
    const w = await cityWorld(expect);
    const p1 = await w.settleOne(16);
    expect(await w.budget()).toEqual([]);
    expect((await w.setBudget(1_000_000)).body.data.setBudget.budget).toEqual({ allocated: { tiyn: 1_000_000 }, committed: { tiyn: 150_000 }, paid: { tiyn: 0 }, remaining: { tiyn: 850_000 } });
    const p2 = await w.settleOne(17);
    expect(await w.budget()).toEqual([{ allocated: 1_000_000, committed: 300_000, paid: 0, remaining: 700_000 }]);
    await w.approve(p1);
    await w.pay(p1);
    expect(await w.budget()).toEqual([{ allocated: 1_000_000, committed: 300_000, paid: 150_000, remaining: 700_000 }]);
    await w.approve(p2);
    await w.pay(p2);
    expect(await w.budget()).toEqual([{ allocated: 1_000_000, committed: 300_000, paid: 300_000, remaining: 700_000 }]);
    expect(await w.ledger()).toEqual({ committed: 300_000, paid: 300_000 });
  });

  it('budget set after a settlement, that payment failed: the money goes back and is committed again when re-settled', async ({ expect }) => {
    const w = await cityWorld(expect);
    const p1 = await w.settleOne(16);
    await w.setBudget(1_000_000);
    const p2 = await w.settleOne(17);
    await w.approve(p1);
    await w.fail(p1);
    expect(await w.budget()).toEqual([{ allocated: 1_000_000, committed: 150_000, paid: 0, remaining: 850_000 }]);
    expect(await w.ledger()).toEqual({ committed: 150_000, paid: 0 });
    // The failed payment's session is payable again: the next run pays it and commits it.
    await w.approve(p2);
    await w.pay(p2);
    expect(await w.budget()).toEqual([{ allocated: 1_000_000, committed: 150_000, paid: 150_000, remaining: 850_000 }]);
    const again = await w.settleAgain();
    expect(again).toMatchObject({ created: 1, budgetLimited: true });
    expect(again.payments.at(-1)).toMatchObject({ sequence: 3, amount: { tiyn: 150_000 } });
    expect(await w.budget()).toEqual([{ allocated: 1_000_000, committed: 300_000, paid: 150_000, remaining: 700_000 }]);
    expect(await w.ledger()).toEqual({ committed: 300_000, paid: 150_000 });
  });

  it('budget set before: settling commits, failing releases, paying pays; lowered to what is committed, not below; raised', async ({ expect }) => {
    const w = await cityWorld(expect);
    await w.setBudget(1_000_000);
    const p1 = await w.settleOne(16);
    const p2 = await w.settleOne(17);
    expect(await w.budget()).toEqual([{ allocated: 1_000_000, committed: 300_000, paid: 0, remaining: 700_000 }]);
    await w.approve(p1);
    await w.pay(p1);
    await w.approve(p2);
    await w.fail(p2);
    expect(await w.budget()).toEqual([{ allocated: 1_000_000, committed: 150_000, paid: 150_000, remaining: 850_000 }]);
    const below = await w.setBudget(149_999);
    expect(below.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.allocated.tiyn' } });
    expect((await w.setBudget(150_000)).body.data.setBudget.budget).toMatchObject({ allocated: { tiyn: 150_000 }, remaining: { tiyn: 0 } });
    expect(await w.budget()).toEqual([{ allocated: 150_000, committed: 150_000, paid: 150_000, remaining: 0 }]);
    // Nothing left: the failed payment's session is not settled again until the budget is raised.
    const { body } = await w.settleRefused();
    expect(body.errors?.[0]?.extensions?.code).toBe('QUOTA_EXHAUSTED');
    await w.setBudget(600_000);
    const p3 = await w.settleOne(18, 300_000);
    await w.approve(p3);
    await w.pay(p3);
    expect(await w.budget()).toEqual([{ allocated: 600_000, committed: 450_000, paid: 450_000, remaining: 150_000 }]);
    expect(await w.ledger()).toEqual({ committed: 450_000, paid: 450_000 });
  });

  it('a new budget below what the year already settled is refused and writes nothing; a failed payment before the budget is not counted', async ({ expect }) => {
    const w = await cityWorld(expect);
    const p1 = await w.settleOne(16);
    const p2 = await w.settleOne(17);
    await w.approve(p1);
    await w.pay(p1);
    await w.approve(p2);
    await w.fail(p2);
    // Paid 150,000 before any budget: an allocation below it is refused, and no budget appears.
    const below = await w.setBudget(100_000);
    expect(code(below)).toBe('BAD_USER_INPUT');
    expect(below.body.errors[0].message).toMatch(/150000 tiyn/);
    expect(await w.budget()).toEqual([]);
    // The failed payment is not covered; the paid one is, as committed and paid.
    expect((await w.setBudget(400_000)).body.data.setBudget.budget).toEqual({ allocated: { tiyn: 400_000 }, committed: { tiyn: 150_000 }, paid: { tiyn: 150_000 }, remaining: { tiyn: 250_000 } });
    // Its session, settled again, is committed under the budget.
    const settlePeriod = await w.settleAgain();
    expect(settlePeriod).toMatchObject({ created: 1, budgetLimited: true });
    expect(await w.budget()).toEqual([{ allocated: 400_000, committed: 300_000, paid: 150_000, remaining: 100_000 }]);
    expect(await w.ledger()).toEqual({ committed: 300_000, paid: 150_000 });
  });

  it('a budget set while the month is settled, or while a payment settled before it is paid: either order keeps the identity', async ({ expect }) => {
    const a = await cityWorld(expect);
    await a.prepare(16);
    const [settled, set] = await Promise.all([a.settleAgain(), a.setBudget(1_000_000)]);
    expect(set.body.errors).toBeUndefined();
    expect(settled.payments).toEqual([expect.objectContaining({ sequence: 1, status: 'CALCULATED', amount: { tiyn: 150_000, currency: 'KZT' } })]);
    expect(await a.budget()).toEqual([{ allocated: 1_000_000, committed: 150_000, paid: 0, remaining: 850_000 }]);

    const k = await cityWorld(expect);
    const p1 = await k.settleOne(16);
    await k.approve(p1);
    const [, budget] = await Promise.all([k.pay(p1), k.setBudget(1_000_000)]);
    expect(budget.body.errors).toBeUndefined();
    expect(await k.budget()).toEqual([{ allocated: 1_000_000, committed: 150_000, paid: 150_000, remaining: 850_000 }]);
    expect(await k.ledger()).toEqual({ committed: 150_000, paid: 150_000 });
  });
});
