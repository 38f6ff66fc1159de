// The world the lifecycle model test drives: one city (ASTANA) in a database of its own, two
// providers with small programs (so seats run out), six verified families with one child each.
// Commands pick their targets from the real state at the moment they run (by index, modulo what
// exists), so every subsequence of a command list still runs: fast-check can shrink a failing
// list to a short reproduction.
import fc from 'fast-check';
import { TestApi } from '../support/api.js';
import { freshDatabase } from '../support/fresh-database.js';
import { type FamilyHandle, type ProviderHandle, Seed } from '../support/seed.js';

export const CITY = 'ASTANA';
const TYPES = ['TARGETED', 'UNIVERSAL'] as const;
type VoucherType = (typeof TYPES)[number];

/** Error codes a client may legitimately get from a mutation; anything else fails the run. */
const ALLOWED_CODES = new Set(['BAD_USER_INPUT', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'QUOTA_EXHAUSTED', 'CAPACITY_FULL']);

export interface World {
  api: TestApi;
  seed: Seed;
  operator: string;
  families: FamilyHandle[];
  programs: string[];
  /** The jobs' clock: moves forward only, by the RunJobs command. */
  now: Date;
  close(): Promise<void>;
}

export async function buildWorld(): Promise<World> {
  const { db, drop } = await freshDatabase('kezek_model');
  const api = await TestApi.start({
    db,
    // The model sends thousands of requests from one address and identity; the limits are not what it tests.
    rateLimits: { requestsPerAddress: 1e9, requestsPerCaller: 1e9, mutationsPerCaller: 1e9 },
  });
  const seed = new Seed(api);
  const operator = await seed.operator(CITY);
  const providers: ProviderHandle[] = [await seed.provider({ city: CITY, kind: 'SCHOOL' }).approved(), await seed.provider({ city: CITY, kind: 'PRIVATE' }).approved()];
  const programs = [];
  for (const provider of providers) programs.push((await seed.program(provider, { minAge: 5, maxAge: 14, seats: 2 })).id);
  const families = [];
  for (let i = 0; i < 6; i++) families.push(await seed.parent().withChild(1, undefined, i === 0 ? 'ORPHAN' : 'NONE'));
  return {
    api,
    seed,
    operator,
    families,
    programs,
    now: new Date(),
    close: async () => {
      await api.close();
      await drop();
    },
  };
}

/** What exists now, read by SQL: the targets commands choose from. */
interface Snapshot {
  applications: { id: string; child_id: string; status: string; voucher_type: VoucherType }[];
  offers: { id: string; application_id: string; status: string }[];
  vouchers: { id: string; child_id: string; status: string }[];
  enrollments: { id: string; voucher_id: string; status: string }[];
}

async function snapshot(world: World): Promise<Snapshot> {
  const sql = world.api.sql.bind(world.api);
  return {
    applications: await sql(`select id, child_id, status, voucher_type from application order by id`),
    offers: await sql(`select id, application_id, status from offer order by id`),
    vouchers: await sql(`select id, child_id, status from voucher order by id`),
    enrollments: await sql(`select id, voucher_id, status from enrollment order by id`),
  };
}

const pick = <T>(items: T[], index: number): T | undefined => (items.length ? items[index % items.length] : undefined);
/**
 * Three times in four a target the action fits (a pending offer to accept, a queued application
 * to withdraw…), so runs reach deep states; otherwise any, so wrong requests are sent too.
 */
const choose = <T>(items: T[], fits: (item: T) => boolean, n: number): T | undefined => {
  const fitting = items.filter(fits);
  return n % 4 === 0 || fitting.length === 0 ? pick(items, n >> 2) : pick(fitting, n >> 2);
};
const RANDOM_ID = '0190f0e0-0000-7000-8000-00000000beef';

/** One request: who sends what. `null` when the command has no target in this state. */
interface Request {
  label: string;
  query: string;
  variables: Record<string, unknown>;
  token: string;
}

/** A command as generated: a kind and numbers that choose its targets when it runs. */
export type Command =
  | { kind: 'apply' | 'withdraw' | 'restore' | 'accept' | 'decline' | 'switch' | 'suspend' | 'reinstate' | 'revoke' | 'quota' | 'issue' | 'rules' | 'bogus'; a: number; b: number }
  | { kind: 'jobs'; hours: number }
  | { kind: 'together'; parts: { kind: string; a: number; b: number }[] };

