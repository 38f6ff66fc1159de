import { type EntityManager, ref } from '@mikro-orm/postgresql';
import { advisoryLock, LockKey } from './locks.js';
import type { Clock } from '../clock.js';
import { AttendanceStatus, PaymentStatus, ProviderStatus, VoucherStatus, VoucherType } from '../domain/enums.js';
import type { Viewer } from '../auth/viewer.js';
import { type City, Payment, Provider } from '../entities/index.js';
import { badInput, DomainError, ErrorCode } from '../errors.js';
import { requireCityAuthority } from './access.js';
import { type Actor, actorOf, recordAudit } from './audit.service.js';
import { localDate } from '../domain/calendar.js';
import { lapseUnconfirmed } from './attendance.service.js';
import type { CityService } from './city.service.js';
import { onceForKey } from './idempotency.js';
import { currentRules } from './rules.service.js';
import { suspendedOnSql } from './suspension.js';

export interface SettlementResult {
  /** Every payment of the city and month, the ones this run created included. */
  payments: Payment[];
  created: number;
  /** False where no budget is set for a voucher type: settlement was not limited by one. */
  budgetLimited: boolean;
}

const PERIOD_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Settles a city's month: one payment per provider, paying confirmed sessions only. Responsible for auth checks. */
export class SettlementService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
    private readonly clock: Clock,
  ) {}

  async settle(viewer: Viewer, cityCode: string, period: string, idempotencyKey?: string | null): Promise<SettlementResult> {
    requireCityAuthority(viewer, cityCode.trim().toUpperCase());
    const city = await this.cities.byCode(cityCode, 'input.city');
    const match = PERIOD_RE.exec(period);
    if (!match) throw badInput('input.period', 'period is a month, "YYYY-MM".');
    if (`${period}-01` > localDate(city.timezone, this.clock())) throw badInput('input.period', 'This month has not started yet.');
    let created = 0;
    let budgetLimited = false;
    await this.em.transactional((em) =>
      onceForKey(em, viewer, idempotencyKey, 'settlePeriod', { city: city.code, period }, async () => {
        const outcome = await settleMonth(em, city, period, actorOf(viewer), this.clock());
        created = outcome.paymentIds.length;
        budgetLimited = outcome.budgetLimited;
        return outcome.paymentIds;
      }),
    );
    const payments = await this.em.find(Payment, { city: city.id, period }, { orderBy: { id: 'asc' } });
    return { payments, created, budgetLimited };
  }
}

/**
 * The settlement itself, in SQL set operations so a month of a whole city is a handful of
 * statements. Serialised per city and month by an advisory lock; each confirmed session is paid by
 * exactly one line (attendance.payment_line_id is set once), so running it again with nothing new
 * creates nothing, and sessions confirmed later go into a supplementary payment.
 */
