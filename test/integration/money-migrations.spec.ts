// Issue 11, findings 5 and 6: the migrations bring existing data under the new rules. A database
// of its own is built through the API, taken back to before the two migrations, given the rows the
// old code could write (a second session of one voucher, program and day; a budget created after a
// settlement that never counted it), and migrated again.
import { describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.js';
import type { TestApi } from '../support/api.js';
import { migrationWorld } from '../support/migration-world.js';
import { previousMonth, Seed } from '../support/seed.js';

let api: TestApi;
let orm: Orm;
migrationWorld('kezek_money_migrations', (world) => ({ api, orm } = world));

const CITY = 'ASTANA';
const month = previousMonth();

describe('migrating existing money data', () => {
  it('keeps the confirmed one of two sessions of a voucher, program and day, and has a late budget count what was settled before it', async () => {
    const seed = new Seed(api);
    const operator = await seed.operator(CITY);
    await api.data(`mutation { updateCityRules(input: { city: "ASTANA", confirmationWindowDays: 90, rates: [{ direction: EDUCATIONAL, tiynPerHour: 100000 }] }) { rules { version } } }`, {}, { token: operator });
    const one = await seed.provider({ city: CITY, kind: 'SCHOOL' }).approved();
    const two = await seed.provider({ city: CITY, kind: 'PRIVATE' }).approved();
    const chess = (await seed.program(one, { minAge: 6, maxAge: 12 })).id;
    const football = (await seed.program(two, { minAge: 6, maxAge: 12 })).id;
    const child = await seed.enrolled(chess, CITY, month.day(1));
    const { recordAttendance } = await api.data(`mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { attendances { id } } }`, { input: { programId: chess, date: month.day(16), childIds: [child.childId], hours: 1.5 } }, { token: one.token });
    const session = recordAttendance.attendances[0].id as string;
    await api.data(`mutation($ids: [ID!]!) { confirmAttendance(input: { attendanceIds: $ids }) { attendances { id } } }`, { ids: [session] }, { token: child.family.token });
    const SWITCH = `mutation($e: ID!, $p: ID!) { switchProgram(input: { enrollmentId: $e, programId: $p, acceptTerms: true, personalDataConsent: true }) { enrollment { id } } }`;
    const away = (await api.data(SWITCH, { e: child.enrollmentId, p: football }, { token: child.family.token })).switchProgram.enrollment.id;
    const back = (await api.data(SWITCH, { e: away, p: chess }, { token: child.family.token })).switchProgram.enrollment.id as string;
    const { settlePeriod } = await api.data(`mutation($p: String!) { settlePeriod(input: { city: "ASTANA", period: $p }) { payments { id amount { tiyn } } } }`, { p: month.period }, { token: operator });
    expect(settlePeriod.payments).toEqual([expect.objectContaining({ amount: { tiyn: 150_000 } })]);

    // Back to the schema before the migrations, and the rows the old code wrote.
    await orm.getMigrator().down({ to: 'Migration20261201193000_budget_coverage' });
    expect(await api.sql(`select column_name from information_schema.columns where table_name = 'attendance' and column_name = 'voucher_id'`)).toEqual([]);
    await api.sql(`insert into attendance (id, enrollment_id, program_id, session_date, minutes, status) values (gen_random_uuid(), ?, ?, ?::date, 90, 'RECORDED')`, [back, chess, month.day(16)]);
    await api.sql(`insert into budget (id, city_id, voucher_type, period, allocated_tiyn) select gen_random_uuid(), id, 'UNIVERSAL', ?, 100000 from city where code = ?`, [month.period.slice(0, 4), CITY]);

    await orm.getMigrator().up();
    const sessions = await api.sql(`select a.id from attendance a join voucher v on v.id = a.voucher_id where v.child_id = ? and a.program_id = ? and a.session_date = ?::date`, [child.childId, chess, month.day(16)]);
    expect(sessions).toEqual([{ id: session }]);
    const [budget] = await api.sql(`select b.id, b.allocated_tiyn::int as allocated, b.committed_tiyn::int as committed, b.paid_tiyn::int as paid from budget b join city c on c.id = b.city_id where c.code = ?`, [CITY]);
    // The settled 150,000 tiyn were already spent: the budget commits them, and its allocation is raised to cover them.
    expect(budget).toMatchObject({ allocated: 150_000, committed: 150_000, paid: 0 });
    expect(await api.sql(`select budget_id from payment_line where payment_id = ?`, [settlePeriod.payments[0].id])).toEqual([{ budget_id: budget!.id }]);
  });
});
