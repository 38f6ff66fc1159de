// The world the lifecycle model test drives: one city (ASTANA) in a database of its own, two
// providers with small programs (so seats run out), twelve verified families with one child each
// (families register more children, with a declared priority category, as the run goes).
// Commands pick their targets from the real state at the moment they run (by index, modulo what
// exists), so every subsequence of a command list still runs: fast-check can shrink a failing
// list to a short reproduction.
import fc from 'fast-check';
import { pino } from 'pino';
import { localDate } from '../../src/domain/calendar.js';
import { TestApi } from '../support/api.js';
import { freshDatabase } from '../support/fresh-database.js';
import { randomChildBirthDate, randomIin } from '../support/ids.js';
import { type FamilyHandle, type ProviderHandle, Seed } from '../support/seed.js';

export const CITY = 'ASTANA';
const TYPES = ['TARGETED', 'UNIVERSAL'] as const;
type VoucherType = (typeof TYPES)[number];

const FAMILIES = 12;

/** Error codes a client may legitimately get from a mutation; anything else fails the run. */
const ALLOWED_CODES = new Set(['BAD_USER_INPUT', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'QUOTA_EXHAUSTED', 'CAPACITY_FULL']);

export interface World {
  api: TestApi;
  seed: Seed;
  operator: string;
  admin: string;
  families: FamilyHandle[];
  programs: string[];
  /** The PROVIDER token that runs each program (by program id). */
  providerOf: Map<string, string>;
  /** The city's time zone: attendance dates and settlement months are the city's. */
  timezone: string;
  /** The jobs' clock: moves forward only, by the RunJobs command. */
  now: Date;
  /** The server's error log lines (the cause behind a masked INTERNAL_SERVER_ERROR), newest last. */
  serverErrors: string[];
  close(): Promise<void>;
}