export async function settleMonth(em: EntityManager, city: City, period: string, actor: Actor, now: Date): Promise<{ paymentIds: string[]; budgetLimited: boolean }> {
  await advisoryLock(em, LockKey.settlement(city.id, period));
  await lapseUnconfirmed(em, [city.code], now);
  const rules = await currentRules(em, city.id);
  const [start, end] = monthBounds(period);

  // The sessions this run pays, fixed now: a session confirmed while we work waits for the next run.
  // Money flows only to what is live: never for a day the voucher, provider or program was
  // suspended; and while the voucher or provider is suspended now, its sessions wait (held) for a
  // later run after reinstatement.
  await em.execute(`create temp table settle_sessions on commit drop as
      select a.id, a.enrollment_id, a.minutes from attendance a
        join enrollment e on e.id = a.enrollment_id join voucher v on v.id = e.voucher_id
        join program p on p.id = a.program_id join provider pr on pr.id = p.provider_id join city c on c.id = pr.city_id
       where pr.city_id = ? and a.session_date >= ? and a.session_date < ? and a.status = ? and a.payment_line_id is null
         and pr.status = ? and v.status <> ?
         and not ${suspendedOnSql({ voucherId: 'v.id', providerId: 'pr.id', programId: 'p.id', date: 'a.session_date', timezone: 'c.timezone' })}`,
    [city.id, start, end, AttendanceStatus.CONFIRMED, ProviderStatus.APPROVED, VoucherStatus.SUSPENDED]);

  // One line per enrollment: new confirmed minutes, then the monthly cap per voucher, applied in
  // enrollment order (a child who switched mid-month fills the cap at the first program first).
  await em.execute(
    `create temp table settle_lines on commit drop as
     with held as (
       select a.enrollment_id, count(*)::int as n from attendance a join program p on p.id = a.program_id join provider pr on pr.id = p.provider_id
        where pr.city_id = ? and a.session_date >= ? and a.session_date < ? and a.payment_line_id is null
          and not exists (select 1 from settle_sessions s where s.id = a.id)
        group by 1
     ), fresh as (
       select enrollment_id, sum(minutes)::int as minutes from settle_sessions group by 1
     ), first_time as (
       select pr.id as provider_id from provider pr where pr.city_id = ?
          and not exists (select 1 from payment x where x.provider_id = pr.id and x.period = ?)
     ), candidates as (
       select e.id as enrollment_id, e.voucher_id, v.type as voucher_type, p.direction, p.provider_id, e.started_at,
              coalesce(f.minutes, 0) as minutes, coalesce(h.n, 0) as held,
              (?::jsonb ->> p.direction)::bigint as rate
         from enrollment e join voucher v on v.id = e.voucher_id join program p on p.id = e.program_id
         left join fresh f on f.enrollment_id = e.id left join held h on h.enrollment_id = e.id
        where (f.minutes is not null or (h.n is not null and p.provider_id in (select provider_id from first_time)))
     ), prior as (
       select pl.voucher_id, sum(pl.paid_minutes)::bigint as minutes, sum(pl.amount_tiyn)::bigint as amount
         from payment_line pl join payment x on x.id = pl.payment_id
        where x.period = ? and x.status <> ? group by 1
     ), capped_minutes as (
       select c.*, coalesce(pr.minutes, 0) + coalesce(sum(c.minutes) over w, 0) as minutes_before, coalesce(pr.amount, 0) as amount_prior
         from candidates c left join prior pr on pr.voucher_id = c.voucher_id
       window w as (partition by c.voucher_id order by c.started_at, c.enrollment_id rows between unbounded preceding and 1 preceding)
     ), paid as (
       select cm.*, case when ?::int is null then cm.minutes else greatest(0, least(cm.minutes, ?::int - cm.minutes_before)) end as paid_minutes
         from capped_minutes cm
     ), priced as (
       select pd.*, (pd.minutes::bigint * pd.rate) / 60 as gross, (pd.paid_minutes::bigint * pd.rate) / 60 as uncapped_amount from paid pd
     )
     select pc.*, case when ?::bigint is null then pc.uncapped_amount
                  else greatest(0, least(pc.uncapped_amount, ?::bigint - pc.amount_prior - coalesce(sum(pc.uncapped_amount) over w2, 0))) end as amount
       from priced pc
     window w2 as (partition by pc.voucher_id order by pc.started_at, pc.enrollment_id rows between unbounded preceding and 1 preceding)`,
    [
      city.id, start, end,
      city.id, period,
      JSON.stringify(rules.ratesTiynPerHour),
      period, PaymentStatus.FAILED,
      rules.monthlyCapMinutes ?? null, rules.monthlyCapMinutes ?? null,
      rules.monthlyCapTiyn ?? null, rules.monthlyCapTiyn ?? null,
    ],
  );

  const providers = await em.execute<{ provider_id: string; amount: string }[]>(
    `select provider_id, sum(amount)::bigint as amount from settle_lines group by 1 order by 1`,
  );
  if (providers.length === 0) return { paymentIds: [], budgetLimited: await hasBudget(em, city.id, period) };
  const budgetIds = await commitToBudget(em, city, period);
  const budgetLimited = Object.keys(budgetIds).length > 0;

  const sequences = await em.execute<{ provider_id: string; next: number }[]>(
    `select pr.id as provider_id, coalesce(max(x.sequence), 0) + 1 as next from provider pr left join payment x on x.provider_id = pr.id and x.period = ?
      where pr.id in (?) group by pr.id`,
    [period, providers.map((p) => p.provider_id)],
  );
  const payments = providers.map((p) => {
    const payment = new Payment({
      provider: ref(em.getReference(Provider, p.provider_id)),
      city: ref(city),
      period,
      sequence: Number(sequences.find((s) => s.provider_id === p.provider_id)!.next),
      amountTiyn: String(p.amount),
      rulesVersion: rules.version,
    });
    em.persist(payment);
    recordAudit(em, actor, {
      action: 'PAYMENT_CALCULATED',
      entityType: 'Payment',
      entityId: payment.id,
      cityCode: city.code,
      after: { providerId: p.provider_id, period, sequence: payment.sequence, amountTiyn: payment.amountTiyn },
      rulesVersion: rules.version,
    });
    return payment;
  });
  await em.flush();

  // Each line names the budget its amount was just committed to, so paying or failing it moves exactly that money.
  await em.execute(
    `insert into payment_line (id, payment_id, enrollment_id, voucher_id, voucher_type, direction, confirmed_minutes, paid_minutes, rate_tiyn_per_hour, gross_tiyn, amount_tiyn, held_sessions, budget_id)
     select gen_random_uuid(), x.id, l.enrollment_id, l.voucher_id, l.voucher_type, l.direction, l.minutes, l.paid_minutes, l.rate, l.gross, l.amount, l.held,
            (?::jsonb ->> l.voucher_type)::uuid
       from settle_lines l join payment x on x.provider_id = l.provider_id and x.period = ? and x.id in (?)`,
    [JSON.stringify(budgetIds), period, payments.map((p) => p.id)],
  );
  await em.execute(
    `update attendance a set payment_line_id = pl.id
       from settle_sessions s join payment_line pl on pl.enrollment_id = s.enrollment_id and pl.payment_id in (?)
      where a.id = s.id and a.payment_line_id is null`,
    [payments.map((p) => p.id)],
  );
  return { paymentIds: payments.map((p) => p.id), budgetLimited };
}

