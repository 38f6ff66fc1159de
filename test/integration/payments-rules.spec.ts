// Bad input on attendance and payments is refused with the closed error codes and writes nothing.
// Enrollments here are in ATYRAU; no settlement runs in ATYRAU.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { previousMonth, type ProviderHandle, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
let school: ProviderHandle;
let rival: ProviderHandle;
let program: string;
let enrolled: Awaited<ReturnType<Seed['enrolled']>>;
let stranger: Awaited<ReturnType<Seed['enrolled']>>;

const CITY = 'ATYRAU';
const month = previousMonth();
const code = (res: any) => res.body.errors?.[0]?.extensions?.code;
const RECORD = `mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { attendances { id } } }`;
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Atyrau' }).format(new Date());
const tomorrow = () => new Date(Date.parse(`${today()}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
  school = await seed.provider({ city: CITY, kind: 'SCHOOL' }).approved();
  rival = await seed.provider({ city: CITY, kind: 'SCHOOL' }).approved();
  program = (await seed.program(school, { minAge: 6, maxAge: 12, seats: 40 })).id;
  enrolled = await seed.enrolled(program, CITY, month.day(1));
  stranger = await seed.enrolled(program, CITY, month.day(1));
});
afterAll(() => api?.close());

async function sessionsOf(childId: string): Promise<number> {
  return (await api.sql(`select count(*)::int as n from attendance a join enrollment e on e.id = a.enrollment_id join voucher v on v.id = e.voucher_id where v.child_id = ?`, [childId]))[0]!.n;
}

describe('refused without writing anything', () => {
  it.each([
    ['a child not enrolled in the program', () => ({ childIds: ['00000000-0000-7000-8000-000000000000'] }), 'input.childIds[0]', /not enrolled/],
    ['a future date', () => ({ date: tomorrow() }), 'input.date', /future/],
    ['a date that does not exist', () => ({ date: '2026-02-30' }), 'input.date', /not a valid LocalDate/],
    ['a negative duration', () => ({ hours: -1 }), 'input.hours', /quarter hours/],
    ['a duration that is not quarter hours', () => ({ hours: 0.1 }), 'input.hours', /quarter hours/],
    ['an overflowing duration', () => ({ hours: 1e12 }), 'input.hours', /at most 10/],
  ])('recording attendance for %s (BAD_USER_INPUT)', async (_what, override, field, message) => {
    const before = await sessionsOf(enrolled.childId);
    const res = await api.request(RECORD, { input: { programId: program, date: today(), childIds: [enrolled.childId], hours: 1, ...override() } }, { token: school.token });
    expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field }, message: expect.stringMatching(message) });
    expect(await sessionsOf(enrolled.childId)).toBe(before);
  });

  it('a provider recording for another provider’s program (FORBIDDEN)', async () => {
    const before = await sessionsOf(enrolled.childId);
    const res = await api.request(RECORD, { input: { programId: program, date: today(), childIds: [enrolled.childId], hours: 1 } }, { token: rival.token });
    expect(code(res)).toBe('FORBIDDEN');
    expect(await sessionsOf(enrolled.childId)).toBe(before);
  });

  it('a parent confirming another family’s session (FORBIDDEN), alone or mixed with their own', async () => {
    const theirs = (await api.data(RECORD, { input: { programId: program, date: today(), childIds: [stranger.childId], hours: 1 } }, { token: school.token })).recordAttendance.attendances[0].id;
    const mine = (await api.data(RECORD, { input: { programId: program, date: today(), childIds: [enrolled.childId], hours: 1 } }, { token: school.token })).recordAttendance.attendances[0].id;
    const confirm = `mutation($ids: [ID!]!) { confirmAttendance(input: { attendanceIds: $ids }) { attendances { id } } }`;
    expect(code(await api.request(confirm, { ids: [theirs] }, { token: enrolled.family.token }))).toBe('FORBIDDEN');
    expect(code(await api.request(confirm, { ids: [mine, theirs] }, { token: enrolled.family.token }))).toBe('FORBIDDEN');
    const dispute = await api.request(`mutation($id: ID!) { disputeAttendance(input: { attendanceId: $id, reason: "not ours" }) { attendance { id } } }`, { id: theirs }, { token: enrolled.family.token });
    expect(code(dispute)).toBe('FORBIDDEN');
    const statuses = await api.sql(`select status from attendance where id in (?)`, [[mine, theirs]]);
    expect(statuses.map((s) => s.status)).toEqual(['RECORDED', 'RECORDED']);
  });

  it('a reused idempotency key with different input (CONFLICT)', async () => {
    const first = (await api.data(RECORD, { input: { programId: program, date: month.day(20), childIds: [enrolled.childId], hours: 1 } }, { token: school.token })).recordAttendance.attendances[0].id;
    const second = (await api.data(RECORD, { input: { programId: program, date: month.day(21), childIds: [enrolled.childId], hours: 1 } }, { token: school.token })).recordAttendance.attendances[0].id;
    await api.data(`mutation { updateCityRules(input: { city: "ATYRAU", confirmationWindowDays: 90 }) { rules { version } } }`, {}, { token: await seed.operator(CITY) });
    const confirm = `mutation($ids: [ID!]!, $key: String) { confirmAttendance(input: { attendanceIds: $ids, idempotencyKey: $key }) { attendances { id status } } }`;
    const ok = await api.data(confirm, { ids: [first], key: 'confirm-key-0001' }, { token: enrolled.family.token });
    expect(ok.confirmAttendance.attendances).toEqual([{ id: first, status: 'CONFIRMED' }]);
    const reused = await api.request(confirm, { ids: [second], key: 'confirm-key-0001' }, { token: enrolled.family.token });
    expect(reused.body.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', field: 'input.idempotencyKey' } });
    expect((await api.sql(`select status from attendance where id = ?`, [second]))[0]!.status).toBe('RECORDED');
    expect(code(await api.request(confirm, { ids: [second], key: 'bad key!' }, { token: enrolled.family.token }))).toBe('BAD_USER_INPUT');
  });

  it('negative or overflowing money (BAD_USER_INPUT)', async () => {
    const operator = await seed.operator(CITY);
    const setBudget = `mutation($t: SafeInt!) { setBudget(input: { city: "ATYRAU", voucherType: TARGETED, period: "2030", allocated: { tiyn: $t } }) { budget { id } } }`;
    expect(code(await api.request(setBudget, { t: -1 }, { token: operator }))).toBe('BAD_USER_INPUT');
    expect(code(await api.request(setBudget, { t: 2 ** 60 }, { token: operator }))).toBe('BAD_USER_INPUT');
    expect(code(await api.request(setBudget, { t: 1.5 }, { token: operator }))).toBe('BAD_USER_INPUT');
    expect((await api.sql(`select count(*)::int as n from budget b join city c on c.id = b.city_id where c.code = ? and b.period = '2030'`, [CITY]))[0]!.n).toBe(0);
    const rate = await api.request(`mutation { updateCityRules(input: { city: "ATYRAU", rates: [{ direction: SPORTS, tiynPerHour: -100 }] }) { rules { version } } }`, {}, { token: operator });
    expect(rate.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.rates[0].tiynPerHour' });
  });

  it('settling a month that has not started, or in another city (BAD_USER_INPUT, FORBIDDEN)', async () => {
    const future = `${Number(today().slice(0, 4)) + 1}-01`;
    const settle = (period: string, city: string, token: string) => api.request(`mutation($p: String!, $c: String!) { settlePeriod(input: { city: $c, period: $p }) { created } }`, { p: period, c: city }, { token });
    expect((await settle(future, CITY, await seed.operator(CITY))).body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.period' });
    expect((await settle('2026-13', CITY, await seed.operator(CITY))).body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.period' });
    expect(code(await settle(month.period, CITY, await seed.operator('ASTANA')))).toBe('FORBIDDEN');
    expect(code(await settle(month.period, CITY, school.token))).toBe('FORBIDDEN');
    expect((await api.sql(`select count(*)::int as n from payment p join city c on c.id = p.city_id where c.code = ?`, [CITY]))[0]!.n).toBe(0);
  });
});