export async function buildWorld(): Promise<World> {
  const { db, drop } = await freshDatabase('kezek_model');
  // A reply of INTERNAL_SERVER_ERROR hides its cause from the client; the failure message shows the server's log of it.
  const serverErrors: string[] = [];
  const log = pino(
    { level: 'error' },
    {
      write: (line: string) => {
        serverErrors.push(line);
        if (serverErrors.length > 20) serverErrors.shift();
      },
    },
  );
  const api = await TestApi.start({
    db,
    log,
    // The model sends thousands of requests from one address and identity; the limits are not what it tests.
    rateLimits: { requestsPerAddress: 1e9, requestsPerCaller: 1e9, mutationsPerCaller: 1e9 },
  });
  const seed = new Seed(api);
  const operator = await seed.operator(CITY);
  const providers: ProviderHandle[] = [await seed.provider({ city: CITY, kind: 'SCHOOL' }).approved(), await seed.provider({ city: CITY, kind: 'PRIVATE' }).approved()];
  const programs = [];
  const providerOf = new Map<string, string>();
  for (const provider of providers) {
    const id = (await seed.program(provider, { minAge: 5, maxAge: 14, seats: 2 })).id;
    programs.push(id);
    providerOf.set(id, provider.token);
  }
  const families = [];
  // More families than seats and quota, so queues stay long and revocations free places for the next.
  for (let i = 0; i < FAMILIES; i++) families.push(await seed.parent().withChild(1, undefined, i === 0 ? 'ORPHAN' : 'NONE'));
  const [city] = await api.sql<{ timezone: string }>(`select timezone from city where code = ?`, [CITY]);
  return {
    serverErrors,
    api,
    seed,
    operator,
    admin: await seed.admin(),
    families,
    programs,
    providerOf,
    timezone: city!.timezone,
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
  enrollments: { id: string; voucher_id: string; program_id: string; status: string }[];
  attendances: { id: string; voucher_id: string; status: string }[];
  payments: { id: string; status: string }[];
  /** Declared priority categories (guardianship rows with a claim), the cases an operator decides. */
  claims: { id: string; child_id: string; category_status: string }[];
  quotas: { voucher_type: VoucherType; used: number }[];
}

async function snapshot(world: World): Promise<Snapshot> {
  const sql = world.api.sql.bind(world.api);
  return {
    applications: await sql(`select id, child_id, status, voucher_type from application order by id`),
    offers: await sql(`select id, application_id, status from offer order by id`),
    vouchers: await sql(`select id, child_id, status from voucher order by id`),
    enrollments: await sql(`select id, voucher_id, program_id, status from enrollment order by id`),
    attendances: await sql(`select id, voucher_id, status from attendance order by id`),
    payments: await sql(`select id, status from payment order by id`),
    claims: await sql(`select id, child_id, category_status from guardianship where category_status is not null order by id`),
    quotas: await sql(`select voucher_type, used from quota order by voucher_type`),
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
  /** The entity whose status the request changes: a change must leave an audit entry naming it. */
  entity?: string;
  /**
   * The reply the model predicts when the request is sent alone ('ok' or an error code), where the
   * state before it decides the answer; undefined where more than the statuses decide (seats, ages,
   * rules windows). Sent in a batch, any serial order may come first, so only the closed set is checked.
   */
  expected?: string;
}

/** A command as generated: a kind and numbers that choose its targets when it runs. */
export type Command =
  | { kind: (typeof SINGLE_KINDS)[number]; a: number; b: number }
  | { kind: 'jobs'; hours: number }
  | { kind: 'together'; parts: { kind: string; a: number; b: number }[] };

const SINGLE_KINDS = [
  'apply', 'withdraw', 'restore', 'accept', 'decline', 'switch', 'suspend', 'reinstate', 'revoke', 'quota', 'issue', 'rules', 'bogus',
  // The money side: sessions recorded, confirmed or disputed, months settled, payments moved, budgets set.
  'attend', 'confirm', 'dispute', 'settle', 'approve', 'paid', 'failed', 'budget',
  // Priority categories: a family declares one, the city decides it while the child waits.
  'register', 'decide',
] as const;
/** Revocations free places (seats, quota), applications and answers to offers fill them: drawn more often, so long runs keep reaching enrollments, sessions and payments. */
const DRAWN_KINDS = [...SINGLE_KINDS, 'revoke', 'attend', 'issue', 'apply', 'apply', 'accept', 'accept', 'confirm', 'restore'] as const;
const CATEGORIES = ['ORPHAN', 'LARGE_FAMILY', 'DISABILITY', 'LOW_INCOME'] as const;
const BUDGETS_TIYN = [0, 300_000, 2_000_000, 100_000_000];
/** Two priority orders the rules command switches between: the family with a verified ORPHAN moves. */
const PRIORITY_ORDERS = [
  ['ORPHAN', 'DISABILITY', 'MILITARY_FAMILY', 'LARGE_FAMILY', 'LOW_INCOME', 'SINGLE_PARENT'],
  ['LARGE_FAMILY', 'ORPHAN'],
];
const single = fc.record({ kind: fc.constantFrom(...DRAWN_KINDS), a: fc.nat(1000), b: fc.nat(1000) });

/** Three quarters single requests (and the jobs), one quarter 2–6 conflicting requests at once. */
export const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 12, arbitrary: single as fc.Arbitrary<Command> },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('jobs' as const), hours: fc.constantFrom(0, 1, 30, 130) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('together' as const), parts: fc.array(single, { minLength: 2, maxLength: 6 }) }) as fc.Arbitrary<Command> },
);