const SINGLE_KINDS = ['apply', 'withdraw', 'restore', 'accept', 'decline', 'switch', 'suspend', 'reinstate', 'revoke', 'quota', 'issue', 'rules', 'bogus'] as const;
/** Two priority orders the rules command switches between: the family with a verified ORPHAN moves. */
const PRIORITY_ORDERS = [
  ['ORPHAN', 'DISABILITY', 'MILITARY_FAMILY', 'LARGE_FAMILY', 'LOW_INCOME', 'SINGLE_PARENT'],
  ['LARGE_FAMILY', 'ORPHAN'],
];
const single = fc.record({ kind: fc.constantFrom(...SINGLE_KINDS), a: fc.nat(1000), b: fc.nat(1000) });

/** Three quarters single requests (and the jobs), one quarter 2–6 conflicting requests at once. */
export const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 12, arbitrary: single as fc.Arbitrary<Command> },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('jobs' as const), hours: fc.constantFrom(0, 1, 30, 130) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('together' as const), parts: fc.array(single, { minLength: 2, maxLength: 6 }) }) as fc.Arbitrary<Command> },
);

function requestFor(world: World, state: Snapshot, c: { kind: string; a: number; b: number }): Request | null {
  const family = (childId: string) => world.families.find((f) => f.children[0]!.id === childId);
  const type: VoucherType = TYPES[c.b % 2]!;
  const op = world.operator;
  switch (c.kind) {
    case 'apply': {
      const f = pick(world.families, c.a)!;
      return { label: `apply(${f.children[0]!.id.slice(-4)}, ${type})`, query: `mutation($i: ApplyForVoucherInput!) { applyForVoucher(input: $i) { application { id } } }`, variables: { i: { childId: f.children[0]!.id, voucherType: type, city: CITY } }, token: f.token };
    }
    case 'withdraw':
    case 'restore': {
      const app = choose(state.applications, (x) => (c.kind === 'withdraw' ? x.status === 'QUEUED' : ['CANCELLED', 'WITHDRAWN'].includes(x.status)), c.a);
      if (!app) return null;
      const field = c.kind === 'withdraw' ? 'withdrawApplication' : 'restoreApplication';
      return { label: `${c.kind}(${app.id.slice(-4)})`, query: `mutation($id: ID!) { ${field}(input: { applicationId: $id }) { application { id } } }`, variables: { id: app.id }, token: family(app.child_id)!.token };
    }
    case 'accept':
    case 'decline': {
      const offer = choose(state.offers, (o) => o.status === 'PENDING', c.a);
      if (!offer) return null;
      const app = state.applications.find((x) => x.id === offer.application_id)!;
      const token = family(app.child_id)!.token;
      return c.kind === 'accept'
        ? { label: `accept(${offer.id.slice(-4)})`, query: `mutation($o: ID!, $p: ID!) { acceptOffer(input: { offerId: $o, programId: $p }) { enrollment { id } } }`, variables: { o: offer.id, p: pick(world.programs, c.b) }, token }
        : { label: `decline(${offer.id.slice(-4)})`, query: `mutation($o: ID!) { declineOffer(input: { offerId: $o }) { offer { id } } }`, variables: { o: offer.id }, token };
    }
    case 'switch': {
      const enrollment = choose(state.enrollments, (e) => e.status === 'ACTIVE', c.a);
      if (!enrollment) return null;
      const voucher = state.vouchers.find((v) => v.id === enrollment.voucher_id)!;
      return { label: `switch(${enrollment.id.slice(-4)})`, query: `mutation($e: ID!, $p: ID!) { switchProgram(input: { enrollmentId: $e, programId: $p }) { enrollment { id } } }`, variables: { e: enrollment.id, p: pick(world.programs, c.b) }, token: family(voucher.child_id)!.token };
    }
    case 'suspend':
    case 'reinstate':
    case 'revoke': {
      const fits: Record<string, string[]> = { suspend: ['ACTIVE'], reinstate: ['SUSPENDED'], revoke: ['ACTIVE', 'SUSPENDED'] };
      const voucher = choose(state.vouchers, (v) => fits[c.kind]!.includes(v.status), c.a);
      if (!voucher) return null;
      return { label: `${c.kind}(${voucher.id.slice(-4)})`, query: `mutation($v: ID!) { ${c.kind}Voucher(input: { voucherId: $v, reason: "Проверка модели" }) { voucher { id } } }`, variables: { v: voucher.id }, token: op };
    }
    case 'quota':
      return { label: `quota(${type}, ${c.a % 8})`, query: `mutation($i: SetQuotaInput!) { setQuota(input: $i) { quota { id } } }`, variables: { i: { city: CITY, voucherType: type, period: String(new Date().getFullYear()), count: c.a % 8 } }, token: op };
    case 'issue':
      return { label: `issue(${type}, ${1 + (c.a % 3)})`, query: `mutation($i: IssueVouchersInput!) { issueVouchers(input: $i) { offers { id } } }`, variables: { i: { city: CITY, voucherType: type, count: 1 + (c.a % 3) } }, token: op };
    case 'rules': {
      const order = PRIORITY_ORDERS[c.a % 2]!;
      return { label: `rules(${order[0]} first)`, query: `mutation($i: UpdateCityRulesInput!) { updateCityRules(input: $i) { rules { version } } }`, variables: { i: { city: CITY, priorityOrder: order } }, token: op };
    }
    case 'bogus': {
      // Deliberately wrong: ids that do not exist, and another family's offer.
      const offer = pick(state.offers, c.a);
      const stranger = pick(world.families, c.b)!;
      return offer && c.b % 2
        ? { label: `accept-as-stranger(${offer.id.slice(-4)})`, query: `mutation($o: ID!, $p: ID!) { acceptOffer(input: { offerId: $o, programId: $p }) { enrollment { id } } }`, variables: { o: offer.id, p: world.programs[0] }, token: stranger.token }
        : { label: 'decline(unknown)', query: `mutation($o: ID!) { declineOffer(input: { offerId: $o }) { offer { id } } }`, variables: { o: RANDOM_ID }, token: stranger.token };
    }
  }
  return null;
}

