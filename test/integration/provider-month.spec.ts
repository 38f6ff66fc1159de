// Issue 13 §2, the provider's working month, told as the month goes: the provider reads its roster,
// records the month in one sheet (by GraphQL, and again by CSV with a bad line that writes nothing),
// a holiday session is flagged and held from settlement while everything else is paid, and the
// operator clears it into a supplementary payment. Then the refusals, the city's REFUSE rules, and
// two submissions at once. Each test has a city of its own (seed.city()); sessions are last month's.
import { afterAll, beforeAll, describe, it } from 'vitest';
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
const code = (res: any) => res.body.errors?.[0]?.extensions?.code;
/** ISO weekday (1 = Monday) of a YYYY-MM-DD date. */
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
/** A club meeting every day of the week, 15:00–16:30 (90 minutes). */
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7].map((d) => ({ weekday: d, startsAt: '15:00', endsAt: '16:30' }));

const RECORD = `mutation($input: RecordTimesheetInput!) {
  recordTimesheet(input: $input) {
    timesheet { id month version } created changed withdrawn keptDecided sessionCount
    flagged { id sessionDate minutes flags status }
  }
}`;
const SESSIONS = `query($filter: AttendanceFilter) { attendances(filter: $filter, first: 100) { totalCount edges { node { id sessionDate minutes status flags flagsClearedAt enrollment { id } } } } }`;

/** A city of the test's own whose parents may confirm all of last month, with an approved school and an every-day club. */
async function world() {
  const city = await seed.city();
  await seed.rules(city, { confirmationWindowDays: 60 });
  const school = await seed.provider({ city, kind: 'SCHOOL' }).approved();
  const program = (await seed.program(school, { schedule: EVERY_DAY, seats: 30 })).id;
  return { city, operator: await seed.operator(city), school, program };
}
const sheet = (provider: ProviderHandle, input: Record<string, unknown>): Promise<any> => api.request(RECORD, { input }, { token: provider.token });
const sessionsOf = async (token: string, programId: string) => (await api.data(SESSIONS, { filter: { programId } }, { token })).attendances;
const csv = (provider: ProviderHandle, program: string, period: string, body: string): Promise<any> =>
  api.post(body, { token: provider.token, headers: { 'content-type': 'text/csv' } }, 'POST', `/imports/timesheets/${program}/${period}`);