function requestFor(world: World, state: Snapshot, c: { kind: string; a: number; b: number }): Request | null {
  const family = (childId: string) => world.families.find((f) => f.children.some((ch) => ch.id === childId));
  const childOfVoucher = (voucherId: string) => state.vouchers.find((v) => v.id === voucherId)?.child_id;
  const today = localDate(world.timezone, world.api.clock.now());
  const month = today.slice(0, 7);
  const type: VoucherType = TYPES[c.b % 2]!;
  const op = world.operator;
  switch (c.kind) {
    case 'apply': {
      const f = pick(world.families, c.a)!;
      const child = pick(f.children, c.a >> 4)!;
      return { label: `apply(${child.id.slice(-4)}, ${type})`, query: `mutation($i: ApplyForVoucherInput!) { applyForVoucher(input: $i) { application { id } } }`, variables: { i: { childId: child.id, voucherType: type, city: CITY } }, token: f.token };
    }
    case 'withdraw':
    case 'restore': {
      const app = choose(state.applications, (x) => (c.kind === 'withdraw' ? x.status === 'QUEUED' : ['CANCELLED', 'WITHDRAWN'].includes(x.status)), c.a);
      if (!app) return null;
      const field = c.kind === 'withdraw' ? 'withdrawApplication' : 'restoreApplication';
      // The owner withdraws a waiting application; any other status is no longer the queue's to leave.
      const expected = c.kind === 'withdraw' ? (app.status === 'QUEUED' ? 'ok' : 'CONFLICT') : undefined;
      return { label: `${c.kind}(${app.id.slice(-4)})`, query: `mutation($id: ID!) { ${field}(input: { applicationId: $id }) { application { id } } }`, variables: { id: app.id }, token: family(app.child_id)!.token, entity: app.id, expected };
    }
    case 'accept':
    case 'decline': {
      const offer = choose(state.offers, (o) => o.status === 'PENDING', c.a);
      if (!offer) return null;
      const app = state.applications.find((x) => x.id === offer.application_id)!;
      const token = family(app.child_id)!.token;
      return c.kind === 'accept'
        ? { label: `accept(${offer.id.slice(-4)})`, query: `mutation($o: ID!, $p: ID!) { acceptOffer(input: { offerId: $o, programId: $p, acceptTerms: true, personalDataConsent: true }) { enrollment { id } } }`, variables: { o: offer.id, p: pick(world.programs, c.b) }, token, entity: offer.id }
        : // A pending offer is its family's to decline (the server's clock is real time, well before the
          // deadline); a decided one is not.
          {
            label: `decline(${offer.id.slice(-4)})`,
            query: `mutation($o: ID!) { declineOffer(input: { offerId: $o }) { offer { id } } }`,
            variables: { o: offer.id },
            token,
            entity: offer.id,
            expected: offer.status === 'PENDING' ? 'ok' : 'CONFLICT',
          };
    }
    case 'switch': {
      const enrollment = choose(state.enrollments, (e) => e.status === 'ACTIVE', c.a);
      if (!enrollment) return null;
      const voucher = state.vouchers.find((v) => v.id === enrollment.voucher_id)!;
      return { label: `switch(${enrollment.id.slice(-4)})`, query: `mutation($e: ID!, $p: ID!) { switchProgram(input: { enrollmentId: $e, programId: $p, acceptTerms: true, personalDataConsent: true }) { enrollment { id } } }`, variables: { e: enrollment.id, p: pick(world.programs, c.b) }, token: family(voucher.child_id)!.token, entity: voucher.id };
    }
    case 'suspend':
    case 'reinstate':
    case 'revoke': {
      const fits: Record<string, string[]> = { suspend: ['ACTIVE'], reinstate: ['SUSPENDED'], revoke: ['ACTIVE', 'SUSPENDED'] };
      const voucher = choose(state.vouchers, (v) => fits[c.kind]!.includes(v.status), c.a);
      if (!voucher) return null;
      // The operator's action moves exactly the statuses it means (VOUCHER_OPERATOR_ACTIONS); any other is CONFLICT.
      const expected = fits[c.kind]!.includes(voucher.status) ? 'ok' : 'CONFLICT';
      return { label: `${c.kind}(${voucher.id.slice(-4)})`, query: `mutation($v: ID!) { ${c.kind}Voucher(input: { voucherId: $v, reason: "Проверка модели" }) { voucher { id } } }`, variables: { v: voucher.id }, token: op, entity: voucher.id, expected };
    }
    case 'quota': {
      // Two times in three room for a few more vouchers beyond those used (revoked vouchers keep
      // their quota unit, so a fixed small count would stop issuing for good); else 0–7, often below.
      const used = state.quotas.find((q) => q.voucher_type === type)?.used ?? 0;
      const count = (c.b >> 1) % 3 === 0 ? c.a % 8 : used + (c.a % 4);
      return { label: `quota(${type}, ${count})`, query: `mutation($i: SetQuotaInput!) { setQuota(input: $i) { quota { id } } }`, variables: { i: { city: CITY, voucherType: type, period: String(new Date().getFullYear()), count } }, token: op };
    }
    case 'issue':
      return { label: `issue(${type}, ${1 + (c.a % 3)})`, query: `mutation($i: IssueVouchersInput!) { issueVouchers(input: $i) { offers { id } } }`, variables: { i: { city: CITY, voucherType: type, count: 1 + (c.a % 3) } }, token: op };
    case 'rules': {
      const order = PRIORITY_ORDERS[c.a % 2]!;
      return { label: `rules(${order[0]} first)`, query: `mutation($i: UpdateCityRulesInput!) { updateCityRules(input: $i) { rules { version } } }`, variables: { i: { city: CITY, priorityOrder: order } }, token: op };
    }

    case 'attend': {
      // The provider records a session: mostly today's for an active enrollment (so a repeat of a
      // recorded day happens often), sometimes for an enrollment that ended (switched away or
      // revoked: today still counts), yesterday (before most enrollments began), tomorrow (never).
      const enrollment = choose(state.enrollments, (e) => e.status === 'ACTIVE', c.a);
      if (!enrollment) return null;
      const childId = childOfVoucher(enrollment.voucher_id)!;
      const program = c.b % 9 === 0 ? pick(world.programs, c.b >> 4)! : enrollment.program_id;
      const shift = [0, 0, 0, 0, 0, -1, 1][c.b % 7]!;
      const date = new Date(Date.parse(`${today}T00:00:00Z`) + shift * 86_400_000).toISOString().slice(0, 10);
      const hours = c.b % 11 === 0 ? 0.3 : 1.5;
      return {
        label: `attend(${enrollment.id.slice(-4)}, ${date.slice(5)}, ${hours}h)`,
        query: `mutation($i: RecordAttendanceInput!) { recordAttendance(input: $i) { attendances { id } } }`,
        variables: { i: { programId: program, date, childIds: [childId], hours } },
        token: world.providerOf.get(program)!,
      };
    }
    case 'confirm':
    case 'dispute': {
      // The child's family answers for a session, or (one time in five) a stranger family tries to.
      const session = choose(state.attendances, (x) => x.status === 'RECORDED', c.a);
      if (!session) return null;
      const own = family(childOfVoucher(session.voucher_id)!)!;
      const stranger = c.b % 5 === 0 ? pick(world.families.filter((f) => f !== own), c.b >> 3) : undefined;
      const token = (stranger ?? own).token;
      const who = stranger ? '-as-stranger' : '';
      return c.kind === 'confirm'
        ? { label: `confirm${who}(${session.id.slice(-4)})`, query: `mutation($ids: [ID!]!) { confirmAttendance(input: { attendanceIds: $ids }) { attendances { id } } }`, variables: { ids: [session.id] }, token, entity: session.id }
        : { label: `dispute${who}(${session.id.slice(-4)})`, query: `mutation($id: ID!) { disputeAttendance(input: { attendanceId: $id, reason: "Ребёнок болел" }) { attendance { id } } }`, variables: { id: session.id }, token, entity: session.id };
    }
    case 'settle': {
      // This month (still running: what is confirmed so far is paid); one time in six next month, refused.
      const next = new Date(Date.parse(`${month}-01T00:00:00Z`) + 32 * 86_400_000).toISOString().slice(0, 7);
      const period = c.b % 6 === 0 ? next : month;
      return { label: `settle(${period})`, query: `mutation($i: SettlePeriodInput!) { settlePeriod(input: $i) { created } }`, variables: { i: { city: CITY, period } }, token: c.a % 2 ? world.admin : op };
    }
    case 'approve':
    case 'paid':
    case 'failed': {
      const fits = { approve: 'CALCULATED', paid: 'APPROVED', failed: 'APPROVED' }[c.kind];
      const payment = choose(state.payments, (x) => x.status === fits, c.a);
      if (!payment) return null;
      const token = c.b % 2 ? world.admin : op;
      const label = `${c.kind}(${payment.id.slice(-4)})`;
      if (c.kind === 'approve') return { label, query: `mutation($id: ID!) { approvePayment(input: { paymentId: $id }) { payment { id } } }`, variables: { id: payment.id }, token, entity: payment.id };
      if (c.kind === 'paid') return { label, query: `mutation($id: ID!) { markPaymentPaid(input: { paymentId: $id, bankReference: "BANK-REF-1" }) { payment { id } } }`, variables: { id: payment.id }, token, entity: payment.id };
      return { label, query: `mutation($id: ID!) { markPaymentFailed(input: { paymentId: $id, reason: "Счёт закрыт" }) { payment { id } } }`, variables: { id: payment.id }, token, entity: payment.id };
    }
    case 'budget': {
      const tiyn = BUDGETS_TIYN[c.a % BUDGETS_TIYN.length]!;
      return { label: `budget(${type}, ${tiyn})`, query: `mutation($i: SetBudgetInput!) { setBudget(input: $i) { budget { id } } }`, variables: { i: { city: CITY, voucherType: type, period: month.slice(0, 4), allocated: { tiyn } } }, token: op };
    }
    case 'register': {
      // A family registers a new child with a declared category (or, one time in three, declares
      // one for a child it already has). The category counts only once the city verifies it.
      const f = pick(world.families, c.a)!;
      const category = CATEGORIES[c.b % CATEGORIES.length]!;
      const existing = c.b % 3 === 0 ? pick(f.children, c.b >> 2) : undefined;
      const iin = existing?.iin ?? randomIin(randomChildBirthDate(), c.a % 2 ? 'FEMALE' : 'MALE');
      return {
        label: `register(${existing ? existing.id.slice(-4) : 'new'}, ${category})`,
        query: `mutation($i: RegisterChildInput!) { registerChild(input: $i) { child { id iin } } }`,
        variables: { i: { iin, fullName: 'Бала', relationship: 'MOTHER', priorityCategory: category, city: CITY } },
        token: f.token,
      };
    }
    case 'decide': {
      const claim = choose(state.claims, (x) => x.category_status === 'CLAIMED', c.a);
      if (!claim) return null;
      const decision = c.b % 3 === 0 ? 'REJECT' : 'VERIFY';
      return {
        label: `decide(${claim.id.slice(-4)}, ${decision})`,
        query: `mutation($i: DecideClaimInput!) { decidePriorityCategory(input: $i) { case { priorityCategoryStatus } } }`,
        variables: { i: { caseId: claim.id, decision, evidenceReference: `справка ${claim.id.slice(-4)}` } },
        token: c.b % 2 ? world.admin : op,
        entity: claim.id,
      };
    }
    case 'bogus': {
      // Deliberately wrong: ids that do not exist, and another family's offer.
      const offer = pick(state.offers, c.a);
      const stranger = pick(world.families, c.b)!;
      if (offer && c.b % 2) return { label: `accept-as-stranger(${offer.id.slice(-4)})`, query: `mutation($o: ID!, $p: ID!) { acceptOffer(input: { offerId: $o, programId: $p, acceptTerms: true, personalDataConsent: true }) { enrollment { id } } }`, variables: { o: offer.id, p: world.programs[0] }, token: stranger.token };
      switch ((c.b >> 1) % 4) {
        case 1: // A malformed id (finding 8 of the issue).
          return { label: 'dispute(not-an-id)', query: `mutation { disputeAttendance(input: { attendanceId: "not-an-id", reason: "Не было занятия" }) { attendance { id } } }`, variables: {}, token: stranger.token };
        case 2: // A provider recording a session in another provider's program.
          return { label: 'attend-as-other-provider()', query: `mutation($i: RecordAttendanceInput!) { recordAttendance(input: $i) { attendances { id } } }`, variables: { i: { programId: world.programs[0], date: today, childIds: [stranger.children[0]!.id], hours: 1 } }, token: world.providerOf.get(world.programs[1]!)! };
        case 3: // A parent moving a payment.
          return { label: 'approve-as-parent()', query: `mutation($id: ID!) { approvePayment(input: { paymentId: $id }) { payment { id } } }`, variables: { id: pick(state.payments, c.a)?.id ?? RANDOM_ID }, token: stranger.token };
        default:
          return { label: 'decline(unknown)', query: `mutation($o: ID!) { declineOffer(input: { offerId: $o }) { offer { id } } }`, variables: { o: RANDOM_ID }, token: stranger.token };
      }
    }
  }
  return null;
}