/** Everything a refused request must leave as it was. */
async function fingerprint(world: World): Promise<string> {
  const [row] = await world.api.sql<{ f: string }>(
    `select md5(concat_ws('|',
       (select string_agg(id::text || status, ',' order by id) from application),
       (select string_agg(id::text || status, ',' order by id) from offer),
       (select string_agg(id::text || status, ',' order by id) from voucher),
       (select string_agg(id::text || status, ',' order by id) from enrollment),
       (select string_agg(id::text || used || '/' || count, ',' order by id) from quota),
       (select string_agg(id::text || seats_taken, ',' order by id) from program),
       (select count(*) from audit_event), (select count(*) from domain_event), (select count(*) from notification))) as f`,
  );
  return row!.f;
}

interface Reply {
  label: string;
  code: string | null;
}

async function send(world: World, request: Request): Promise<Reply> {
  const res = await world.api.request(request.query, request.variables, { token: request.token });
  const code = res.body.errors?.[0]?.extensions?.code ?? null;
  if (code !== null && !ALLOWED_CODES.has(code)) throw new Error(`${request.label} answered ${code}: ${res.body.errors?.[0]?.message}`);
  if (code === null && !res.body.data) throw new Error(`${request.label} answered no data and no error`);
  return { label: request.label, code };
}

/** Runs one command; returns what was sent and answered, for the log of a failing run. */
export async function runCommand(world: World, command: Command): Promise<string> {
  if (command.kind === 'jobs') {
    world.now = new Date(world.now.getTime() + command.hours * 3_600_000);
    await world.api.runJobs(CITY, world.now);
    return `jobs(+${command.hours}h)`;
  }
  const state = await snapshot(world);
  if (command.kind === 'together') {
    const requests = command.parts.map((p) => requestFor(world, state, p)).filter((r): r is Request => r !== null);
    const replies = await Promise.all(requests.map((r) => send(world, r)));
    return `together[${replies.map((r) => `${r.label}→${r.code ?? 'ok'}`).join(', ')}]`;
  }
  const request = requestFor(world, state, command);
  if (!request) return `${command.kind}(nothing to act on)`;
  const before = await fingerprint(world);
  const reply = await send(world, request);
  if (reply.code !== null && (await fingerprint(world)) !== before) throw new Error(`${request.label} was refused (${reply.code}) but wrote something`);
  return `${reply.label}→${reply.code ?? 'ok'}`;
}

