// Pay only for confirmed attendance, end to end through GraphQL on real PostgreSQL. Each test pays
// in a city of its own (seed.city()), so its settlements hold exactly its sessions and the tests
// run at once. Figures are hand-computed in tiyn.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { PaymentLinesQuery, PaymentLinesQueryVariables, SwitchProgramMutation, SwitchProgramMutationVariables } from '../generated/operations.js';
import { TestApi } from '../support/api.js';
import { type FamilyHandle, previousMonth, type ProviderHandle, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
});
afterAll(() => api?.close());

const month = previousMonth();
const code = (res: any) => res.body.errors?.[0]?.extensions?.code;
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Almaty' }).format(new Date());

/**
 * A city of the test's own (Asia/Almaty time) paying 1,200 KZT an hour for educational clubs and
 * 1,000 for sports (creative keeps the default 1,500), whose confirmation window ends between days
 * 15 and 16 of last month; returns its code and its operator's token.
 */
async function payingCity(): Promise<{ city: string; operator: string }> {
  const city = await seed.city();
  await seed.rules(city, { confirmationWindowDays: month.windowDays, rates: [{ direction: 'EDUCATIONAL', tiynPerHour: 120000 }, { direction: 'SPORTS', tiynPerHour: 100000 }] });
  return { city, operator: await seed.operator(city) };
}
const linesOf = async (paymentId: string, token: string) =>
  (await api.operation<PaymentLinesQuery, PaymentLinesQueryVariables>('PaymentLines', { id: paymentId }, { token })).payment!.lines;
const confirm = (family: FamilyHandle, ids: string[]) => api.attempt('ConfirmAttendance', { input: { attendanceIds: ids } }, { token: family.token });
const record = (provider: ProviderHandle, programId: string, date: string, childIds: string[], hours = 1) =>
  api.attempt('RecordAttendance', { input: { programId, date, childIds, hours } }, { token: provider.token });

