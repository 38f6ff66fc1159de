// Payments the treasury can execute (issue 13 §4), told as the month's story through GraphQL and
// HTTP on real PostgreSQL: bank details proposed and confirmed, the month settled with due dates,
// payments approved under the details then in force, the payment order exported with totals and a
// checksum, a bank statement reconciled (one line PAID, one REJECTED, one unknown), re-imported to
// no effect, and the failed payment re-issued after the details were corrected. Each test builds a
// city of its own, so exact amounts and counts hold while the tests run at once.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { kzIbanOf } from '../../src/domain/bank-details.js';
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
const [y, m] = month.period.split('-').map(Number) as [number, number];
/** The month after the settled one, when the treasury pays it. */
const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
const on = (day: number) => new Date(`${next}-${String(day).padStart(2, '0')}T06:00:00Z`);
const code = (res: any) => res.body.errors?.[0]?.extensions?.code;
const sha256 = (body: string | Buffer) => createHash('sha256').update(body).digest('hex');

const PROPOSE = `mutation($input: ProposeBankDetailsInput!) { proposeBankDetails(input: $input) { bankDetails { id iban bik status } } }`;
const CONFIRM = `mutation($id: ID!) { confirmBankDetails(input: { bankDetailsId: $id }) { bankDetails { id status decidedAt } } }`;
const APPROVE = `mutation($id: ID!) { approvePayment(input: { paymentId: $id }) { payment { id status dueDate bankDetails { iban } } } }`;
const IMPORT = `mutation($input: ImportBankStatementInput!) { importBankStatement(input: $input) {
  alreadyImported statement { id checksum lineCount problems { line code paymentId message } paid { id status bankReference } failed { id status failureReason } } } }`;
const PAYMENTS = `query($filter: PaymentFilter) { payments(filter: $filter) { totalCount edges { node { id status overdue dueDate sequence amount { tiyn } bankReference failureReason reissuedAsId bankDetails { iban } provider { id } } } } }`;
const BUDGETS = `query($city: String) { budgets(city: $city) { committed { tiyn } paid { tiyn } remaining { tiyn } } }`;

const IBAN = { school: kzIbanOf('722S000012345678'), studio: kzIbanOf('601A861000012345'), studioCorrected: kzIbanOf('601A861000099999') };

/** A city of the test's own whose two school providers each taught one child two confirmed hours of an educational club (1,200 KZT an hour), settled and with a budget. */
async function settledMonth() {
  const city = await seed.city();
  await seed.rules(city, { confirmationWindowDays: month.windowDays, rates: [{ direction: 'EDUCATIONAL', tiynPerHour: 120000 }] });
  const operator = await seed.operator(city);
  await api.data(`mutation($i: SetBudgetInput!) { setBudget(input: $i) { budget { id } } }`, { i: { city, voucherType: 'UNIVERSAL', period: month.period.slice(0, 4), allocated: { tiyn: 10_000_000 } } }, { token: operator });
  const school = await seed.provider({ city, kind: 'SCHOOL', bankDetails: false }).approved();
  const studio = await seed.provider({ city, kind: 'SCHOOL', bankDetails: false }).approved();
  const taught = async (provider: ProviderHandle) => {
    const program = (await seed.program(provider, { direction: 'EDUCATIONAL', minAge: 6, maxAge: 12, seats: 10 })).id;
    const child = await seed.enrolled(program, city, month.day(1));
    const sessions = [...(await seed.recorded(provider, program, month.day(16), [child.childId])), ...(await seed.recorded(provider, program, month.day(18), [child.childId]))];
    await seed.confirmed(child.family, sessions.map((s) => s.id));
    return child;
  };
  await taught(school);
  await taught(studio);
  return { city, operator, school, studio };
}

const settle = async (city: string, operator: string) =>
  (await api.data(`mutation($i: SettlePeriodInput!) { settlePeriod(input: $i) { payments { id status dueDate amount { tiyn } provider { id } } } }`, { i: { city, period: month.period } }, { token: operator, at: on(2) })).settlePeriod.payments as any[];

