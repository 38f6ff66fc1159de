// Issue 11, findings 2–4: use cases that touch one voucher, one child or one city's queue, sent as
// real parallel requests. Whatever the interleaving, the outcome must be one some serial order
// explains, and no reply is INTERNAL_SERVER_ERROR. Every test runs in a city of its own
// (`seed.city()`: rules version 1 as the migration gives the pilot cities; these tests never run
// the scheduler, so nothing is issued automatically), so the tests run at once. Each is twenty
// rounds of parallel requests: side by side on two shared cores one can take longer than the
// default test timeout, hence the longer one below (a bound, not a timing assertion).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { localDate } from '../../src/domain/calendar.js';
import { TestApi } from '../support/api.js';
import { type FamilyHandle, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
beforeAll(async () => {
  // Every trial is a handful of requests by the same operator and admin.
  api = await TestApi.start({ rateLimits: { mutationsPerCaller: 10_000, requestsPerCaller: 50_000, requestsPerAddress: 100_000 } });
  seed = new Seed(api);
});
afterAll(() => api?.close());

const TRIALS = 20;
const SIDE_BY_SIDE = { timeout: 180_000 };
const ORDER = ['ORPHAN', 'DISABILITY', 'MILITARY_FAMILY', 'LARGE_FAMILY', 'LOW_INCOME', 'SINGLE_PARENT'];
const SWAPPED = ['DISABILITY', 'ORPHAN', 'MILITARY_FAMILY', 'LARGE_FAMILY', 'LOW_INCOME', 'SINGLE_PARENT'];

const code = (r: { body: { errors?: { extensions?: { code?: string } }[] } }) => r.body.errors?.[0]?.extensions?.code ?? 'OK';

const APPLY = `mutation($input: ApplyForVoucherInput!) { applyForVoucher(input: $input) { application { id } } }`;
const ACCEPT = `mutation($o: ID!, $p: ID!) { acceptOffer(input: { offerId: $o, programId: $p, acceptTerms: true, personalDataConsent: true }) { enrollment { id } } }`;
const DECLINE = `mutation($o: ID!) { declineOffer(input: { offerId: $o }) { offer { id } } }`;
const ISSUE = `mutation($city: String!, $t: VoucherType!) { issueVouchers(input: { city: $city, voucherType: $t, count: 1 }) { offers { id application { id } } } }`;
const SWITCH = `mutation($e: ID!, $p: ID!) { switchProgram(input: { enrollmentId: $e, programId: $p, acceptTerms: true, personalDataConsent: true }) { enrollment { id } } }`;
const REVOKE = `mutation($v: ID!) { revokeVoucher(input: { voucherId: $v, reason: "Revoked by the city" }) { voucher { status } } }`;
const SUSPEND = `mutation($v: ID!) { suspendVoucher(input: { voucherId: $v, reason: "Suspended by the city" }) { voucher { status } } }`;
const RESTORE = `mutation($id: ID!) { restoreApplication(input: { applicationId: $id }) { application { status } } }`;
const WITHDRAW = `mutation($id: ID!) { withdrawApplication(input: { applicationId: $id }) { application { status } } }`;
const RULES = `mutation($city: String!, $order: [PriorityCategory!]!) { updateCityRules(input: { city: $city, priorityOrder: $order }) { rules { version } } }`;

async function world(city: string) {
  const school = await seed.provider({ city, kind: 'SCHOOL' }).approved();
  const operator = await seed.operator(city);
  const apply = async (family: FamilyHandle, type: 'TARGETED' | 'UNIVERSAL') => seed.apply(family, 0, type, city);
  /** One offer to the head of the queue (the quota grown by one). */
  const offer = async (type: 'TARGETED' | 'UNIVERSAL') => {
    await seed.quotaRoom(city, type, 1);
    const [made] = await seed.issue(city, type, 1);
    return made!;
  };
  return { school, operator, apply, offer };
}

/** `n` children, each enrolled through apply, issue and accept in `program`. */
async function enrolledChildren(w: Awaited<ReturnType<typeof world>>, program: string, n: number) {
  const out: { family: FamilyHandle; enrollmentId: string; voucherId: string }[] = [];
  for (let i = 0; i < n; i++) {
    const family = await seed.parent().withChild(1);
    await w.apply(family, 'UNIVERSAL');
    const made = await w.offer('UNIVERSAL');
    const { acceptOffer } = await api.data(ACCEPT, { o: made.id, p: program }, { token: family.token });
    const [row] = await api.sql<{ voucher_id: string }>(`select voucher_id from enrollment where id = ?`, [acceptOffer.enrollment.id]);
    out.push({ family, enrollmentId: acceptOffer.enrollment.id, voucherId: row!.voucher_id });
  }
  return out;
}

const seatsTaken = async (...programs: string[]) =>
  (await api.sql<{ id: string; seats_taken: number }>(`select id, seats_taken from program where id in (?)`, [programs])).reduce<Record<string, number>>((m, r) => ({ ...m, [r.id]: r.seats_taken }), {});

describe.concurrent('finding 2: one lock order for every use case that touches a voucher', SIDE_BY_SIDE, () => {
  it('switchProgram and revokeVoucher on the same voucher at once: never a 500; revoked, no active enrollment, every seat back', async ({ expect }) => {
    const city = await seed.city();
    const w = await world(city);
    const from = (await seed.program(w.school, { minAge: 6, maxAge: 12, seats: TRIALS })).id;
    const to = (await seed.program(w.school, { minAge: 6, maxAge: 12, seats: TRIALS })).id;
    const children = await enrolledChildren(w, from, TRIALS);
    const outcomes: string[] = [];
    for (const child of children) {
      const [switched, revoked] = await Promise.all([
        api.request(SWITCH, { e: child.enrollmentId, p: to }, { token: child.family.token }),
        api.request(REVOKE, { v: child.voucherId }, { token: w.operator }),
      ]);
      outcomes.push(`${code(switched)}/${code(revoked)}`);
      // Switch then revoke: both succeed. Revoke then switch: the switch meets a revoked voucher.
      expect(['OK/OK', 'CONFLICT/OK']).toContain(outcomes.at(-1));
      const [voucher] = await api.sql<{ status: string }>(`select status from voucher where id = ?`, [child.voucherId]);
      expect(voucher!.status).toBe('REVOKED');
      expect((await api.sql(`select id from enrollment where voucher_id = ? and status = 'ACTIVE'`, [child.voucherId])).length).toBe(0);
    }
    expect(await seatsTaken(from, to)).toEqual({ [from]: 0, [to]: 0 });
  });

  it('suspendVoucher with a switch, and two crossing switches, at once: never a 500; seats add up', async ({ expect }) => {
    const city = await seed.city();
    const w = await world(city);
    const p1 = (await seed.program(w.school, { minAge: 6, maxAge: 12, seats: 3 * TRIALS })).id;
    const p2 = (await seed.program(w.school, { minAge: 6, maxAge: 12, seats: 3 * TRIALS })).id;
    const inP1 = await enrolledChildren(w, p1, TRIALS);
    const inP2 = await enrolledChildren(w, p2, TRIALS);
    for (let i = 0; i < TRIALS; i++) {
      const a = inP1[i]!;
      const b = inP2[i]!;
      const [switchA, suspendA, switchB] = await Promise.all([
        api.request(SWITCH, { e: a.enrollmentId, p: p2 }, { token: a.family.token }),
        api.request(SUSPEND, { v: a.voucherId }, { token: w.operator }),
        api.request(SWITCH, { e: b.enrollmentId, p: p1 }, { token: b.family.token }),
      ]);
      expect(['OK', 'CONFLICT']).toContain(code(switchA));
      expect(code(suspendA)).toBe('OK');
      expect(code(switchB)).toBe('OK');
      // A switch that went through ran before the suspension, on an active voucher.
      const [active] = await api.sql<{ program_id: string }>(`select program_id from enrollment where voucher_id = ? and status = 'ACTIVE'`, [a.voucherId]);
      expect(active!.program_id).toBe(code(switchA) === 'OK' ? p2 : p1);
    }
    // Every child holds exactly one seat: the counters equal the active enrollments.
    const rows = await api.sql<{ program_id: string; n: number }>(`select program_id, count(*)::int as n from enrollment where program_id in (?) and status = 'ACTIVE' group by program_id`, [[p1, p2]]);
    const active = Object.fromEntries(rows.map((r) => [r.program_id, r.n]));
    expect(await seatsTaken(p1, p2)).toEqual({ [p1]: active[p1] ?? 0, [p2]: active[p2] ?? 0 });
    expect((active[p1] ?? 0) + (active[p2] ?? 0)).toBe(2 * TRIALS);
  });

  it('two switches of the same enrollment at once: one wins, one CONFLICT, one seat', async ({ expect }) => {
    const city = await seed.city();
    const w = await world(city);
    const p1 = (await seed.program(w.school, { minAge: 6, maxAge: 12, seats: TRIALS })).id;
    const p2 = (await seed.program(w.school, { minAge: 6, maxAge: 12, seats: TRIALS })).id;
    const p3 = (await seed.program(w.school, { minAge: 6, maxAge: 12, seats: TRIALS })).id;
    const children = await enrolledChildren(w, p1, TRIALS);
    for (const child of children) {
      const results = await Promise.all([p2, p3].map((p) => api.request(SWITCH, { e: child.enrollmentId, p }, { token: child.family.token })));
      expect(results.map(code).sort()).toEqual(['CONFLICT', 'OK']);
    }
    const seats = await seatsTaken(p1, p2, p3);
    expect(seats[p1]).toBe(0);
    expect(seats[p2]! + seats[p3]!).toBe(TRIALS);
  });

  it('recordAttendance beside a revoke, a suspension or a switch of the same child: never a 500 (the model test found a deadlock)', async ({ expect }) => {
    const city = await seed.city();
    const w = await world(city);
    const program = (await seed.program(w.school, { minAge: 6, maxAge: 12, seats: 3 * TRIALS })).id;
    const other = (await seed.program(w.school, { minAge: 6, maxAge: 12, seats: 3 * TRIALS })).id;
    const children = await enrolledChildren(w, program, 3 * TRIALS);
    const today = localDate('Asia/Almaty', new Date()); // seed.city's time zone
    const RECORD = `mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { attendances { id } } }`;
    const record = (childId: string) => api.request(RECORD, { input: { programId: program, date: today, childIds: [childId], hours: 1 } }, { token: w.school.token });
    const outcomes = new Set<string>();
    for (const [i, child] of children.entries()) {
      const childId = child.family.children[0]!.id;
      const change = [
        () => api.request(REVOKE, { v: child.voucherId }, { token: w.operator }),
        () => api.request(SUSPEND, { v: child.voucherId }, { token: w.operator }),
        () => api.request(SWITCH, { e: child.enrollmentId, p: other }, { token: child.family.token }),
      ][i % 3]!;
      const [recorded, changed] = await Promise.all([record(childId), change()]);
      outcomes.add(`${code(recorded)}/${code(changed)}`);
      // Recorded first, or after the change: a suspension refuses the session (CONFLICT), a revoke or a
      // switch ends the enrollment today, which still covers the day.
      expect(['OK', 'CONFLICT']).toContain(code(recorded));
      expect(code(changed)).toBe('OK');
    }
    expect([...outcomes].every((o) => !o.includes('INTERNAL'))).toBe(true);
  });
});

describe.concurrent('finding 3: a child holding a voucher has no open application', SIDE_BY_SIDE, () => {
  const openOf = (childId: string) => api.sql<{ status: string }>(`select status from application where child_id = ? and status in ('QUEUED', 'OFFERED')`, [childId]);
  const heldOrReserved = (childId: string) => api.sql<{ status: string }>(`select status from voucher where child_id = ? and status in ('RESERVED', 'ACTIVE', 'SUSPENDED')`, [childId]);

  it('acceptOffer(UNIVERSAL) and issueVouchers(TARGETED, 1) at once for the head of the TARGETED queue: one voucher, no quota unit wasted', async ({ expect }) => {
    const city = await seed.city();
    const w = await world(city);
    const program = (await seed.program(w.school, { minAge: 6, maxAge: 12, seats: TRIALS })).id;
    for (let i = 0; i < TRIALS; i++) {
      const family = await seed.parent().withChild(1);
      const childId = family.children[0]!.id;
      await w.apply(family, 'UNIVERSAL');
      const universal = await w.offer('UNIVERSAL');
      await w.apply(family, 'TARGETED'); // alone in the TARGETED queue: its head
      await seed.quotaRoom(city, 'TARGETED', 1);
      const [accepted, issued] = await Promise.all([
        api.request(ACCEPT, { o: universal.id, p: program }, { token: family.token }),
        api.request(ISSUE, { city, t: 'TARGETED' }, { token: w.operator }),
      ]);
      expect(code(accepted)).toBe('OK');
      expect(code(issued)).toBe('OK'); // an offer the accept then declined, or none (the application was closed)
      expect(await heldOrReserved(childId)).toEqual([{ status: 'ACTIVE' }]);
      expect(await openOf(childId)).toEqual([]);
    }
    const [quota] = await api.sql<{ used: number }>(`select q.used from quota q join city c on c.id = q.city_id where c.code = ? and q.voucher_type = 'TARGETED'`, [city]);
    expect(quota!.used).toBe(0);
  });

  it('acceptOffer with applyForVoucher(TARGETED) at once: no QUEUED application beside the voucher', async ({ expect }) => {
    const city = await seed.city();
    const w = await world(city);
    const program = (await seed.program(w.school, { minAge: 6, maxAge: 12, seats: TRIALS })).id;
    for (let i = 0; i < TRIALS; i++) {
      const family = await seed.parent().withChild(1);
      const childId = family.children[0]!.id;
      await w.apply(family, 'UNIVERSAL');
      const universal = await w.offer('UNIVERSAL');
      const [accepted, applied] = await Promise.all([
        api.request(ACCEPT, { o: universal.id, p: program }, { token: family.token }),
        api.request(APPLY, { input: { childId, voucherType: 'TARGETED', city } }, { token: family.token }),
      ]);
      expect(code(accepted)).toBe('OK');
      expect(['OK', 'CONFLICT']).toContain(code(applied)); // before the accept (then closed by it), or refused after
      expect(await openOf(childId)).toEqual([]);
    }
  });

  it('acceptOffer with restoreApplication at once: the restored application does not stay open', async ({ expect }) => {
    const city = await seed.city();
    const w = await world(city);
    const program = (await seed.program(w.school, { minAge: 6, maxAge: 12, seats: TRIALS })).id;
    for (let i = 0; i < TRIALS; i++) {
      const family = await seed.parent().withChild(1);
      const childId = family.children[0]!.id;
      const targeted = await w.apply(family, 'TARGETED');
      await api.data(DECLINE, { o: (await w.offer('TARGETED')).id }, { token: family.token }); // CANCELLED: restorable
      await w.apply(family, 'UNIVERSAL');
      const universal = await w.offer('UNIVERSAL');
      const [accepted, restored] = await Promise.all([
        api.request(ACCEPT, { o: universal.id, p: program }, { token: family.token }),
        api.request(RESTORE, { id: targeted }, { token: family.token }),
      ]);
      expect(code(accepted)).toBe('OK');
      expect(['OK', 'CONFLICT']).toContain(code(restored));
      expect(await openOf(childId)).toEqual([]);
    }
  });

  it('the database refuses an open application for a child who holds a voucher', async ({ expect }) => {
    const city = await seed.city();
    const w = await world(city);
    const program = (await seed.program(w.school, { minAge: 6, maxAge: 12, seats: 1 })).id;
    const family = await seed.parent().withChild(1);
    const targeted = await w.apply(family, 'TARGETED');
    await api.data(DECLINE, { o: (await w.offer('TARGETED')).id }, { token: family.token });
    await w.apply(family, 'UNIVERSAL');
    await api.data(ACCEPT, { o: (await w.offer('UNIVERSAL')).id, p: program }, { token: family.token });
    await expect(api.sql(`update application set status = 'QUEUED' where id = ?`, [targeted])).rejects.toThrow(/child already holds a voucher/);
  });
});

describe.concurrent('finding 4: a rules change and the queue writes of its city serialise', SIDE_BY_SIDE, () => {
  const rankOf = (order: string[], category: string) => order.indexOf(category);

  it('updateCityRules(priorityOrder) with applyForVoucher at once: the application ranks by the rules in force after both', async ({ expect }) => {
    const city = await seed.city();
    const operator = await seed.operator(city);
    const families = [];
    for (let i = 0; i < TRIALS; i++) families.push(await seed.parent().withChild(1, undefined, 'DISABILITY'));
    for (let i = 0; i < TRIALS; i++) {
      const family = families[i]!;
      const order = i % 2 === 0 ? SWAPPED : ORDER; // every trial changes the order
      const [changed, applied] = await Promise.all([
        api.request(RULES, { city, order }, { token: operator }),
        api.request(APPLY, { input: { childId: family.children[0]!.id, voucherType: 'UNIVERSAL', city } }, { token: family.token }),
      ]);
      expect([code(changed), code(applied)]).toEqual(['OK', 'OK']);
      const [row] = await api.sql<{ priority_rank: number }>(`select priority_rank from application where id = ?`, [applied.body.data!.applyForVoucher.application.id]);
      expect(row!.priority_rank).toBe(rankOf(order, 'DISABILITY'));
    }
  });

  it('updateCityRules(priorityOrder) with issueVouchers at once: the offer goes to the head under the rules version it records', async ({ expect }) => {
    const city = await seed.city();
    const w = await world(city);
    for (let i = 0; i < TRIALS; i++) {
      const orphan = await seed.parent().withChild(1, undefined, 'ORPHAN');
      const disabled = await seed.parent().withChild(1, undefined, 'DISABILITY');
      const byCategory = { ORPHAN: await w.apply(orphan, 'UNIVERSAL'), DISABILITY: await w.apply(disabled, 'UNIVERSAL') };
      const current = (await api.data(`query($c: String!) { cityRules(city: $c) { priorityOrder } }`, { c: city })).cityRules.priorityOrder as string[];
      const next = current[0] === 'ORPHAN' ? SWAPPED : ORDER;
      await seed.quotaRoom(city, 'UNIVERSAL', 1);
      const [changed, issued] = await Promise.all([api.request(RULES, { city, order: next }, { token: w.operator }), api.request(ISSUE, { city, t: 'UNIVERSAL' }, { token: w.operator })]);
      expect([code(changed), code(issued)]).toEqual(['OK', 'OK']);
      const [made] = issued.body.data!.issueVouchers.offers;
      const [recorded] = await api.sql<{ priority_order: string[] }>(
        `select r.priority_order from offer o join application a on a.id = o.application_id join city_rules r on r.city_id = a.city_id and r.version = o.rules_version where o.id = ?`,
        [made.id],
      );
      const head = recorded!.priority_order[0] as 'ORPHAN' | 'DISABILITY';
      expect(made.application.id).toBe(byCategory[head]);
      // The other one leaves, so the next trial's pair is the whole queue.
      const other = head === 'ORPHAN' ? { family: disabled, id: byCategory.DISABILITY } : { family: orphan, id: byCategory.ORPHAN };
      await api.data(WITHDRAW, { id: other.id }, { token: other.family.token });
    }
  });
});

describe.concurrent('the service transaction', () => {
  it('runs a transaction PostgreSQL chose as a deadlock victim again, whole, and its writes land once', async ({ expect }) => {
    const { inTransaction } = await import('../../src/services/transaction.js');
    const probe = `lock_retry_probe_${randomBytes(4).toString('hex')}`;
    await api.sql(`create table ${probe} (tag text not null)`);
    try {
      const [keyA, keyB] = [randomBytes(4).readInt32BE(0), randomBytes(4).readInt32BE(0) ^ 1];
      const attempts = { a: 0, b: 0 };
      // Each side's first attempt holds its key until the other holds its own, then asks for the
      // other's: a cycle whatever the timing. Later attempts take the keys without waiting.
      let aHolds!: () => void;
      let bHolds!: () => void;
      const aHeld = new Promise<void>((r) => (aHolds = r));
      const bHeld = new Promise<void>((r) => (bHolds = r));
      const side = (name: 'a' | 'b', first: number, second: number, mine: () => void, theirs: Promise<void>) =>
        inTransaction(api.orm.em.fork(), async (tx) => {
          attempts[name]++;
          await tx.execute(`insert into ${probe} (tag) values (?)`, [name]);
          await tx.execute('select pg_advisory_xact_lock(?)', [first]);
          if (attempts[name] === 1) {
            mine();
            await theirs;
          }
          await tx.execute('select pg_advisory_xact_lock(?)', [second]);
          return name;
        });
      expect(await Promise.all([side('a', keyA, keyB, aHolds, bHeld), side('b', keyB, keyA, bHolds, aHeld)])).toEqual(['a', 'b']);
      expect(attempts.a + attempts.b).toBe(3); // the victim ran twice
      expect((await api.sql<{ tag: string }>(`select tag from ${probe} order by tag`)).map((r) => r.tag)).toEqual(['a', 'b']);
    } finally {
      await api.sql(`drop table ${probe}`);
    }
  });
});
