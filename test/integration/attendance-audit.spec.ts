// Issue 11, findings 6 and 9: one session per child (voucher), program and day, whatever the
// enrollments in between; recorded sessions and provider approvals/suspensions are audited.
// Each test has a city of its own (seed.city(), Atyrau time); nothing here settles. The tests run at
// once, except the one that counts the server's SQL statements, which runs alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SwitchProgramMutation, SwitchProgramMutationVariables } from '../generated/operations.js';
import { TestApi } from '../support/api.js';
import { previousMonth, type ProviderHandle, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
let admin: string;

const month = previousMonth();
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Atyrau' }).format(new Date());
const AUDIT = `query($filter: AuditFilter) { auditLog(filter: $filter, first: 100) { totalCount edges { node { action actorRole actorId entityType entityId cityCode before after } } } }`;

beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
  admin = await seed.admin();
});
afterAll(() => api?.close());

/** A city of the test's own with a school's chess club and a private football club. */
async function world() {
  const city = await seed.city({ timezone: 'Asia/Atyrau' });
  const one = await seed.provider({ city, kind: 'SCHOOL' }).approved();
  const two = await seed.provider({ city, kind: 'PRIVATE' }).approved();
  const chess = (await seed.program(one, { minAge: 6, maxAge: 12, seats: 40 })).id;
  const football = (await seed.program(two, { minAge: 6, maxAge: 12, seats: 40, direction: 'SPORTS' })).id;
  return { city, one, two, chess, football };
}
const record = (provider: ProviderHandle, programId: string, date: string, childIds: string[], hours = 1.5) => seed.recorded(provider, programId, date, childIds, hours);
const switchTo = (enrollmentId: string, programId: string, token: string) =>
  api.operation<SwitchProgramMutation, SwitchProgramMutationVariables>('SwitchProgram', { input: { enrollmentId, programId, acceptTerms: true, personalDataConsent: true } }, { token });
const audit = async (filter: Record<string, unknown>) => (await api.data(AUDIT, { filter }, { token: admin })).auditLog;

describe.concurrent('one session per child, program and day (finding 6)', () => {
  it('recording again after switching away and back answers with the first session, never a second', async ({ expect }) => {
    const { city, one, two, chess, football } = await world();
    const child = await seed.enrolled(chess, city, month.day(1));
    const [first] = await record(one, chess, today(), [child.childId]);
    const { switchProgram: away } = await switchTo(child.enrollmentId, football, child.family.token);
    // The day of a switch the child may attend both clubs: one session in each.
    const [there] = await record(two, football, today(), [child.childId]);
    expect(there!.id).not.toBe(first!.id);
    const { switchProgram: back } = await switchTo(away.enrollment.id, chess, child.family.token);
    expect(back.enrollment.id).not.toBe(child.enrollmentId);

    const again = await record(one, chess, today(), [child.childId], 2);
    expect(again).toEqual([{ id: first!.id, sessionDate: today(), minutes: 90, status: 'RECORDED' }]);
    const rows = await api.sql(
      `select a.program_id, count(*)::int as n from attendance a join enrollment e on e.id = a.enrollment_id join voucher v on v.id = e.voucher_id
        where v.child_id = ? and a.session_date = ?::date group by 1 order by 2`,
      [child.childId, today()],
    );
    expect(rows.map((r) => r.n)).toEqual([1, 1]);
    // The database itself refuses a second session of the voucher in the program that day, whatever the enrollment.
    await expect(
      api.sql(`insert into attendance (id, enrollment_id, voucher_id, program_id, session_date, minutes, status) select gen_random_uuid(), ?, voucher_id, ?, ?::date, 60, 'RECORDED' from enrollment where id = ?`, [
        back.enrollment.id,
        chess,
        today(),
        back.enrollment.id,
      ]),
    ).rejects.toThrow(/attendance_one_per_voucher_program_day/);
  });
});