/** Everything a refused request must leave as it was (the audit log is counted apart: see runCommand). */
async function fingerprint(world: World): Promise<{ state: string; audits: number; latest: string | null }> {
  const [row] = await world.api.sql<{ f: string; audits: number; latest: string | null }>(
    `select md5(concat_ws('|',
       (select string_agg(id::text || status || priority_category || priority_rank, ',' order by id) from application),
       (select string_agg(id::text || status, ',' order by id) from offer),
       (select string_agg(id::text || status, ',' order by id) from voucher),
       (select string_agg(id::text || status || program_id, ',' order by id) from enrollment),
       (select string_agg(id::text || used || '/' || count, ',' order by id) from quota),
       (select string_agg(id::text || seats_taken, ',' order by id) from program),
       (select string_agg(id::text || status || coalesce(payment_line_id::text, '-'), ',' order by id) from attendance),
       (select string_agg(id::text || status || amount_tiyn, ',' order by id) from payment),
       (select string_agg(id::text || coalesce(budget_id::text, '-'), ',' order by id) from payment_line),
       (select string_agg(id::text || allocated_tiyn || '/' || committed_tiyn || '/' || paid_tiyn, ',' order by id) from budget),
       (select string_agg(id::text || status || coalesce(category_status, '-') || coalesce(claimed_category, '-'), ',' order by id) from guardianship),
       (select string_agg(id::text || priority_category, ',' order by id) from child),
       (select max(version) from city_rules),
       (select count(*) from domain_event), (select count(*) from notification))) as f,
       (select count(*)::int from audit_event) as audits,
       (select max(occurred_at)::text from audit_event) as latest`,
  );
  return { state: row!.f, audits: row!.audits, latest: row!.latest };
}

