// The dashboard and a parent's page in a real browser (Debian's Chromium, driven by playwright-core):
// figures and the offer banner change live while the test drives the API. Runs its own PostgreSQL
// with the demo catalogue, so every figure on the page is this file's own. Takes screenshots.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { initOrm, migrate } from '../../src/db/orm.js';
import { createLogger } from '../../src/logger.js';
import { seedDemoCatalogue } from '../../src/seed/demo-data.js';
import { TestApi } from '../support/api.js';
import { type FamilyHandle, Seed } from '../support/seed.js';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => !!p && fs.existsSync(p));
if (!CHROMIUM) {
  // CI installs it (.ci/run); on a developer's machine without it, say so rather than fail.
  if (process.env.CI) throw new Error('Chromium is missing: .ci/run installs the distribution package `chromium`.');
  console.warn('browser tests skipped: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');
}

// `npm run screenshots` writes them into docs/ (shown in the README); a plain test run keeps the
// work tree clean and writes them to a temporary folder.
const SHOTS = process.env.SCREENSHOTS === 'docs' ? path.resolve(import.meta.dirname, '..', '..', 'docs') : fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-shots-'));
const CITY = 'ASTANA';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const log = createLogger('silent');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-browser-'));
let db: EmbeddedDatabase;
let api: TestApi;
let seed: Seed;
let browser: Browser;
let base: string;