describe.concurrent('payments the treasury can execute', () => {
  it('tells the month: details confirmed, payments due and approved, the order exported, the statement reconciled once, the failed payment re-issued', async ({ expect }) => {
    const { city, operator, school, studio } = await settledMonth();
    const admin = await seed.admin();

    // The school proposes its bank details; a wrong check digit is refused and writes nothing.
    const wrong = await api.request(PROPOSE, { input: { iban: IBAN.school.replace(/^KZ(\d)/, (_, d) => `KZ${(Number(d) + 1) % 10}`), bik: 'HSBKKZKX' } }, { token: school.token });
    expect(code(wrong)).toBe('BAD_USER_INPUT');
    expect(wrong.body.errors![0]!.message).toMatch(/check digits/);
    const history = `query($id: ID!) { provider(id: $id) { bankDetails { iban } bankDetailsHistory { iban status } } }`;
    expect((await api.data(history, { id: school.id }, { token: school.token })).provider).toEqual({ bankDetails: null, bankDetailsHistory: [] });
    const proposed = (await api.data(PROPOSE, { input: { iban: IBAN.school.replace(/(.{4})/g, '$1 ').toLowerCase(), bik: 'hsbkkzkx' } }, { token: school.token })).proposeBankDetails.bankDetails;
    expect(proposed).toMatchObject({ iban: IBAN.school, bik: 'HSBKKZKX', status: 'PROPOSED' });
    await seed.bankDetails(studio, IBAN.studio, 'CASPKZKA');

    // The month is settled on the 2nd of the next month: each payment is due on the 18th (the default rule).
    const payments = await settle(city, operator);
    expect(payments.map((p) => ({ status: p.status, dueDate: p.dueDate, tiyn: p.amount.tiyn }))).toEqual([
      { status: 'CALCULATED', dueDate: `${next}-18`, tiyn: 240000 },
      { status: 'CALCULATED', dueDate: `${next}-18`, tiyn: 240000 },
    ]);
    const schoolPayment = payments.find((p) => p.provider.id === school.id)!.id as string;
    const studioPayment = payments.find((p) => p.provider.id === studio.id)!.id as string;

    // Until an operator of its city confirms the school's details, its payment cannot be approved.
    const early = await api.request(APPROVE, { id: schoolPayment }, { token: operator });
    expect(code(early)).toBe('CONFLICT');
    expect(early.body.errors![0]!.extensions!.reason).toBe('NO_CONFIRMED_BANK_DETAILS');
    const otherCity = await api.request(CONFIRM, { id: proposed.id }, { token: await seed.operator(await seed.city()) });
    expect(code(otherCity)).toBe('FORBIDDEN');
    expect((await api.data(CONFIRM, { id: proposed.id }, { token: operator })).confirmBankDetails.bankDetails.status).toBe('CONFIRMED');
    expect((await api.data(history, { id: school.id }, { token: operator })).provider).toEqual({ bankDetails: { iban: IBAN.school }, bankDetailsHistory: [{ iban: IBAN.school, status: 'CONFIRMED' }] });

    // Approved: each payment names the details in force, and keeps them when the school changes its account later.
    expect((await api.data(APPROVE, { id: schoolPayment }, { token: operator })).approvePayment.payment).toEqual({ id: schoolPayment, status: 'APPROVED', dueDate: `${next}-18`, bankDetails: { iban: IBAN.school } });
    await api.data(APPROVE, { id: studioPayment }, { token: operator });
    const newer = kzIbanOf('722S000087654321');
    await seed.bankDetails(school, newer, 'HSBKKZKX');
    expect((await api.data(history, { id: school.id }, { token: school.token })).provider.bankDetailsHistory).toEqual([{ iban: newer, status: 'CONFIRMED' }, { iban: IBAN.school, status: 'SUPERSEDED' }]);

    // Overdue after the 18th, for the operator and for agencies, by the clock (the request's own time).
    const overdue = async (token: string, at: Date) => (await api.data(PAYMENTS, { filter: { city, overdue: true } }, { token, at })).payments;
    expect((await overdue(operator, on(18))).totalCount).toBe(0);
    const late = await overdue(await seed.agency(), on(19));
    expect(late.edges.map((e: any) => [e.node.id, e.node.overdue]).sort()).toEqual([[schoolPayment, true], [studioPayment, true]].sort());
    expect(late.edges.map((e: any) => e.node.bankDetails)).toEqual([null, null]); // agencies see payments, not accounts
    const onTime = async (at: Date) => (await api.data(PAYMENTS, { filter: { city, overdue: false } }, { token: operator, at })).payments.totalCount;
    expect([await onTime(on(18)), await onTime(on(19))]).toEqual([2, 0]);

    // The payment order: CSV with a totals row and its SHA-256 in a header; the same in JSON.
    const csv = await api.post('', { token: operator }, 'GET', `/exports/payment-order.csv?city=${city}&period=${month.period}`);
    expect(csv.status).toBe(200);
    const text: string = (csv.body as any).raw;
    expect(csv.headers['x-kezek-checksum-sha256']).toBe(sha256(Buffer.from(text, 'utf8')));
    const rows = text.replace(/^\uFEFF/, '').trim().split('\r\n').map((r) => r.split(','));
    expect(rows[0]).toEqual(['payment_id', 'provider_bin', 'provider_name', 'iban', 'bik', 'amount_tiyn', 'amount_kzt', 'period', 'sequence', 'due_date', 'reference']);
    const schoolRow = rows.find((r) => r[0] === schoolPayment)!;
    expect(schoolRow).toEqual([schoolPayment, school.bin, `Test provider ${school.bin}`, IBAN.school, 'HSBKKZKX', '240000', '2400.00', month.period, '1', `${next}-18`, `KEZEK-${month.period}-1-${school.bin}`]);
    expect(rows.at(-1)).toEqual(['TOTAL', '', '2 payments', '', '', '480000', '4800.00', month.period, '', '', '']);
    const json = await api.post('', { token: operator }, 'GET', `/exports/payment-order.json?city=${city}&period=${month.period}`);
    const { checksum, ...document } = json.body as any;
    expect(checksum).toBe(json.headers['x-kezek-checksum-sha256']);
    expect(checksum).toBe(sha256(JSON.stringify(document)));
    expect(document.totals).toEqual({ count: 2, amountTiyn: '480000', amountKzt: '4800.00' });
    expect(document.payments.find((p: any) => p.paymentId === studioPayment)).toMatchObject({ iban: IBAN.studio, bik: 'CASPKZKA', reference: `KEZEK-${month.period}-1-${studio.bin}` });
    expect((await api.post('', { token: await seed.agency() }, 'GET', `/exports/payment-order.csv?city=${city}`)).status).toBe(403);
    expect((await api.post('', {}, 'GET', `/exports/payment-order.csv?city=${city}`)).status).toBe(401);

    // The bank's statement: the school paid, the studio's account closed, and a line the bank made up.
    const unknown = '0190aaaa-0000-7000-8000-000000000000';
    const statement = [
      'reference,payment_id,amount_tiyn,status,bank_reference,reason',
      `KEZEK-${month.period}-1-${school.bin},${schoolPayment},240000,PAID,HB-2026-000123,`,
      `KEZEK-${month.period}-1-${studio.bin},${studioPayment},240000,REJECTED,,"Счёт закрыт, account closed"`,
      `KEZEK-${month.period}-1-000000000000,${unknown},100,PAID,HB-2026-000124,`,
    ].join('\r\n');
    const imported = (await api.data(IMPORT, { input: { city, csv: statement } }, { token: operator })).importBankStatement;
    expect(imported).toMatchObject({
      alreadyImported: false,
      statement: {
        checksum: sha256(statement),
        lineCount: 3,
        paid: [{ id: schoolPayment, status: 'PAID', bankReference: 'HB-2026-000123' }],
        failed: [{ id: studioPayment, status: 'FAILED', failureReason: 'Счёт закрыт, account closed' }],
        problems: [{ line: 4, code: 'NOT_FOUND', paymentId: unknown, message: `No payment ${unknown} in ${city}.` }],
      },
    });
    // The budget: the school's money paid, the studio's released.
    expect((await api.data(BUDGETS, { city }, { token: operator })).budgets).toEqual([{ committed: { tiyn: 240000 }, paid: { tiyn: 240000 }, remaining: { tiyn: 9_760_000 } }]);

    // The same file again changes nothing and answers with the first import.
    const again = (await api.data(IMPORT, { input: { city, csv: statement } }, { token: operator })).importBankStatement;
    expect(again).toMatchObject({ alreadyImported: true, statement: { id: imported.statement.id } });
    expect((await api.data(BUDGETS, { city }, { token: operator })).budgets[0].paid.tiyn).toBe(240000);

    // Re-issue waits for corrected details; then the studio's sessions are paid by a supplementary payment, approved to the new account.
    const reissue = `mutation($id: ID!) { reissuePayment(input: { paymentId: $id }) { failed { id status reissuedAsId } reissued { id status sequence amount { tiyn } dueDate } } }`;
    const uncorrected = await api.request(reissue, { id: studioPayment }, { token: operator });
    expect(code(uncorrected)).toBe('CONFLICT');
    expect(uncorrected.body.errors![0]!.extensions!.reason).toBe('BANK_DETAILS_NOT_CORRECTED');
    await seed.bankDetails(studio, IBAN.studioCorrected, 'CASPKZKA');
    const { reissuePayment } = await api.data(reissue, { id: studioPayment }, { token: operator, at: on(5) });
    expect(reissuePayment).toEqual({
      failed: { id: studioPayment, status: 'FAILED', reissuedAsId: reissuePayment.reissued.id },
      reissued: { id: reissuePayment.reissued.id, status: 'CALCULATED', sequence: 2, amount: { tiyn: 240000 }, dueDate: `${next}-18` },
    });
    expect(code(await api.request(reissue, { id: studioPayment }, { token: operator }))).toBe('CONFLICT');
    expect((await api.data(APPROVE, { id: reissuePayment.reissued.id }, { token: operator })).approvePayment.payment.bankDetails).toEqual({ iban: IBAN.studioCorrected });
    expect((await api.data(BUDGETS, { city }, { token: operator })).budgets).toEqual([{ committed: { tiyn: 480000 }, paid: { tiyn: 240000 }, remaining: { tiyn: 9_520_000 } }]);

    // The school's act of services for the month: its sessions, children by initials only.
    const act = await api.post('', { token: school.token }, 'GET', `/exports/acts/${school.id}/${month.period}.json`);
    expect(act.status).toBe(200);
    expect((act.body as any).programs).toHaveLength(1);
    expect((act.body as any).programs[0].sessions).toEqual([
      { date: month.day(16), childInitials: 'Б. 1.', minutes: 60, paymentId: schoolPayment, paymentStatus: 'PAID' },
      { date: month.day(18), childInitials: 'Б. 1.', minutes: 60, paymentId: schoolPayment, paymentStatus: 'PAID' },
    ]);
    expect((act.body as any).totals).toEqual({ sessions: 2, minutes: 120, amountTiyn: '240000', amountKzt: '2400.00' });
    expect(JSON.stringify(act.body)).not.toContain('Бала');
    expect((await api.post('', { token: studio.token }, 'GET', `/exports/acts/${school.id}/${month.period}.json`)).status).toBe(404);
    expect(admin).toBeTruthy();
  });

  it('refuses a malformed statement whole, with its line number, and a statement from another city’s operator, writing nothing', async ({ expect }) => {
    const { city, operator, school } = await settledMonth();
    await seed.bankDetails(school, IBAN.school, 'HSBKKZKX');
    const payment = (await settle(city, operator)).find((p) => p.provider.id === school.id)!.id as string;
    await api.data(APPROVE, { id: payment }, { token: operator });
    const good = `KEZEK-${month.period}-1-${school.bin},${payment},240000,PAID,HB-1,`;
    const header = 'reference,payment_id,amount_tiyn,status,bank_reference,reason';
    const refused = async (csv: string, token = operator) => {
      const res = await api.request(IMPORT, { input: { city, csv } }, { token });
      return [code(res), res.body.errors?.[0]?.message];
    };
    expect(await refused([header, `KEZEK-${month.period}-1-${school.bin},${payment},240000,PAID,HB-2026-1,`, `x,${payment},12.50,PAID,HB-2,`].join('\n'))).toEqual(['BAD_USER_INPUT', 'Line 3: payment ' + payment + ' is listed twice.']);
    expect(await refused([header, good.replace(',HB-1,', ',HB-2026-1,'), `x,0190aaaa-0000-7000-8000-000000000001,12.50,PAID,HB-2,`].join('\n'))).toEqual(['BAD_USER_INPUT', 'Line 3: the amount "12.50" is not a whole number of tiyn.']);
    expect(await refused(['ref,id,amount', good].join('\n'))).toEqual(['BAD_USER_INPUT', `Line 1 must be the header ${header}.`]);
    expect((await refused([header, good.replace(',HB-1,', ',HB-2026-1,')].join('\n'), await seed.operator(await seed.city())))[0]).toBe('FORBIDDEN');
    expect(await api.sql(`select s.id from bank_statement s join city c on c.id = s.city_id where c.code = ?`, [city])).toEqual([]);
    // A wrong amount is reported on its line and changes nothing.
    const mismatch = (await api.data(IMPORT, { input: { city, csv: [header, good.replace(',240000,', ',240001,').replace(',HB-1,', ',HB-2026-9,')].join('\n') } }, { token: operator })).importBankStatement;
    expect(mismatch.statement.problems).toEqual([{ line: 2, code: 'CONFLICT', paymentId: payment, message: 'The amount is 240001 tiyn; the payment is 240000.' }]);
    const after = (await api.data(PAYMENTS, { filter: { city } }, { token: operator })).payments.edges.find((e: any) => e.node.id === payment).node;
    expect(after).toMatchObject({ status: 'APPROVED', bankReference: null });
    expect((await api.data(BUDGETS, { city }, { token: operator })).budgets[0].paid.tiyn).toBe(0);
  });

  it('applies the same statement once when it is imported twice at once', async ({ expect }) => {
    const { city, operator, school, studio } = await settledMonth();
    await seed.bankDetails(school, IBAN.school, 'HSBKKZKX');
    await seed.bankDetails(studio, IBAN.studio, 'CASPKZKA');
    const payments = await settle(city, operator);
    for (const p of payments) await api.data(APPROVE, { id: p.id }, { token: operator });
    const bin = (p: any) => (p.provider.id === school.id ? school.bin : studio.bin);
    const csv = ['reference,payment_id,amount_tiyn,status,bank_reference,reason', ...payments.map((p, i) => `KEZEK-${month.period}-1-${bin(p)},${p.id},240000,PAID,HB-CC-${i},`)].join('\r\n');
    const results = await Promise.all([0, 1, 2].map(() => api.data(IMPORT, { input: { city, csv } }, { token: operator })));
    expect(results.map((r) => r.importBankStatement.alreadyImported).sort()).toEqual([false, true, true]);
    expect(new Set(results.map((r) => r.importBankStatement.statement.id)).size).toBe(1);
    expect((await api.data(BUDGETS, { city }, { token: operator })).budgets).toEqual([{ committed: { tiyn: 480000 }, paid: { tiyn: 480000 }, remaining: { tiyn: 9_520_000 } }]);
    const audit = await api.sql<{ n: string }>(`select count(*)::int as n from audit_event where action = 'PAYMENT_PAID' and entity_id in (?, ?)`, [payments[0].id, payments[1].id]);
    expect(Number(audit[0]!.n)).toBe(2);
  });
});