describe.concurrent('paying only for confirmed attendance', () => {
  it('pays confirmed hours × rate, holds only the disputed line, ignores sessions past the window, and splits a mid-month switch', async ({ expect }) => {
    const { city, operator } = await payingCity();
    const school = await seed.provider({ city, kind: 'SCHOOL' }).approved();
    const studio = await seed.provider({ city, kind: 'PRIVATE' }).approved();
    const robotics = (await seed.program(school, { direction: 'EDUCATIONAL', minAge: 6, maxAge: 12, seats: 30 })).id;
    const football = (await seed.program(studio, { direction: 'SPORTS', minAge: 6, maxAge: 12, seats: 30, title: { kk: 'Футбол', ru: 'Футбол' } })).id;

    // Child 1 attends robotics all month.
    const one = await seed.enrolled(robotics, city, month.day(1));
    const session = async (provider: ProviderHandle, program: string, day: number, childIds: string[], hours: number) => (await seed.recorded(provider, program, month.day(day), childIds, hours))[0]!;
    const sessions: Record<number, Awaited<ReturnType<typeof session>>> = {};
    for (const day of [3, 10, 16, 18, 20, 22, 24, 26]) sessions[day] = await session(school, robotics, day, [one.childId], 1.5);
    expect(sessions[16]).toMatchObject({ sessionDate: month.day(16), status: 'RECORDED', minutes: 90 });
    // Recording the same session again is not a duplicate.
    expect((await session(school, robotics, 16, [one.childId], 1.5)).id).toBe(sessions[16]!.id);

    // The parent confirms four sessions, disputes one, and leaves the rest; days 3 and 10 are past the window.
    await seed.confirmed(one.family, [16, 18, 20, 22].map((d) => sessions[d]!.id));
    const dispute = await api.data(`mutation($id: ID!) { disputeAttendance(input: { attendanceId: $id, reason: "Ребёнок болел, не был на занятии" }) { attendance { status disputeReason } } }`, { id: sessions[24]!.id }, { token: one.family.token });
    expect(dispute.disputeAttendance.attendance.status).toBe('DISPUTED');
    const late = await confirm(one.family, [sessions[3]!.id]);
    expect(code(late)).toBe('CONFLICT');
    expect(late.body.errors?.[0]?.message).toMatch(/window/);

    // Child 2 switches from robotics to football on day 20: each provider is paid for its own sessions.
    const two = await seed.enrolled(robotics, city, month.day(1));
    // The family switches on day 20 (the request's own time).
    await api.operation<SwitchProgramMutation, SwitchProgramMutationVariables>(
      'SwitchProgram',
      { input: { enrollmentId: two.enrollmentId, programId: football, acceptTerms: true, personalDataConsent: true } },
      { token: two.family.token, at: new Date(`${month.day(20)}T00:00:00Z`) },
    );
    const before = [await session(school, robotics, 17, [two.childId], 1), await session(school, robotics, 19, [two.childId], 1)];
    const after = [await session(studio, football, 21, [two.childId], 2), await session(studio, football, 23, [two.childId], 2)];
    const notEnrolled = await record(studio, football, month.day(17), [two.childId]);
    expect(code(notEnrolled)).toBe('BAD_USER_INPUT');
    await seed.confirmed(two.family, [...before, ...after].map((s) => s.id));

    // Settle the month.
    const settlePeriod = await seed.settled(city, month.period);
    expect(settlePeriod).toMatchObject({ created: 2, budgetLimited: false });
    expect(settlePeriod.payments).toHaveLength(2);
    const schoolPayment = settlePeriod.payments.find((p) => p.provider.id === school.id)!;
    const studioPayment = settlePeriod.payments.find((p) => p.provider.id === studio.id)!;
    // School: child 1, 4 × 1.5 h = 6 h × 1,200 KZT = 7,200 KZT; child 2, 2 × 1 h = 2 h × 1,200 KZT = 2,400 KZT.
    expect(schoolPayment).toMatchObject({ sequence: 1, status: 'CALCULATED', amount: { tiyn: 960_000, currency: 'KZT' } });
    const schoolLines = await linesOf(schoolPayment.id, operator);
    const studioLines = await linesOf(studioPayment.id, operator);
    const lineOf = (lines: typeof schoolLines, enrollmentId: string) => lines.find((l) => l.enrollment.id === enrollmentId);
    expect(schoolLines).toHaveLength(2);
    expect(lineOf(schoolLines, one.enrollmentId)).toMatchObject({
      confirmedMinutes: 360,
      paidMinutes: 360,
      heldSessions: 4, // days 3 and 10 unconfirmed, 24 disputed, 26 still awaiting the parent
      amount: { tiyn: 720_000 },
      ratePerHour: { tiyn: 120_000 },
      attendances: [16, 18, 20, 22].map((d) => ({ sessionDate: month.day(d) })),
    });
    expect(lineOf(schoolLines, two.enrollmentId)).toMatchObject({ confirmedMinutes: 120, amount: { tiyn: 240_000 }, heldSessions: 0 });
    // Football: 2 × 2 h = 4 h × 1,000 KZT = 4,000 KZT.
    expect(studioPayment).toMatchObject({ sequence: 1, amount: { tiyn: 400_000 } });
    expect(studioLines).toHaveLength(1);
    const statuses = await api.sql(`select session_date::text as d, status from attendance where id in (?) order by session_date`, [[3, 10].map((d) => sessions[d]!.id)]);
    expect(statuses.map((s) => s.status)).toEqual(['UNCONFIRMED', 'UNCONFIRMED']);

    // Settling again with nothing new changes nothing.
    const again = await seed.settled(city, month.period);
    expect(again.created).toBe(0);
    expect(again.payments.map((p) => p.id).sort()).toEqual(settlePeriod.payments.map((p) => p.id).sort());

    // A session confirmed later, inside the window, goes into a supplementary payment, alone.
    await seed.confirmed(one.family, [sessions[26]!.id]);
    const supplementary = await seed.settled(city, month.period);
    expect(supplementary.created).toBe(1);
    expect(supplementary.payments).toHaveLength(3);
    const second = supplementary.payments.find((p) => p.provider.id === school.id && p.sequence === 2)!;
    expect(second).toMatchObject({ amount: { tiyn: 180_000 } });
    expect(await linesOf(second.id, operator)).toEqual([expect.objectContaining({ confirmedMinutes: 90, amount: { tiyn: 180_000 }, attendances: [{ sessionDate: month.day(26) }] })]);

    // The payment moves through its lifecycle; a retry with the same key returns the first result.
    const approve = `mutation($id: ID!, $key: String) { approvePayment(input: { paymentId: $id, idempotencyKey: $key }) { payment { status approvedAt } } }`;
    const first = await api.data(approve, { id: schoolPayment.id, key: 'approve-school-1' }, { token: operator });
    const retry = await api.data(approve, { id: schoolPayment.id, key: 'approve-school-1' }, { token: operator });
    expect(retry).toEqual(first);
    expect(code(await api.request(approve, { id: studioPayment.id, key: 'approve-school-1' }, { token: operator }))).toBe('CONFLICT');
    expect(code(await api.request(approve, { id: schoolPayment.id }, { token: operator }))).toBe('CONFLICT'); // already APPROVED
    const paid = await api.data(`mutation($id: ID!) { markPaymentPaid(input: { paymentId: $id, bankReference: "KZ-HALYK-2026-000123" }) { payment { status bankReference paidAt } } }`, { id: schoolPayment.id }, { token: operator });
    expect(paid.markPaymentPaid.payment).toMatchObject({ status: 'PAID', bankReference: 'KZ-HALYK-2026-000123' });

    // The provider reads its own payments and downloads the statement; another provider cannot.
    const own = await api.data(`{ payments { totalCount totalAmount { tiyn } edges { node { id } } } }`, {}, { token: school.token });
    expect(own.payments).toMatchObject({ totalCount: 2, totalAmount: { tiyn: 1_140_000 } });
    const csv = await api.post('', { token: school.token }, 'GET', `/exports/payments/${schoolPayment.id}.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const text = (csv.body as { raw: string }).raw;
    expect(text).toContain('9600.00');
    expect(text).toContain('7200.00');
    expect(text).toContain(`${month.day(16)} ${month.day(18)} ${month.day(20)} ${month.day(22)}`);
    expect((await api.post('', { token: studio.token }, 'GET', `/exports/payments/${schoolPayment.id}.csv`)).status).toBe(404);
    expect((await api.post('', {}, 'GET', `/exports/payments/${schoolPayment.id}.csv`)).status).toBe(401);
  });
});

describe.concurrent('money flows only to what is live', () => {
  /** This provider's lines for an enrollment, per payment sequence, after settling `period` in its city. */
  const settle = async (period: string, provider: ProviderHandle, enrollmentId: string) => {
    const { payments } = await seed.settled(provider.city, period);
    const operator = await seed.operator(provider.city);
    const lines = [];
    for (const payment of payments.filter((p) => p.provider.id === provider.id)) {
      for (const { enrollment, heldSessions, amount, attendances } of await linesOf(payment.id, operator)) {
        if (enrollment.id === enrollmentId) lines.push({ sequence: payment.sequence, enrollment, heldSessions, amount, attendances });
      }
    }
    return lines.sort((a, b) => a.sequence - b.sequence);
  };
  const recorded = async (provider: ProviderHandle, programId: string, date: string, childId: string) => (await seed.recorded(provider, programId, date, [childId]))[0]!;
  const voucherOf = async (token: string) => (await api.data(`{ myChildren { voucher { id } } }`, {}, { token })).myChildren[0].voucher.id as string;
  const setVoucher = async (city: string, action: 'suspendVoucher' | 'reinstateVoucher', voucherId: string) =>
    api.data(`mutation($id: ID!) { ${action}(input: { voucherId: $id, reason: "Проверка посещаемости" }) { voucher { status } } }`, { id: voucherId }, { token: await seed.operator(city) });
  const sessionsOf = async (enrollmentId: string) => (await api.sql(`select count(*)::int as n from attendance where enrollment_id = ?`, [enrollmentId]))[0]!.n as number;
  /** A paying city of the test's own with one approved school and its chess club. */
  const chessWorld = async () => {
    const { city, operator } = await payingCity();
    const club = await seed.provider({ city, kind: 'SCHOOL' }).approved();
    const chess = (await seed.program(club, { direction: 'EDUCATIONAL', minAge: 6, maxAge: 12, seats: 30, title: { kk: 'Шахмат', ru: 'Шахматы' } })).id;
    return { city, operator, club, chess };
  };

  it('a suspended voucher records nothing, and its confirmed sessions wait unpaid until it is reinstated', async ({ expect }) => {
    const { city, club, chess } = await chessWorld();
    const pupil = await seed.enrolled(chess, city, month.day(1));
    const session = await recorded(club, chess, month.day(20), pupil.childId);
    await seed.confirmed(pupil.family, [session.id]);
    const voucherId = await voucherOf(pupil.family.token);
    await setVoucher(city, 'suspendVoucher', voucherId);

    const refused = await record(club, chess, today(), [pupil.childId]);
    expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', field: 'input.childIds[0]' }, message: expect.stringMatching(/suspended/) });
    expect(await sessionsOf(pupil.enrollmentId)).toBe(1);

    // While suspended, the confirmed session is held on its line, not paid.
    const held = { sequence: 1, enrollment: { id: pupil.enrollmentId }, heldSessions: 1, amount: { tiyn: 0 }, attendances: [] };
    expect(await settle(month.period, club, pupil.enrollmentId)).toEqual([held]);
    // Reinstated, the next settlement pays it (1 h × 1,200 KZT) in a supplementary payment.
    await setVoucher(city, 'reinstateVoucher', voucherId);
    expect(await settle(month.period, club, pupil.enrollmentId)).toEqual([
      held,
      { sequence: 2, enrollment: { id: pupil.enrollmentId }, heldSessions: 0, amount: { tiyn: 120_000 }, attendances: [{ sessionDate: month.day(20) }] },
    ]);
  });

  it('a session on a day the voucher was suspended is neither confirmed nor paid, even after reinstatement', async ({ expect }) => {
    const { city, club, chess } = await chessWorld();
    const confirmedFirst = await seed.enrolled(chess, city, month.day(1));
    const answeredLater = await seed.enrolled(chess, city, month.day(1));
    const day = today();
    const [early, late] = [await recorded(club, chess, day, confirmedFirst.childId), await recorded(club, chess, day, answeredLater.childId)];
    await seed.confirmed(confirmedFirst.family, [early.id]);
    // Both vouchers are suspended for part of today, then reinstated.
    for (const family of [confirmedFirst.family, answeredLater.family]) {
      const voucherId = await voucherOf(family.token);
      await setVoucher(city, 'suspendVoucher', voucherId);
      await setVoucher(city, 'reinstateVoucher', voucherId);
    }
    const refused = await confirm(answeredLater.family, [late.id]);
    expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', field: 'input.attendanceIds[0]' }, message: expect.stringMatching(/suspended/) });
    expect((await api.sql(`select status from attendance where id = ?`, [late.id]))[0]!.status).toBe('RECORDED');
    // The city's first settlement of this month: nothing else of it was settled before.
    expect(await settle(day.slice(0, 7), club, confirmedFirst.enrollmentId)).toEqual([
      { sequence: 1, enrollment: { id: confirmedFirst.enrollmentId }, heldSessions: 1, amount: { tiyn: 0 }, attendances: [] },
    ]);
  });

  it('a suspended provider records nothing and is paid only once approved again; an inactive program records nothing', async ({ expect }) => {
    const { city, operator } = await payingCity();
    const studioOf = await seed.provider({ city, kind: 'PRIVATE' }).approved();
    const drawing = (await seed.program(studioOf, { direction: 'CREATIVE', minAge: 6, maxAge: 12, seats: 10, title: { kk: 'Сурет', ru: 'Рисование' } })).id;
    const pupil = await seed.enrolled(drawing, city, month.day(1));
    const session = await recorded(studioOf, drawing, month.day(21), pupil.childId);
    await seed.confirmed(pupil.family, [session.id]);

    await api.data(`mutation($id: ID!) { suspendProvider(input: { providerId: $id }) { provider { status } } }`, { id: studioOf.id }, { token: operator });
    const refused = await record(studioOf, drawing, today(), [pupil.childId]);
    expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT' }, message: expect.stringMatching(/SUSPENDED/) });
    expect(await sessionsOf(pupil.enrollmentId)).toBe(1);
    const held = { sequence: 1, enrollment: { id: pupil.enrollmentId }, heldSessions: 1, amount: { tiyn: 0 }, attendances: [] };
    expect(await settle(month.period, studioOf, pupil.enrollmentId)).toEqual([held]);

    await api.data(`mutation($id: ID!) { approveProvider(input: { providerId: $id }) { provider { status } } }`, { id: studioOf.id }, { token: operator });
    // CREATIVE keeps the default 1,500 KZT an hour.
    expect(await settle(month.period, studioOf, pupil.enrollmentId)).toEqual([
      held,
      { sequence: 2, enrollment: { id: pupil.enrollmentId }, heldSessions: 0, amount: { tiyn: 150_000 }, attendances: [{ sessionDate: month.day(21) }] },
    ]);

    await api.data(`mutation($id: ID!) { updateProgram(input: { programId: $id, active: false }) { program { active } } }`, { id: drawing }, { token: studioOf.token });
    const inactive = await record(studioOf, drawing, today(), [pupil.childId]);
    expect(inactive.body.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT' }, message: expect.stringMatching(/not active/) });
    expect(await sessionsOf(pupil.enrollmentId)).toBe(1);
  });
});
