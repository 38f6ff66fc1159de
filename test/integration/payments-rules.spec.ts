// Bad input on attendance and payments is refused with the closed error codes and writes nothing.
// Enrollments here are in a city of this file's own (seed.city()), where nothing settles; the test
// that changes its city's rules has a city of its own. The tests run at once: each reads back only
// the rows of its own children.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { previousMonth, type ProviderHandle, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
let city: string;
let school: ProviderHandle;
let rival: ProviderHandle;
let program: string;
let enrolled: Awaited<ReturnType<Seed['enrolled']>>;

const month = previousMonth();
const code = (res: any) => res.body.errors?.[0]?.extensions?.code;
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Atyrau' }).format(new Date());
const tomorrow = () => new Date(Date.parse(`${today()}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const record = (input: Record<string, unknown>, provider: ProviderHandle) => api.attempt('RecordAttendance', { input }, { token: provider.token });
const confirm = (ids: string[], token: string, idempotencyKey?: string) => api.attempt('ConfirmAttendance', { input: { attendanceIds: ids, idempotencyKey } }, { token });

beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
  city = await seed.city({ timezone: 'Asia/Atyrau' });
  school = await seed.provider({ city, kind: 'SCHOOL' }).approved();
  rival = await seed.provider({ city, kind: 'SCHOOL' }).approved();
  program = (await seed.program(school, { minAge: 6, maxAge: 12, seats: 40 })).id;
  // Only refused requests name this child: its session count stays 0.
  enrolled = await seed.enrolled(program, city, month.day(1));
});
afterAll(() => api?.close());

async function sessionsOf(childId: string): Promise<number> {
  return (await api.sql(`select count(*)::int as n from attendance a join enrollment e on e.id = a.enrollment_id join voucher v on v.id = e.voucher_id where v.child_id = ?`, [childId]))[0]!.n;
}

describe.concurrent('refused without writing anything', () => {
  it.for([
    ['a child not enrolled in the program', () => ({ childIds: ['00000000-0000-7000-8000-000000000000'] }), 'input.childIds[0]', /not enrolled/],
    ['a future date', () => ({ date: tomorrow() }), 'input.date', /future/],
    ['a date that does not exist', () => ({ date: '2026-02-30' }), 'input.date', /not a valid LocalDate/],
    ['a negative duration', () => ({ hours: -1 }), 'input.hours', /quarter hours/],
    ['a duration that is not quarter hours', () => ({ hours: 0.1 }), 'input.hours', /quarter hours/],
    ['an overflowing duration', () => ({ hours: 1e12 }), 'input.hours', /at most 10/],
  ] as const)('recording attendance for %s (BAD_USER_INPUT)', async ([, override, field, message], { expect }) => {
    const res = await record({ programId: program, date: today(), childIds: [enrolled.childId], hours: 1, ...override() }, school);
    expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field }, message: expect.stringMatching(message) });
    expect(await sessionsOf(enrolled.childId)).toBe(0);
  });

  it('a provider recording for another provider’s program (FORBIDDEN)', async ({ expect }) => {
    const res = await record({ programId: program, date: today(), childIds: [enrolled.childId], hours: 1 }, rival);
    expect(code(res)).toBe('FORBIDDEN');
    expect(await sessionsOf(enrolled.childId)).toBe(0);
  });

  it('a parent confirming another family’s session (FORBIDDEN), alone or mixed with their own', async ({ expect }) => {
    const parent = await seed.enrolled(program, city, month.day(1));
    const stranger = await seed.enrolled(program, city, month.day(1));
    const [theirs] = await seed.recorded(school, program, today(), [stranger.childId]);
    const [mine] = await seed.recorded(school, program, today(), [parent.childId]);
    expect(code(await confirm([theirs!.id], parent.family.token))).toBe('FORBIDDEN');
    expect(code(await confirm([mine!.id, theirs!.id], parent.family.token))).toBe('FORBIDDEN');
    const dispute = await api.request(`mutation($id: ID!) { disputeAttendance(input: { attendanceId: $id, reason: "not ours" }) { attendance { id } } }`, { id: theirs!.id }, { token: parent.family.token });
    expect(code(dispute)).toBe('FORBIDDEN');
    const statuses = await api.sql(`select status from attendance where id in (?)`, [[mine!.id, theirs!.id]]);
    expect(statuses.map((s) => s.status)).toEqual(['RECORDED', 'RECORDED']);
  });

  it('a reused idempotency key with different input (CONFLICT)', async ({ expect }) => {
    // Its own city: the confirmation window is widened to 90 days to reach last month's sessions.
    const own = await seed.city({ timezone: 'Asia/Atyrau' });
    const provider = await seed.provider({ city: own, kind: 'SCHOOL' }).approved();
    const chess = (await seed.program(provider, { minAge: 6, maxAge: 12, seats: 40 })).id;
    const child = await seed.enrolled(chess, own, month.day(1));
    const [first] = await seed.recorded(provider, chess, month.day(20), [child.childId]);
    const [second] = await seed.recorded(provider, chess, month.day(21), [child.childId]);
    await seed.rules(own, { confirmationWindowDays: 90 });
    const ok = await seed.confirmed(child.family, [first!.id], 'confirm-key-0001');
    expect(ok).toEqual([{ id: first!.id, status: 'CONFIRMED' }]);
    const reused = await confirm([second!.id], child.family.token, 'confirm-key-0001');
    expect(reused.body.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', field: 'input.idempotencyKey' } });
    expect((await api.sql(`select status from attendance where id = ?`, [second!.id]))[0]!.status).toBe('RECORDED');
    expect(code(await confirm([second!.id], child.family.token, 'bad key!'))).toBe('BAD_USER_INPUT');
  });

  it('negative or overflowing money (BAD_USER_INPUT)', async ({ expect }) => {
    const operator = await seed.operator(city);
    const setBudget = `mutation($c: String!, $t: SafeInt!) { setBudget(input: { city: $c, voucherType: TARGETED, period: "2030", allocated: { tiyn: $t } }) { budget { id } } }`;
    expect(code(await api.request(setBudget, { c: city, t: -1 }, { token: operator }))).toBe('BAD_USER_INPUT');
    expect(code(await api.request(setBudget, { c: city, t: 2 ** 60 }, { token: operator }))).toBe('BAD_USER_INPUT');
    expect(code(await api.request(setBudget, { c: city, t: 1.5 }, { token: operator }))).toBe('BAD_USER_INPUT');
    expect((await api.sql(`select count(*)::int as n from budget b join city c on c.id = b.city_id where c.code = ?`, [city]))[0]!.n).toBe(0);
    const rate = await api.request(`mutation($c: String!) { updateCityRules(input: { city: $c, rates: [{ direction: SPORTS, tiynPerHour: -100 }] }) { rules { version } } }`, { c: city }, { token: operator });
    expect(rate.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.rates[0].tiynPerHour' });
    expect((await api.sql(`select max(r.version)::int as v from city_rules r join city c on c.id = r.city_id where c.code = ?`, [city]))[0]!.v).toBe(1);
  });

  it('settling a month that has not started, or in another city (BAD_USER_INPUT, FORBIDDEN)', async ({ expect }) => {
    const future = `${Number(today().slice(0, 4)) + 1}-01`;
    const settle = (period: string, token: string) => api.attempt('SettlePeriod', { input: { city, period } }, { token });
    expect((await settle(future, await seed.operator(city))).body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.period' });
    expect((await settle('2026-13', await seed.operator(city))).body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.period' });
    expect(code(await settle(month.period, await seed.operator('ASTANA')))).toBe('FORBIDDEN');
    expect(code(await settle(month.period, school.token))).toBe('FORBIDDEN');
    expect((await api.sql(`select count(*)::int as n from payment p join city c on c.id = p.city_id where c.code = ?`, [city]))[0]!.n).toBe(0);
  });
});