/** The invariants, checked by SQL after every step; each row returned is a violation. */
const INVARIANTS: Record<string, string> = {
  // A child may wait for an offer in each voucher type's queue at once, so two RESERVED vouchers
  // (one per type) are fine; a held one beside anything else is not.
  'one held voucher per child': `select child_id from voucher where status in ('ACTIVE','SUSPENDED') group by child_id having count(*) > 1`,
  'no reservation beside a held voucher': `select r.id from voucher r join voucher h on h.child_id = r.child_id and h.status in ('ACTIVE','SUSPENDED') where r.status = 'RESERVED'`,
  'one reservation per child and voucher type': `select child_id from voucher where status = 'RESERVED' group by child_id, type having count(*) > 1`,
  'a voucher holder has no open application': `select a.id from application a join voucher v on v.child_id = a.child_id and v.status in ('ACTIVE','SUSPENDED') where a.status in ('QUEUED','OFFERED')`,
  'one active enrollment per voucher': `select voucher_id from enrollment where status = 'ACTIVE' group by voucher_id having count(*) > 1`,
  'an active or suspended voucher is enrolled': `select v.id from voucher v where v.status in ('ACTIVE','SUSPENDED') and not exists (select 1 from enrollment e where e.voucher_id = v.id and e.status = 'ACTIVE')`,
  'a reserved voucher has a pending offer and no enrollment': `select v.id from voucher v where v.status = 'RESERVED' and (exists (select 1 from enrollment e where e.voucher_id = v.id and e.status = 'ACTIVE') or not exists (select 1 from offer o where o.application_id = v.application_id and o.status = 'PENDING'))`,
  'an offered application has exactly one pending offer': `select a.id from application a where (a.status = 'OFFERED') <> ((select count(*) from offer o where o.application_id = a.id and o.status = 'PENDING') = 1)`,
  'seats taken are the active enrollments, within the seats': `select p.id from program p where p.seats_taken <> (select count(*) from enrollment e where e.program_id = p.id and e.status = 'ACTIVE') or p.seats_taken > p.seats`,
  'a place ranks by the rules in force': `select a.id from application a
      join lateral (select priority_order from city_rules r where r.city_id = a.city_id order by r.version desc limit 1) r on true
     where a.status in ('QUEUED','OFFERED') and a.priority_rank <> coalesce(
       (select t.ord - 1 from jsonb_array_elements_text(r.priority_order) with ordinality as t(category, ord) where t.category = a.priority_category),
       jsonb_array_length(r.priority_order))`,
  'quota used is the vouchers not released, within the count': `select q.id from quota q where q.used <> (select count(*) from voucher v where v.city_id = q.city_id and v.type = q.voucher_type and v.status <> 'RELEASED') or q.used > q.count`,
};

export async function checkInvariants(world: World): Promise<void> {
  const broken: string[] = [];
  for (const [name, sql] of Object.entries(INVARIANTS)) {
    const rows = await world.api.sql(sql);
    if (rows.length) broken.push(`${name}: ${JSON.stringify(rows.slice(0, 3))}`);
  }
  // Every family's own view through the API: a waiting application's position equals the queue's
  // order by SQL (and is never missing while the status says QUEUED).
  const expected = new Map<string, number>();
  for (const type of TYPES) {
    const rows = await world.api.sql<{ id: string; n: number }>(
      `select a.id, row_number() over (order by a.priority_rank, a.submitted_at, a.submission_seq)::int as n
         from application a join city c on c.id = a.city_id where c.code = ? and a.voucher_type = ? and a.status = 'QUEUED'`,
      [CITY, type],
    );
    for (const { id, n } of rows) expected.set(id, n);
  }
  for (const family of world.families) {
    const { myApplications } = await world.api.data(`{ myApplications { id status position } }`, {}, { token: family.token });
    for (const app of myApplications as { id: string; status: string; position: number | null }[]) {
      if (app.status === 'QUEUED' && app.position !== expected.get(app.id)) broken.push(`position of ${app.id}: ${app.position}, the queue's order says ${expected.get(app.id)}`);
    }
  }
  if (broken.length) throw new Error(`invariants broken:\n  ${broken.join('\n  ')}`);
}