/** [first day, first day of next month) as YYYY-MM-DD. */
function monthBounds(period: string): [string, string] {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return [`${period}-01`, `${next}-01`];
}

async function hasBudget(em: EntityManager, cityId: string, period: string): Promise<boolean> {
  const [row] = await em.execute<{ n: number }[]>(`select count(*)::int as n from budget where city_id = ? and period = ?`, [cityId, period.slice(0, 4)]);
  return Number(row?.n ?? 0) > 0;
}

/**
 * Commits this run's amounts to the year's budget per voucher type. A guarded update and the
 * table's check make overspending impossible; any type over its budget refuses the whole run.
 * Returns the budget committed to, per voucher type (types without a budget are absent).
 */
async function commitToBudget(em: EntityManager, city: City, period: string): Promise<Partial<Record<VoucherType, string>>> {
  const totals = await em.execute<{ voucher_type: VoucherType; amount: string }[]>(`select voucher_type, sum(amount)::bigint as amount from settle_lines group by 1 order by 1`);
  const committed: Partial<Record<VoucherType, string>> = {};
  for (const { voucher_type, amount } of totals) {
    const [budget] = await em.execute<{ id: string }[]>(`select id from budget where city_id = ? and voucher_type = ? and period = ? for update`, [city.id, voucher_type, period.slice(0, 4)]);
    if (!budget) continue;
    committed[voucher_type] = budget.id;
    const updated = await em.execute(
      `update budget set committed_tiyn = committed_tiyn + ? where id = ? and committed_tiyn + ? <= allocated_tiyn returning id`,
      [amount, budget.id, amount],
    );
    if (updated.length === 0) {
      throw new DomainError(ErrorCode.QUOTA_EXHAUSTED, `Settling would exceed ${city.code}'s ${voucher_type} budget for ${period.slice(0, 4)}; nothing was settled.`);
    }
  }
  return committed;
}

/**
 * Serialises with every settlement of the city's year (the per-month lock settleMonth takes), in
 * month order: a budget created while a month is being settled would miss that run's lines.
 * Taken before any row lock, as settleMonth does, so the two cannot deadlock.
 */
export async function lockYearOfSettlements(em: EntityManager, cityId: string, year: string): Promise<void> {
  for (let month = 1; month <= 12; month++) await advisoryLock(em, LockKey.settlement(cityId, `${year}-${String(month).padStart(2, '0')}`));
}