describe.skipIf(!CHROMIUM)('in a real browser', () => {
  beforeAll(async () => {
    fs.chmodSync(dataDir, 0o755);
    db = await startEmbeddedPostgres(dataDir, 'kezek', log);
    const orm = await initOrm(db.connection, log, 2);
    await migrate(orm);
    await seedDemoCatalogue(orm.em.fork());
    await orm.close(true);
    api = await TestApi.start({ db: db.connection });
    seed = new Seed(api);
    base = new URL(api.server.url).origin;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await db?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function openPage(url: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'kk-KZ' });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    await page.goto(url);
    (page as Page & { problems: string[] }).problems = problems;
    return page;
  }

  /** axe-core's serious and critical findings on the page as it is now (WCAG 2.1 A/AA rules). */
  async function accessibilityProblems(page: Page): Promise<string[]> {
    // Evaluated through the DevTools protocol: the page's own CSP (rightly) refuses injected scripts.
    await page.evaluate(fs.readFileSync(AXE, 'utf8'));
    const violations = await page.evaluate(async () => {
      type Violation = { id: string; impact: string; help: string; nodes: { target: string[] }[] };
      // Runs in the page; this file is type-checked without the DOM library, hence globalThis.
      const win = globalThis as unknown as { document: unknown; axe: { run(context: unknown, options: object): Promise<{ violations: Violation[] }> } };
      const result = await win.axe.run(win.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
    });
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} — ${v.targets.join(', ')}`);
  }

  // playwright-core has no test runner and no `expect` of its own: poll with vitest's.
  const WAIT = { timeout: 10_000 };
  const shows = (locator: Locator) => expect.poll(() => locator.isVisible(), WAIT).toBe(true);
  const hides = (locator: Locator) => expect.poll(() => locator.isHidden(), WAIT).toBe(true);
  const reads = (locator: Locator, text: string) => expect.poll(() => locator.innerText(), WAIT).toBe(text);

  const cell = (page: Page, type: string, field: string) => page.locator(`td[data-city="${CITY}"][data-type="${type}"][data-field="${field}"]`);
  const number = async (page: Page, type: string, field: string) => Number((await cell(page, type, field).innerText()).replace(/\D/g, ''));

  async function queued(count: number, type: 'TARGETED' | 'UNIVERSAL'): Promise<{ family: FamilyHandle; applicationId: string }[]> {
    const out = [];
    for (let i = 0; i < count; i++) {
      const family = await seed.parent().withChild(1, undefined, i % 4 === 0 ? 'LARGE_FAMILY' : 'NONE');
      out.push({ family, applicationId: await seed.apply(family, 0, type, CITY) });
    }
    return out;
  }

  it('shows live figures on /dashboard and updates them when vouchers are issued', async () => {
    await queued(6, 'UNIVERSAL');
    await queued(3, 'TARGETED');
    const year = String(new Date().getFullYear());
    await api.data(
      `mutation { setBudget(input: { city: "${CITY}", voucherType: UNIVERSAL, period: "${year}", allocated: { tiyn: 250000000000 } }) { budget { id } } }`,
      {},
      { token: await seed.operator(CITY) },
    );
    const page = await openPage(`${base}/dashboard`);
    await expect.poll(() => page.locator('#status').getAttribute('data-state'), WAIT).toBe('live');
    await expect.poll(() => number(page, 'UNIVERSAL', 'waiting'), WAIT).toBe(6);
    expect(await number(page, 'UNIVERSAL', 'seatsFree')).toBeGreaterThan(0);
    expect(await page.locator('#changes li').count()).toBeGreaterThan(0);

    // Issue through the API; the page must follow without a reload.
    await seed.quotaRoom(CITY, 'UNIVERSAL', 2);
    const issuedAt = Date.now();
    await seed.issue(CITY, 'UNIVERSAL', 2);
    await expect.poll(() => number(page, 'UNIVERSAL', 'offered'), WAIT).toBe(2);
    // Measured, not asserted (speed targets live in benchmarks): printed for the reader of the log.
    console.log(`dashboard: offered figure changed ${Date.now() - issuedAt} ms after issueVouchers returned`);
    expect(await number(page, 'UNIVERSAL', 'waiting')).toBe(4);
    await expect.poll(() => page.locator('#changes li').first().innerText(), WAIT).toContain('2');

    // Russian labels on request, English fallback exists.
    await page.getByRole('button', { name: 'Русский' }).click();
    await reads(page.locator('h1'), 'Kezek — живая очередь');
    await page.getByRole('button', { name: 'Қазақша' }).click();
    await reads(page.locator('h1'), 'Kezek — тірі кезек');
    await page.screenshot({ path: path.join(SHOTS, 'dashboard.png'), fullPage: true });
    expect(await accessibilityProblems(page)).toEqual([]);
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await page.close();
  });

  it('shows a parent their child’s place on /queue/<id> and an offer banner the moment the offer is made', async () => {
    const [mine] = await queued(1, 'TARGETED');
    const page = await openPage(`${base}/queue/${mine!.applicationId}#token=${encodeURIComponent(mine!.family.token)}`);
    await expect.poll(() => page.locator('#status').getAttribute('data-state'), WAIT).toBe('live');
    await shows(page.locator('#view'));
    const before = Number(await page.locator('#position').innerText());
    expect(before).toBeGreaterThan(0);
    expect(page.url()).not.toContain('token'); // taken out of the address bar
    await hides(page.locator('#offer'));

    // Everyone ahead and this family are offered a voucher: the position runs out and the banner shows.
    await seed.quotaRoom(CITY, 'TARGETED', before);
    await seed.issue(CITY, 'TARGETED', before);
    await shows(page.locator('#offer'));
    await reads(page.locator('#app-status'), 'Ұсыныс келді');
    await shows(page.locator('#programs li').first());
    await page.screenshot({ path: path.join(SHOTS, 'queue.png'), fullPage: true });
    expect(await accessibilityProblems(page)).toEqual([]);

    // Another family's token sees nothing of this application.
    const stranger = await seed.parent().withChild();
    const other = await openPage(`${base}/queue/${mine!.applicationId}#token=${encodeURIComponent(stranger.token)}`);
    await shows(other.locator('#error'));
    await hides(other.locator('#view'));
    await other.close();
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await page.close();
  });

  it('serves the API explorer from this server, with no request leaving it', async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    page.on('request', (request) => !request.url().startsWith(base) && !request.url().startsWith('data:') && outside.push(request.url()));
    // A live query, run from the editor: the subscription goes over this server's graphql-ws.
    type InPage = { localStorage: { setItem(k: string, v: string): void; [key: string]: unknown } };
    await page.addInitScript(() => (globalThis as unknown as InPage).localStorage.setItem('graphiql:query', 'subscription { queueMetrics(city: "ASTANA", voucherType: UNIVERSAL) { waiting } }'));
    await page.goto(`${base}/graphql`, { waitUntil: 'networkidle' });
    await shows(page.locator('.graphiql-container'));
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => page.locator('.result-window').innerText(), WAIT).toContain('"waiting"');
    expect(outside).toEqual([]);
    expect(await page.evaluate(() => Object.keys((globalThis as unknown as InPage).localStorage).filter((k) => k.includes('headers')))).toEqual([]); // tokens are not stored
    await page.close();
  });
});