describe.concurrent("the provider's working month", () => {
  it('reads the roster, records the month at once, keeps what parents answered, and holds only the holiday session until the operator clears it', async ({ expect }) => {
    const { city, operator, school, program } = await world();
    const aida = await seed.enrolled(program, city, month.day(1));
    const bolat = await seed.enrolled(program, city, month.day(1));
    const holiday = month.day(8);
    const setHolidays = await api.data(
      `mutation($input: SetHolidaysInput!) { setHolidays(input: $input) { holidays { date name } } }`,
      { input: { city, year: month.period.slice(0, 4), holidays: [{ date: holiday, name: 'Наурыз' }] } },
      { token: operator },
    );
    expect(setHolidays.setHolidays.holidays).toEqual([{ date: holiday, name: 'Наурыз' }]);

    // The roster: both children, name and age only, with their enrollment dates.
    const roster = await api.data(
      `query($id: ID!) { myRoster(first: 10) { totalCount edges { node { id status startedAt endedAt child { fullName age } program { id } } } }
                         program(id: $id) { enrollments(status: ACTIVE) { totalCount edges { node { id } } } } }`,
      { id: program },
      { token: school.token },
    );
    expect(roster.myRoster.totalCount).toBe(2);
    expect(roster.myRoster.edges.map((e: any) => e.node.id)).toEqual([aida.enrollmentId, bolat.enrollmentId]);
    expect(roster.myRoster.edges[0].node).toMatchObject({ status: 'ACTIVE', startedAt: `${month.day(1)}T00:00:00.000Z`, endedAt: null, child: { fullName: 'Бала 1' }, program: { id: program } });
    expect(roster.myRoster.edges[0].node.child.age).toBeGreaterThanOrEqual(9);
    expect(roster.program.enrollments.totalCount).toBe(2);
    // Name and age, nothing more: the IIN stays hidden from the provider.
    const iin = await api.request(`{ myRoster { edges { node { child { iin } } } } }`, {}, { token: school.token });
    expect(code(iin)).toBe('FORBIDDEN');

    // The whole month at once: Aida on days 1, 3, 8 (a holiday) and 10; Bolat on 2 and 3.
    const first = {
      programId: program,
      month: month.period,
      rows: [
        { enrollmentId: aida.enrollmentId, sessions: [1, 3, 8, 10].map((d) => ({ date: month.day(d), minutes: 90 })) },
        { enrollmentId: bolat.enrollmentId, sessions: [2, 3].map((d) => ({ date: month.day(d), minutes: 60 })) },
      ],
    };
    const recorded = (await sheet(school, first)).body.data.recordTimesheet;
    expect(recorded).toMatchObject({ timesheet: { month: month.period, version: 1 }, created: 6, changed: 0, withdrawn: 0, keptDecided: 0, sessionCount: 6 });
    expect(recorded.flagged).toMatchObject([{ sessionDate: holiday, minutes: 90, flags: ['HOLIDAY'], status: 'RECORDED' }]);

    // The same sheet again, rows in another order: nothing changes.
    const again = (await sheet(school, { ...first, rows: [...first.rows].reverse() })).body.data.recordTimesheet;
    expect(again).toMatchObject({ timesheet: { id: recorded.timesheet.id, version: 1 }, created: 0, changed: 0, withdrawn: 0, sessionCount: 6 });

    // Aida's parent confirms days 1, 3 and the holiday; then the provider corrects the sheet.
    const mine = (await sessionsOf(aida.family.token, program)).edges.map((e: any) => e.node);
    const day = (d: number) => mine.find((s: any) => s.sessionDate === month.day(d))!.id as string;
    await seed.confirmed(aida.family, [day(1), day(3), day(8)]);
    const corrected = (
      await sheet(school, {
        programId: program,
        month: month.period,
        rows: [
          // Day 1 "60 minutes" is already confirmed at 90: kept. Day 3 left out: confirmed, kept. Day 10 shortened, day 15 added.
          { enrollmentId: aida.enrollmentId, sessions: [{ date: month.day(1), minutes: 60 }, { date: month.day(10), minutes: 45 }, { date: month.day(15), minutes: 90 }] },
          // Bolat's day 2 is withdrawn (not yet answered).
          { enrollmentId: bolat.enrollmentId, sessions: [{ date: month.day(3), minutes: 60 }] },
        ],
      })
    ).body.data.recordTimesheet;
    expect(corrected).toMatchObject({ timesheet: { version: 2 }, created: 1, changed: 1, withdrawn: 1, keptDecided: 1, sessionCount: 6 });
    const now = (await sessionsOf(school.token, program)).edges.map((e: any) => e.node);
    expect(now.map((s: any) => [s.enrollment.id === aida.enrollmentId ? 'aida' : 'bolat', s.sessionDate, s.minutes, s.status]).sort()).toEqual(
      [
        ['aida', month.day(1), 90, 'CONFIRMED'],
        ['aida', month.day(3), 90, 'CONFIRMED'],
        ['aida', month.day(8), 90, 'CONFIRMED'],
        ['aida', month.day(10), 45, 'RECORDED'],
        ['aida', month.day(15), 90, 'RECORDED'],
        ['bolat', month.day(3), 60, 'RECORDED'],
      ].sort(),
    );

    // Everyone confirms the rest; the month is settled: everything but the flagged holiday session is paid.
    const open = (token: string) => sessionsOf(token, program).then((c) => c.edges.map((e: any) => e.node).filter((s: any) => s.status === 'RECORDED').map((s: any) => s.id));
    await seed.confirmed(aida.family, await open(aida.family.token));
    await seed.confirmed(bolat.family, await open(bolat.family.token));
    const settled = await seed.settled(city, month.period);
    expect(settled.payments.map((p) => [p.sequence, p.amount.tiyn])).toEqual([[1, ((90 + 90 + 45 + 90 + 60) * 150000) / 60]]);
    const lines = (await api.data(`query($id: ID!) { payment(id: $id) { lines { paidMinutes heldSessions enrollment { id } } } }`, { id: settled.payments[0]!.id }, { token: operator })).payment.lines;
    expect(lines.find((l: any) => l.enrollment.id === aida.enrollmentId)).toMatchObject({ paidMinutes: 90 + 90 + 45 + 90, heldSessions: 1 });

    // The operator's review list holds the one flagged session; clearing it pays it in a supplementary payment.
    const REVIEW = `query($city: String!, $status: FlagReviewStatus) { flaggedSessions(city: $city, status: $status) { totalCount edges { node { id sessionDate flags flagsClearedAt } } } }`;
    const review = (await api.data(REVIEW, { city }, { token: operator })).flaggedSessions;
    expect(review.totalCount).toBe(1);
    expect(review.edges[0].node).toMatchObject({ id: day(8), sessionDate: holiday, flags: ['HOLIDAY'], flagsClearedAt: null });
    const notYours = await api.request(REVIEW, { city }, { token: await seed.operator('ASTANA') });
    expect(code(notYours)).toBe('FORBIDDEN');
    const cleared = await api.data(
      `mutation($ids: [ID!]!) { clearSessionFlags(input: { attendanceIds: $ids, note: "Занятие перенесено приказом" }) { attendances { id flags flagsClearedAt } } }`,
      { ids: [day(8)] },
      { token: operator },
    );
    expect(cleared.clearSessionFlags.attendances[0].flagsClearedAt).not.toBeNull();
    expect((await api.data(REVIEW, { city }, { token: operator })).flaggedSessions.totalCount).toBe(0);
    expect((await api.data(REVIEW, { city, status: 'CLEARED' }, { token: operator })).flaggedSessions.totalCount).toBe(1);
    const supplementary = await seed.settled(city, month.period);
    expect(supplementary.payments.map((p) => [p.sequence, p.amount.tiyn])).toEqual([
      [1, ((90 + 90 + 45 + 90 + 60) * 150000) / 60],
      [2, (90 * 150000) / 60],
    ]);
  });

  it('takes the same month as a CSV upload; a bad line is reported with its number and nothing of the sheet is written', async ({ expect }) => {
    const { city, school, program } = await world();
    const a = await seed.enrolled(program, city, month.day(1));
    const b = await seed.enrolled(program, city, month.day(1));
    const good = `enrollment_id,date,minutes\r\n${a.enrollmentId},${month.day(2)},90\r\n${a.enrollmentId},${month.day(4)},90\r\n${b.enrollmentId},${month.day(2)},60\r\n`;

    // Line 4 has a date that does not exist; lines 2 and 3 are fine, and still nothing is written.
    const bad = await csv(school, program, month.period, good.replace(`${b.enrollmentId},${month.day(2)},60`, `${b.enrollmentId},${month.period}-32,60`));
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', line: 4 } });
    expect(bad.body.errors[0].message).toMatch(/^Line 4: /);
    // A line with a missing column, and a header that is not the format's.
    const short = await csv(school, program, month.period, `enrollment_id,date,minutes\n${a.enrollmentId},${month.day(2)},90\n${a.enrollmentId},${month.day(3)}\n`);
    expect(short.body.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', line: 3 } });
    const header = await csv(school, program, month.period, `child,date,hours\n${a.enrollmentId},${month.day(2)},1\n`);
    expect(header.body.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', line: 1 } });
    // A line past the checks of the month: a session in the future (line 3).
    const future = await csv(school, program, month.period, `enrollment_id,date,minutes\n${a.enrollmentId},${month.day(2)},90\n${a.enrollmentId},2099-01-01,90\n`);
    expect(future.body.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', line: 3 } });
    expect((await sessionsOf(school.token, program)).totalCount).toBe(0);

    const unsigned: any = await api.post(good, { headers: { 'content-type': 'text/csv' } }, 'POST', `/imports/timesheets/${program}/${month.period}`);
    expect(unsigned.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');

    const ok = await csv(school, program, month.period, '\uFEFF' + good);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ timesheet: { month: month.period, version: 1 }, created: 3, withdrawn: 0, sessionCount: 3, flagged: [] });
    // The same file again changes nothing; the GraphQL sheet of the same content is the same sheet.
    expect((await csv(school, program, month.period, good)).body).toMatchObject({ timesheet: { id: ok.body.timesheet.id, version: 1 }, created: 0, changed: 0 });
    const byGraphql = await sheet(school, {
      programId: program,
      month: month.period,
      rows: [
        { enrollmentId: b.enrollmentId, sessions: [{ date: month.day(2), minutes: 60 }] },
        { enrollmentId: a.enrollmentId, sessions: [{ date: month.day(4), minutes: 90 }, { date: month.day(2), minutes: 90 }] },
      ],
    });
    expect(byGraphql.body.data.recordTimesheet).toMatchObject({ timesheet: { id: ok.body.timesheet.id, version: 1 }, created: 0 });
    const rows = (await sessionsOf(school.token, program)).edges.map((e: any) => [e.node.enrollment.id, e.node.sessionDate, e.node.minutes]);
    expect(rows.sort()).toEqual([[a.enrollmentId, month.day(2), 90], [a.enrollmentId, month.day(4), 90], [b.enrollmentId, month.day(2), 60]].sort());
  });

  it('refuses a sheet for another provider’s program, a session in the future, a bad line and an approved month, writing nothing', async ({ expect }) => {
    const { city, operator, school, program } = await world();
    const other = await seed.provider({ city }).approved();
    const otherProgram = (await seed.program(other, { schedule: EVERY_DAY })).id;
    const child = await seed.enrolled(program, city, month.day(1));
    const elsewhere = await seed.enrolled(otherProgram, city, month.day(1));
    const row = (sessions: { date: string; minutes: number }[], enrollmentId = child.enrollmentId) => ({ programId: program, month: month.period, rows: [{ enrollmentId, sessions }] });

    expect(code(await sheet(other, row([{ date: month.day(2), minutes: 90 }])))).toBe('FORBIDDEN');
    expect(code(await sheet(school, { ...row([{ date: month.day(2), minutes: 90 }]), programId: '01900000-0000-7000-8000-000000000000' }))).toBe('NOT_FOUND');
    expect(code(await sheet(school, { ...row([]), month: '2099-01' }))).toBe('BAD_USER_INPUT');
    const cases: [unknown[], string][] = [
      [[{ date: '2099-01-01', minutes: 90 }], 'input.rows[0].sessions[0]'],
      [[{ date: month.day(2), minutes: 90 }, { date: month.day(2), minutes: 30 }], 'input.rows[0].sessions[1]'],
      [[{ date: month.day(2), minutes: 0 }], 'input.rows[0].sessions[0]'],
      [[{ date: month.day(2), minutes: 601 }], 'input.rows[0].sessions[0]'],
    ];
    for (const [sessions, field] of cases) {
      const res = await sheet(school, row(sessions as never));
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.body.errors[0].extensions.field).toBe(field);
    }
    // Another program's enrollment is not on this program's sheet.
    const foreign = await sheet(school, row([{ date: month.day(2), minutes: 90 }], elsewhere.enrollmentId));
    expect(code(foreign)).toBe('BAD_USER_INPUT');
    expect(foreign.body.errors[0].extensions.field).toBe('input.rows[0].enrollmentId');
    expect((await sessionsOf(school.token, program)).totalCount).toBe(0);

    // A month settled and approved is closed to sheets.
    await sheet(school, row([{ date: month.day(2), minutes: 90 }]));
    const [session] = (await sessionsOf(child.family.token, program)).edges.map((e: any) => e.node.id);
    await seed.confirmed(child.family, [session]);
    const settled = await seed.settled(city, month.period);
    await api.data(`mutation($id: ID!) { approvePayment(input: { paymentId: $id }) { payment { status } } }`, { id: settled.payments[0]!.id }, { token: operator });
    const late = await sheet(school, row([{ date: month.day(2), minutes: 90 }, { date: month.day(3), minutes: 90 }]));
    expect(code(late)).toBe('CONFLICT');
    expect((await sessionsOf(school.token, program)).totalCount).toBe(1);
  });

  it("checks sessions against the schedule and the voucher's suspension, refusing or flagging per the city's rules", async ({ expect }) => {
    const { city, operator, school } = await world();
    // Tuesdays only, 15:00–16:30.
    const tuesdays = (await seed.program(school, { schedule: [{ weekday: 2, startsAt: '15:00', endsAt: '16:30' }] })).id;
    const child = await seed.enrolled(tuesdays, city, month.day(1));
    const days = Array.from({ length: 28 }, (_, i) => month.day(i + 1));
    const tuesday = days.find((d) => weekday(d) === 2)!;
    const wednesday = days.find((d) => weekday(d) === 3)!;
    const input = (sessions: { date: string; minutes: number }[]) => ({ programId: tuesdays, month: month.period, rows: [{ enrollmentId: child.enrollmentId, sessions }] });

    // By default both are flagged: a Wednesday (no slot) and a Tuesday of 120 minutes (slot of 90).
    const flagged = (await sheet(school, input([{ date: tuesday, minutes: 120 }, { date: wednesday, minutes: 90 }]))).body.data.recordTimesheet;
    expect(flagged.flagged.map((s: any) => [s.sessionDate, s.flags]).sort()).toEqual([[tuesday, ['OVER_SLOT']], [wednesday, ['OFF_SCHEDULE']]].sort());

    // The city refuses sessions off the schedule: the same sheet is refused and the flagged sessions stay as they were.
    await seed.rules(city, { timesheetChecks: [{ check: 'OFF_SCHEDULE', action: 'REFUSE' }] });
    const rules = await api.data(`query($c: String!) { cityRules(city: $c) { timesheetChecks { check action } } }`, { c: city });
    expect(rules.cityRules.timesheetChecks).toContainEqual({ check: 'OFF_SCHEDULE', action: 'REFUSE' });
    const refused = await sheet(school, input([{ date: tuesday, minutes: 90 }, { date: wednesday, minutes: 60 }]));
    expect(code(refused)).toBe('BAD_USER_INPUT');
    expect(refused.body.errors[0].extensions.field).toBe('input.rows[0].sessions[1]');
    expect(refused.body.errors[0].message).toMatch(/OFF_SCHEDULE/);
    expect((await sessionsOf(school.token, tuesdays)).edges.map((e: any) => [e.node.sessionDate, e.node.minutes]).sort()).toEqual([[tuesday, 120], [wednesday, 90]].sort());

    // A session after the voucher was suspended is refused (the default rule).
    const voucher = (await api.data(`{ myRoster { edges { node { voucher { id } } } } }`, {}, { token: school.token })).myRoster.edges[0].node.voucher.id;
    await api.data(`mutation($v: ID!) { suspendVoucher(input: { voucherId: $v, reason: "Проверка документов" }) { voucher { status } } }`, { v: voucher }, { token: operator, at: new Date(`${month.day(20)}T06:00:00Z`) });
    const laterTuesday = days.filter((d) => weekday(d) === 2 && d > month.day(20))[0]!;
    const suspended = await sheet(school, input([{ date: tuesday, minutes: 90 }, { date: laterTuesday, minutes: 90 }]));
    expect(code(suspended)).toBe('BAD_USER_INPUT');
    expect(suspended.body.errors[0].message).toMatch(/SUSPENDED/);
  });

  it('flags a child recorded at two providers at overlapping times, and not one whose clubs meet apart', async ({ expect }) => {
    const { city, operator, school, program } = await world();
    const studio = await seed.provider({ city, kind: 'PRIVATE' }).approved();
    // The studio's club meets every day at 15:30 (overlapping the school's 15:00–16:30); its late group at 17:00.
    const early = (await seed.program(studio, { schedule: EVERY_DAY.map((s) => ({ ...s, startsAt: '15:30', endsAt: '17:00' })) })).id;
    const late = (await seed.program(studio, { schedule: EVERY_DAY.map((s) => ({ ...s, startsAt: '17:00', endsAt: '18:30' })) })).id;
    const switched = async (to: string) => {
      const child = await seed.enrolled(program, city, month.day(1));
      // The family switches clubs on day 20: both enrollments cover that day.
      const { switchProgram } = await api.data(
        `mutation($input: SwitchProgramInput!) { switchProgram(input: $input) { enrollment { id } } }`,
        { input: { enrollmentId: child.enrollmentId, programId: to, acceptTerms: true, personalDataConsent: true } },
        { token: child.family.token, at: new Date(`${month.day(20)}T06:00:00Z`) },
      );
      return { before: child.enrollmentId, after: switchProgram.enrollment.id as string };
    };
    const one = await switched(early);
    const two = await switched(late);
    const atSchool = await sheet(school, {
      programId: program,
      month: month.period,
      rows: [one, two].map((c) => ({ enrollmentId: c.before, sessions: [{ date: month.day(20), minutes: 90 }] })),
    });
    expect(atSchool.body.data.recordTimesheet).toMatchObject({ created: 2, flagged: [] });
    const atStudio = async (programId: string, enrollmentId: string) =>
      (await sheet(studio, { programId, month: month.period, rows: [{ enrollmentId, sessions: [{ date: month.day(20), minutes: 90 }] }] })).body.data.recordTimesheet;
    expect((await atStudio(early, one.after)).flagged).toMatchObject([{ sessionDate: month.day(20), flags: ['OVERLAP'] }]);
    expect((await atStudio(late, two.after)).flagged).toEqual([]);
    const review = (await api.data(`query($c: String!) { flaggedSessions(city: $c) { totalCount edges { node { flags program { id } } } } }`, { c: city }, { token: operator })).flaggedSessions;
    expect(review).toMatchObject({ totalCount: 1, edges: [{ node: { flags: ['OVERLAP'], program: { id: early } } }] });
  });

  it('makes one sheet of two submissions at once', async ({ expect }) => {
    const { city, school, program } = await world();
    const children = [await seed.enrolled(program, city, month.day(1)), await seed.enrolled(program, city, month.day(1))];
    const input = { programId: program, month: month.period, rows: children.map((c) => ({ enrollmentId: c.enrollmentId, sessions: [2, 5, 9].map((d) => ({ date: month.day(d), minutes: 90 })) })) };
    const results = await Promise.all([sheet(school, input), sheet(school, input)]);
    const answers = results.map((r) => r.body.data.recordTimesheet);
    expect(answers.map((a) => a.timesheet.id)[0]).toBe(answers[1].timesheet.id);
    expect(answers.map((a) => a.created).sort()).toEqual([0, 6]);
    expect(answers.map((a) => a.timesheet.version)).toEqual([1, 1]);

    // Two different sheets at once: one after the other on the same sheet, never a mixture.
    const shorter = { ...input, rows: input.rows.map((r) => ({ ...r, sessions: r.sessions.slice(0, 1) })) };
    const longer = { ...input, rows: input.rows.map((r) => ({ ...r, sessions: [...r.sessions, { date: month.day(12), minutes: 90 }] })) };
    const both = (await Promise.all([sheet(school, shorter), sheet(school, longer)])).map((r) => r.body.data.recordTimesheet);
    expect(both.map((a) => a.timesheet.version).sort()).toEqual([2, 3]);
    const last = both.find((a) => a.timesheet.version === 3)!;
    expect((await sessionsOf(school.token, program)).totalCount).toBe(last.sessionCount);
    expect([2, 8]).toContain(last.sessionCount);
  });
});