describe.concurrent('audit of recorded sessions and provider status (finding 9)', () => {
  it('one ATTENDANCE_RECORDED entry per created session, none when recording again', async ({ expect }) => {
    const { city, one, chess } = await world();
    const a = await seed.enrolled(chess, city, month.day(1));
    const b = await seed.enrolled(chess, city, month.day(1));
    const sessions = await record(one, chess, month.day(20), [a.childId, b.childId]);
    expect(sessions).toHaveLength(2);
    for (const session of sessions) {
      const log = await audit({ entityId: session.id });
      expect(log.edges.map((e: any) => e.node)).toEqual([
        {
          action: 'ATTENDANCE_RECORDED',
          actorRole: 'PROVIDER',
          actorId: one.id,
          entityType: 'Attendance',
          entityId: session.id,
          cityCode: city,
          before: null,
          after: expect.objectContaining({ programId: chess, sessionDate: month.day(20), minutes: 90, status: 'RECORDED' }),
        },
      ]);
    }
    // Recording the same sessions again creates nothing, so it audits nothing.
    expect(await record(one, chess, month.day(20), [a.childId, b.childId])).toEqual(sessions);
    for (const session of sessions) expect((await audit({ entityId: session.id })).totalCount).toBe(1);
  });

  it('approving, suspending and reinstating a provider are audited with before and after', async ({ expect }) => {
    const city = await seed.city();
    const pending = await seed.provider({ city, kind: 'PRIVATE' }).pending();
    const operator = await seed.operator(city);
    const change = (mutation: string) => api.data(`mutation($id: ID!) { ${mutation}(input: { providerId: $id }) { provider { status } } }`, { id: pending.id }, { token: operator });
    await change('approveProvider');
    await change('suspendProvider');
    await change('approveProvider');
    const log = await audit({ entityId: pending.id });
    expect(log.edges.map((e: any) => e.node)).toEqual([
      { action: 'PROVIDER_APPROVED', actorRole: 'OPERATOR', actorId: city, entityType: 'Provider', entityId: pending.id, cityCode: city, before: { status: 'PENDING' }, after: { status: 'APPROVED' } },
      { action: 'PROVIDER_SUSPENDED', actorRole: 'OPERATOR', actorId: city, entityType: 'Provider', entityId: pending.id, cityCode: city, before: { status: 'APPROVED' }, after: { status: 'SUSPENDED' } },
      { action: 'PROVIDER_APPROVED', actorRole: 'OPERATOR', actorId: city, entityType: 'Provider', entityId: pending.id, cityCode: city, before: { status: 'SUSPENDED' }, after: { status: 'APPROVED' } },
    ]);
    // A refused change (already approved) writes no entry.
    const refused = await api.request(`mutation($id: ID!) { approveProvider(input: { providerId: $id }) { provider { status } } }`, { id: pending.id }, { token: operator });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect((await audit({ entityId: pending.id })).totalCount).toBe(3);
  });
});

// api.statements counts every statement of the server: nothing else of this file may run meanwhile.
describe('audit of many sessions, alone', () => {
  it('writes the entries of many sessions in as many statements as of one (a provider records up to 500 children a call)', async () => {
    const { city, one, chess } = await world();
    const children = [];
    for (let i = 0; i < 4; i++) children.push((await seed.enrolled(chess, city, month.day(1))).childId);
    const statementsOf = async (childIds: string[], day: number) => {
      const before = api.statements;
      expect(await record(one, chess, month.day(day), childIds)).toHaveLength(childIds.length);
      return api.statements - before;
    };
    const single = await statementsOf(children.slice(0, 1), 21);
    expect(await statementsOf(children.slice(1), 21)).toBe(single);
    const [row] = await api.sql(`select count(*)::int as n from audit_event where action = 'ATTENDANCE_RECORDED' and after ->> 'sessionDate' = ? and after ->> 'programId' = ?`, [month.day(21), chess]);
    expect(row!.n).toBe(4);
  });
});