interface Reply {
  label: string;
  code: string | null;
  data?: any;
}

async function send(world: World, request: Request): Promise<Reply> {
  const res = await world.api.request(request.query, request.variables, { token: request.token });
  const code = res.body.errors?.[0]?.extensions?.code ?? null;
  if (code !== null && !ALLOWED_CODES.has(code)) {
    throw new Error(`${request.label} answered ${code}: ${res.body.errors?.[0]?.message}\nserver log:\n${world.serverErrors.slice(-5).join('')}`);
  }
  // MODEL_DEBUG=accept prints the refusals of requests whose label starts so (why a run stays shallow).
  if (process.env.MODEL_DEBUG && code && request.label.startsWith(process.env.MODEL_DEBUG)) console.log(request.label, code, res.body.errors?.[0]?.message);
  if (code === null && !res.body.data) throw new Error(`${request.label} answered no data and no error`);
  return { label: request.label, code, data: res.body.data };
}

/** A newly registered child joins its family, so later commands act on it too. */
function learn(world: World, request: Request, reply: Reply): void {
  const child = reply.data?.registerChild?.child as { id: string; iin: string } | undefined;
  if (!child) return;
  const f = world.families.find((x) => x.token === request.token)!;
  if (!f.children.some((ch) => ch.id === child.id)) f.children.push(child);
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
    requests.forEach((r, i) => learn(world, r, replies[i]!));
    return `together[${replies.map((r) => `${r.label}→${r.code ?? 'ok'}`).join(', ')}]`;
  }
  const request = requestFor(world, state, command);
  if (!request) return `${command.kind}(nothing to act on)`;
  const before = await fingerprint(world);
  const reply = await send(world, request);
  learn(world, request, reply);
  if (request.expected && (reply.code ?? 'ok') !== request.expected) {
    throw new Error(`${request.label} answered ${reply.code ?? 'ok'} where the state before it says ${request.expected}`);
  }
  const after = await fingerprint(world);
  if (reply.code !== null && (after.state !== before.state || after.audits !== before.audits)) throw new Error(`${request.label} was refused (${reply.code}) but wrote something`);
  // Every change audited: a request that changed anything wrote an audit entry, naming the entity
  // whose status it moved. (A repeat that changes nothing, e.g. confirming a confirmed session, needs none.)
  if (reply.code === null && after.state !== before.state) {
    if (after.audits <= before.audits) throw new Error(`${request.label} changed the state but wrote no audit entry`);
    if (request.entity) {
      const named = await world.api.sql(`select 1 from audit_event where entity_id = ? and occurred_at > coalesce(?::timestamptz, '-infinity')`, [request.entity, before.latest]);
      if (named.length === 0) throw new Error(`${request.label} changed ${request.entity} but no new audit entry names it`);
    }
  }
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
  // Priority categories: a place ranks by the child's verified category (above: by the rules in
  // force), and a child's category is one the city verified.
  'an open place carries the child\'s verified category': `select a.id from application a join child ch on ch.id = a.child_id where a.status in ('QUEUED','OFFERED') and a.priority_category <> ch.priority_category`,
  // (A family may declare another category on a verified claim; until it is decided the child
  // keeps the one verified before, so the claim row alone does not say: the audit log does.)
  'a child\'s category was verified and not rejected since': `select ch.id from child ch where ch.priority_category <> 'NONE' and not exists (
       select 1 from audit_event v where v.action = 'PRIORITY_CATEGORY_VERIFIED' and v.after->>'childId' = ch.id::text and v.after->>'category' = ch.priority_category
          and not exists (select 1 from audit_event r where r.entity_id = v.entity_id and r.action = 'PRIORITY_CATEGORY_REJECTED' and r.before->>'status' = 'VERIFIED' and r.before->>'category' = ch.priority_category and r.occurred_at > v.occurred_at))`,
  // Money.
  'one session per voucher, program and day': `select voucher_id, program_id, session_date from attendance group by 1, 2, 3 having count(*) > 1`,
  'a session is of its enrollment\'s voucher and program': `select a.id from attendance a join enrollment e on e.id = a.enrollment_id where a.voucher_id <> e.voucher_id or a.program_id <> e.program_id`,
  'a session fell while its enrollment ran': `select a.id from attendance a join enrollment e on e.id = a.enrollment_id join city c on c.code = '${CITY}'
     where a.session_date < (e.started_at at time zone c.timezone)::date or a.session_date > (coalesce(e.ended_at, now()) at time zone c.timezone)::date`,
  'only a confirmed session is settled': `select a.id from attendance a where a.payment_line_id is not null and a.status <> 'CONFIRMED'`,
  'a settled session is on a live payment (settled at most once)': `select a.id from attendance a join payment_line pl on pl.id = a.payment_line_id join payment x on x.id = pl.payment_id where x.status = 'FAILED'`,
  'a line pays exactly the sessions settled on it': `select pl.id from payment_line pl join payment x on x.id = pl.payment_id
     where x.status <> 'FAILED' and pl.confirmed_minutes <> coalesce((select sum(a.minutes) from attendance a where a.payment_line_id = pl.id), 0)`,
  'a payment\'s total is the sum of its lines': `select x.id from payment x where x.amount_tiyn <> coalesce((select sum(pl.amount_tiyn) from payment_line pl where pl.payment_id = x.id), 0)`,
  'a line is of its payment\'s provider': `select pl.id from payment_line pl join payment x on x.id = pl.payment_id join enrollment e on e.id = pl.enrollment_id join program p on p.id = e.program_id where p.provider_id <> x.provider_id or pl.voucher_id <> e.voucher_id`,
  'one payment per provider, month and sequence': `select provider_id, period, sequence from payment group by 1, 2, 3 having count(*) > 1`,
  'the monthly cap holds per voucher': `select pl.voucher_id from payment_line pl join payment x on x.id = pl.payment_id
     where x.status <> 'FAILED' group by pl.voucher_id, x.period having sum(pl.paid_minutes) > (select coalesce(monthly_cap_minutes, 2147483647) from city_rules r join city c on c.id = r.city_id where c.code = '${CITY}' order by r.version desc limit 1)`,
  'a budget commits its unfailed lines and has paid its paid ones': `select b.id from budget b
     where b.committed_tiyn <> coalesce((select sum(pl.amount_tiyn) from payment_line pl join payment x on x.id = pl.payment_id where pl.budget_id = b.id and x.status <> 'FAILED'), 0)
        or b.paid_tiyn <> coalesce((select sum(pl.amount_tiyn) from payment_line pl join payment x on x.id = pl.payment_id where pl.budget_id = b.id and x.status = 'PAID'), 0)
        or b.committed_tiyn > b.allocated_tiyn`,
  'a budget covers every unfailed line of its year and type': `select pl.id from payment_line pl join payment x on x.id = pl.payment_id
     join budget b on b.city_id = x.city_id and b.voucher_type = pl.voucher_type and b.period = left(x.period, 4)
     where x.status <> 'FAILED' and pl.budget_id is distinct from b.id`,
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

/** How deep a run got: what exists at its end, by status (printed beside the tally). */
export async function depth(world: World): Promise<string> {
  const rows = await world.api.sql<{ what: string; status: string; n: number }>(
    `select 'applications' as what, status, count(*)::int as n from application group by 2
     union all select 'vouchers', status, count(*)::int from voucher group by 2
     union all select 'enrollments', status, count(*)::int from enrollment group by 2
     union all select 'sessions', status, count(*)::int from attendance group by 2
     union all select 'payments', status, count(*)::int from payment group by 2
     union all select 'categories', category_status, count(*)::int from guardianship where category_status is not null group by 2
     union all select 'children', 'ALL', count(*)::int from child
     order by 1, 2`,
  );
  const by = new Map<string, string[]>();
  for (const r of rows) by.set(r.what, [...(by.get(r.what) ?? []), `${r.status} ${r.n}`]);
  return [...by].map(([what, parts]) => `${what}: ${parts.join(', ')}`).join('; ');
}
