// Pay only for confirmed attendance, end to end through GraphQL on real PostgreSQL. Applications
// and payments in this file are in ASTANA only. Figures are hand-computed in tiyn.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { previousMonth, type ProviderHandle, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
});
afterAll(() => api?.close());

const CITY = 'ASTANA';
const month = previousMonth();
const code = (res: any) => res.body.errors?.[0]?.extensions?.code;

const RECORD = `mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { attendances { id sessionDate status minutes } } }`;
const CONFIRM = `mutation($ids: [ID!]!, $key: String) { confirmAttendance(input: { attendanceIds: $ids, idempotencyKey: $key }) { attendances { id status } } }`;
const SETTLE = `mutation($key: String) { settlePeriod(input: { city: "ASTANA", period: "${month.period}", idempotencyKey: $key }) {
  created budgetLimited
  payments { id sequence status amount { tiyn currency } provider { id } }
} }`;
/** A payment's lines: every payment of a settlement with every line and session would cost too much (src/schema/list-limits.ts). */
const LINES = `query($id: ID!) { payment(id: $id) { lines { confirmedMinutes paidMinutes heldSessions amount { tiyn } ratePerHour { tiyn } enrollment { id } attendances { sessionDate } } } }`;

describe('paying only for confirmed attendance', () => {
  let school: ProviderHandle;
  let studio: ProviderHandle;
  let robotics: string;
  let football: string;

  beforeAll(async () => {
    const operator = await seed.operator(CITY);
    await api.data(
      `mutation($w: Int!) { updateCityRules(input: { city: "ASTANA", confirmationWindowDays: $w, rates: [{ direction: EDUCATIONAL, tiynPerHour: 120000 }, { direction: SPORTS, tiynPerHour: 100000 }] }) { rules { version } } }`,
      { w: month.windowDays },
      { token: operator },
    );
    school = await seed.provider({ city: CITY, kind: 'SCHOOL' }).approved();
    studio = await seed.provider({ city: CITY, kind: 'PRIVATE' }).approved();
    robotics = (await seed.program(school, { direction: 'EDUCATIONAL', minAge: 6, maxAge: 12, seats: 30 })).id;
    football = (await seed.program(studio, { direction: 'SPORTS', minAge: 6, maxAge: 12, seats: 30, title: { kk: 'Футбол', ru: 'Футбол' } })).id;
  });

  it('pays confirmed hours × rate, holds only the disputed line, ignores sessions past the window, and splits a mid-month switch', async () => {
    // Child 1 attends robotics all month.
    const one = await seed.enrolled(robotics, CITY, month.day(1));
    const record = (program: string, day: number, childIds: string[], hours: number, token = school.token) =>
      api.data(RECORD, { input: { programId: program, date: month.day(day), childIds, hours } }, { token }).then((r) => r.recordAttendance.attendances[0]);
    const sessions: Record<number, any> = {};
    for (const day of [3, 10, 16, 18, 20, 22, 24, 26]) sessions[day] = await record(robotics, day, [one.childId], 1.5);
    expect(sessions[16]).toMatchObject({ sessionDate: month.day(16), status: 'RECORDED', minutes: 90 });
    // Recording the same session again is not a duplicate.
    expect((await record(robotics, 16, [one.childId], 1.5)).id).toBe(sessions[16].id);

    // The parent confirms four sessions, disputes one, and leaves the rest; days 3 and 10 are past the window.
    await api.data(CONFIRM, { ids: [16, 18, 20, 22].map((d) => sessions[d].id) }, { token: one.family.token });
    const dispute = await api.data(`mutation($id: ID!) { disputeAttendance(input: { attendanceId: $id, reason: "Ребёнок болел, не был на занятии" }) { attendance { status disputeReason } } }`, { id: sessions[24].id }, { token: one.family.token });
    expect(dispute.disputeAttendance.attendance.status).toBe('DISPUTED');
    const late = await api.request(CONFIRM, { ids: [sessions[3].id] }, { token: one.family.token });
    expect(code(late)).toBe('CONFLICT');
    expect(late.body.errors?.[0]?.message).toMatch(/window/);

    // Child 2 switches from robotics to football on day 20: each provider is paid for its own sessions.
    const two = await seed.enrolled(robotics, CITY, month.day(1));
    const { switchProgram } = await api.data(`mutation($e: ID!, $p: ID!) { switchProgram(input: { enrollmentId: $e, programId: $p }) { enrollment { id } } }`, { e: two.enrollmentId, p: football }, { token: two.family.token });
    await api.sql(`update enrollment set ended_at = ?::date where id = ?`, [month.day(20), two.enrollmentId]);
    await api.sql(`update enrollment set started_at = ?::date where id = ?`, [month.day(20), switchProgram.enrollment.id]);
    const before = [await record(robotics, 17, [two.childId], 1), await record(robotics, 19, [two.childId], 1)];
    const after = [await record(football, 21, [two.childId], 2, studio.token), await record(football, 23, [two.childId], 2, studio.token)];
    const notEnrolled = await api.request(RECORD, { input: { programId: football, date: month.day(17), childIds: [two.childId], hours: 1 } }, { token: studio.token });
    expect(code(notEnrolled)).toBe('BAD_USER_INPUT');
    await api.data(CONFIRM, { ids: [...before, ...after].map((s) => s.id) }, { token: two.family.token });

    // Settle the month.
    const operator = await seed.operator(CITY);
    const { settlePeriod } = await api.data(SETTLE, {}, { token: operator });
    expect(settlePeriod).toMatchObject({ created: 2, budgetLimited: false });
    const schoolPayment = settlePeriod.payments.find((p: any) => p.provider.id === school.id);
    const studioPayment = settlePeriod.payments.find((p: any) => p.provider.id === studio.id);
    // School: child 1, 4 × 1.5 h = 6 h × 1,200 KZT = 7,200 KZT; child 2, 2 × 1 h = 2 h × 1,200 KZT = 2,400 KZT.
    expect(schoolPayment).toMatchObject({ sequence: 1, status: 'CALCULATED', amount: { tiyn: 960_000, currency: 'KZT' } });
    const linesOf = async (payment: any) => (await api.data(LINES, { id: payment.id }, { token: operator })).payment.lines;
    schoolPayment.lines = await linesOf(schoolPayment);
    studioPayment.lines = await linesOf(studioPayment);
    const lineOf = (payment: any, enrollmentId: string) => payment.lines.find((l: any) => l.enrollment.id === enrollmentId);
    expect(lineOf(schoolPayment, one.enrollmentId)).toMatchObject({
      confirmedMinutes: 360,
      paidMinutes: 360,
      heldSessions: 4, // days 3 and 10 unconfirmed, 24 disputed, 26 still awaiting the parent
      amount: { tiyn: 720_000 },
      ratePerHour: { tiyn: 120_000 },
      attendances: [16, 18, 20, 22].map((d) => ({ sessionDate: month.day(d) })),
    });
    expect(lineOf(schoolPayment, two.enrollmentId)).toMatchObject({ confirmedMinutes: 120, amount: { tiyn: 240_000 }, heldSessions: 0 });
    // Football: 2 × 2 h = 4 h × 1,000 KZT = 4,000 KZT.
    expect(studioPayment).toMatchObject({ sequence: 1, amount: { tiyn: 400_000 } });
    expect(studioPayment.lines).toHaveLength(1);
    const statuses = await api.sql(`select session_date::text as d, status from attendance where id in (?) order by session_date`, [[3, 10].map((d) => sessions[d].id)]);
    expect(statuses.map((s) => s.status)).toEqual(['UNCONFIRMED', 'UNCONFIRMED']);

    // Settling again with nothing new changes nothing.
    const again = await api.data(SETTLE, {}, { token: operator });
    expect(again.settlePeriod.created).toBe(0);
    expect(again.settlePeriod.payments.map((p: any) => p.id).sort()).toEqual(settlePeriod.payments.map((p: any) => p.id).sort());

    // A session confirmed later, inside the window, goes into a supplementary payment, alone.
    await api.data(CONFIRM, { ids: [sessions[26].id] }, { token: one.family.token });
    const supplementary = await api.data(SETTLE, {}, { token: operator });
    expect(supplementary.settlePeriod.created).toBe(1);
    const second = supplementary.settlePeriod.payments.find((p: any) => p.provider.id === school.id && p.sequence === 2);
    expect(second).toMatchObject({ amount: { tiyn: 180_000 } });
    expect(await linesOf(second)).toEqual([expect.objectContaining({ confirmedMinutes: 90, amount: { tiyn: 180_000 }, attendances: [{ sessionDate: month.day(26) }] })]);

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

describe('money flows only to what is live', () => {
  // A provider of this block's own, so the settlements below pay (or hold) only its sessions.
  let club: ProviderHandle;
  let chess: string;
  let operator: string;
  const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Almaty' }).format(new Date());
  const SETTLE_MONTH = `mutation($period: String!) { settlePeriod(input: { city: "ASTANA", period: $period }) { payments { id sequence provider { id } } } }`;
  const LINES = `query($id: ID!) { payment(id: $id) { lines { enrollment { id } heldSessions amount { tiyn } attendances { sessionDate } } } }`;
  /** This provider's lines for an enrollment, per payment sequence, after settling `period`. */
  const settle = async (period: string, provider: ProviderHandle, enrollmentId: string) => {
    const { settlePeriod } = await api.data(SETTLE_MONTH, { period }, { token: operator });
    const lines = [];
    for (const payment of settlePeriod.payments.filter((p: any) => p.provider.id === provider.id)) {
      const { payment: read } = await api.data(LINES, { id: payment.id }, { token: operator });
      lines.push(...read.lines.filter((l: any) => l.enrollment.id === enrollmentId).map((l: any) => ({ sequence: payment.sequence, ...l })));
    }
    return lines.sort((a: any, b: any) => a.sequence - b.sequence);
  };
  const record = (provider: ProviderHandle, programId: string, date: string, childId: string) =>
    api.request(RECORD, { input: { programId, date, childIds: [childId], hours: 1 } }, { token: provider.token });
  const recorded = async (provider: ProviderHandle, programId: string, date: string, childId: string) =>
    (await api.data(RECORD, { input: { programId, date, childIds: [childId], hours: 1 } }, { token: provider.token })).recordAttendance.attendances[0];
  const voucherOf = async (token: string) => (await api.data(`{ myChildren { voucher { id } } }`, {}, { token })).myChildren[0].voucher.id as string;
  const setVoucher = (action: 'suspendVoucher' | 'reinstateVoucher', voucherId: string) =>
    api.data(`mutation($id: ID!) { ${action}(input: { voucherId: $id, reason: "Проверка посещаемости" }) { voucher { status } } }`, { id: voucherId }, { token: operator });
  const sessionsOf = async (enrollmentId: string) => (await api.sql(`select count(*)::int as n from attendance where enrollment_id = ?`, [enrollmentId]))[0]!.n as number;

  beforeAll(async () => {
    operator = await seed.operator(CITY);
    club = await seed.provider({ city: CITY, kind: 'SCHOOL' }).approved();
    chess = (await seed.program(club, { direction: 'EDUCATIONAL', minAge: 6, maxAge: 12, seats: 30, title: { kk: 'Шахмат', ru: 'Шахматы' } })).id;
  });

  it('a suspended voucher records nothing, and its confirmed sessions wait unpaid until it is reinstated', async () => {
    const pupil = await seed.enrolled(chess, CITY, month.day(1));
    const session = await recorded(club, chess, month.day(20), pupil.childId);
    await api.data(CONFIRM, { ids: [session.id] }, { token: pupil.family.token });
    const voucherId = await voucherOf(pupil.family.token);
    await setVoucher('suspendVoucher', voucherId);

    const refused = await record(club, chess, today(), pupil.childId);
    expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', field: 'input.childIds[0]' }, message: expect.stringMatching(/suspended/) });
    expect(await sessionsOf(pupil.enrollmentId)).toBe(1);

    // While suspended, the confirmed session is held on its line, not paid.
    expect(await settle(month.period, club, pupil.enrollmentId)).toEqual([{ sequence: 1, enrollment: { id: pupil.enrollmentId }, heldSessions: 1, amount: { tiyn: 0 }, attendances: [] }]);
    // Reinstated, the next settlement pays it (1 h × 1,200 KZT) in a supplementary payment.
    await setVoucher('reinstateVoucher', voucherId);
    expect((await settle(month.period, club, pupil.enrollmentId))[1]).toEqual({
      sequence: 2,
      enrollment: { id: pupil.enrollmentId },
      heldSessions: 0,
      amount: { tiyn: 120_000 },
      attendances: [{ sessionDate: month.day(20) }],
    });
  });

  it('a session on a day the voucher was suspended is neither confirmed nor paid, even after reinstatement', async () => {
    const confirmedFirst = await seed.enrolled(chess, CITY, month.day(1));
    const answeredLater = await seed.enrolled(chess, CITY, month.day(1));
    const day = today();
    const [early, late] = [
      await recorded(club, chess, day, confirmedFirst.childId),
      await recorded(club, chess, day, answeredLater.childId),
    ];
    await api.data(CONFIRM, { ids: [early.id] }, { token: confirmedFirst.family.token });
    // Both vouchers are suspended for part of today, then reinstated.
    for (const family of [confirmedFirst.family, answeredLater.family]) {
      const voucherId = await voucherOf(family.token);
      await setVoucher('suspendVoucher', voucherId);
      await setVoucher('reinstateVoucher', voucherId);
    }
    const refused = await api.request(CONFIRM, { ids: [late.id] }, { token: answeredLater.family.token });
    expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', field: 'input.attendanceIds[0]' }, message: expect.stringMatching(/suspended/) });
    expect((await api.sql(`select status from attendance where id = ?`, [late.id]))[0]!.status).toBe('RECORDED');
    expect(await settle(day.slice(0, 7), club, confirmedFirst.enrollmentId)).toEqual([
      { sequence: expect.any(Number), enrollment: { id: confirmedFirst.enrollmentId }, heldSessions: 1, amount: { tiyn: 0 }, attendances: [] },
    ]);
  });

  it('a suspended provider records nothing and is paid only once approved again; an inactive program records nothing', async () => {
    const studioOf = await seed.provider({ city: CITY, kind: 'PRIVATE' }).approved();
    const drawing = (await seed.program(studioOf, { direction: 'CREATIVE', minAge: 6, maxAge: 12, seats: 10, title: { kk: 'Сурет', ru: 'Рисование' } })).id;
    const pupil = await seed.enrolled(drawing, CITY, month.day(1));
    const session = await recorded(studioOf, drawing, month.day(21), pupil.childId);
    await api.data(CONFIRM, { ids: [session.id] }, { token: pupil.family.token });

    await api.data(`mutation($id: ID!) { suspendProvider(input: { providerId: $id }) { provider { status } } }`, { id: studioOf.id }, { token: operator });
    const refused = await record(studioOf, drawing, today(), pupil.childId);
    expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT' }, message: expect.stringMatching(/SUSPENDED/) });
    expect(await sessionsOf(pupil.enrollmentId)).toBe(1);
    expect(await settle(month.period, studioOf, pupil.enrollmentId)).toEqual([{ sequence: 1, enrollment: { id: pupil.enrollmentId }, heldSessions: 1, amount: { tiyn: 0 }, attendances: [] }]);

    await api.data(`mutation($id: ID!) { approveProvider(input: { providerId: $id }) { provider { status } } }`, { id: studioOf.id }, { token: operator });
    // CREATIVE keeps the default 1,500 KZT an hour.
    expect((await settle(month.period, studioOf, pupil.enrollmentId))[1]).toMatchObject({ sequence: 2, heldSessions: 0, amount: { tiyn: 150_000 } });

    await api.data(`mutation($id: ID!) { updateProgram(input: { programId: $id, active: false }) { program { active } } }`, { id: drawing }, { token: studioOf.token });
    const inactive = await record(studioOf, drawing, today(), pupil.childId);
    expect(inactive.body.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT' }, message: expect.stringMatching(/not active/) });
    expect(await sessionsOf(pupil.enrollmentId)).toBe(1);
  });
});
