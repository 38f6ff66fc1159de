// A month's settlement as set operations (STYLE 14): the sessions a run pays and its lines live in
// two temporary tables of the settlement's transaction (dropped at commit), so a whole city's month
// is a handful of statements. The services call these by name; parameters are named.
import { sql } from '../db/sql.js';
import type { AttendanceStatus, PaymentStatus, ProviderStatus, VoucherStatus, VoucherType } from '../domain/enums.js';
import { suspendedOnSql } from './suspension.js';

/**
 * settle_sessions: the sessions this run pays, fixed now (one confirmed while the run works waits
 * for the next). Confirmed, unpaid, in the month [start, end), of an approved provider; never a
 * session on a day its voucher, provider or program was suspended; while the voucher is
 * suspended now its sessions wait (held) for a run after reinstatement; and a session a timesheet
 * check flagged waits (held, alone) until the city's operator clears it.
 */
export const createSettleSessions = sql<{
  cityId: string;
  start: string;
  end: string;
  confirmed: AttendanceStatus;
  approved: ProviderStatus;
  suspended: VoucherStatus;
}>(
  'settlement.create-settle-sessions',
  `create temp table settle_sessions on commit drop as
    select a.id, a.enrollment_id, a.minutes from attendance a
      join enrollment e on e.id = a.enrollment_id join voucher v on v.id = e.voucher_id
      join program p on p.id = a.program_id join provider pr on pr.id = p.provider_id join city c on c.id = pr.city_id
     where pr.city_id = :cityId and a.session_date >= :start and a.session_date < :end and a.status = :confirmed and a.payment_line_id is null
       and pr.status = :approved and v.status <> :suspended
       and (a.flags = '{}' or a.flags_cleared_at is not null)
       and not ${suspendedOnSql({ voucherId: 'v.id', providerId: 'pr.id', programId: 'p.id', date: 'a.session_date', timezone: 'c.timezone' })}`,
);

/**
 * settle_lines: one line per enrollment with new confirmed minutes (or, on a provider's first
 * payment of the month, only held sessions), priced at the rules' rate per direction (`rates`, a
 * JSON object of tiyn per hour), then capped per voucher for the month (`capMinutes`, `capTiyn`;
 * null: no cap) after what the month's unfailed payments already paid, in enrollment order (a
 * child who switched mid-month fills the cap at the first program first).
 */
export const createSettleLines = sql<{
  cityId: string;
  start: string;
  end: string;
  period: string;
  rates: string;
  failed: PaymentStatus;
  capMinutes: number | null;
  capTiyn: string | null;
}>(
  'settlement.create-settle-lines',
  `create temp table settle_lines on commit drop as
   with held as (
     select a.enrollment_id, count(*)::int as n from attendance a join program p on p.id = a.program_id join provider pr on pr.id = p.provider_id
      where pr.city_id = :cityId and a.session_date >= :start and a.session_date < :end and a.payment_line_id is null
        and not exists (select 1 from settle_sessions s where s.id = a.id)
      group by 1
   ), fresh as (
     select enrollment_id, sum(minutes)::int as minutes from settle_sessions group by 1
   ), first_time as (
     select pr.id as provider_id from provider pr where pr.city_id = :cityId
        and not exists (select 1 from payment x where x.provider_id = pr.id and x.period = :period)
   ), candidates as (
     select e.id as enrollment_id, e.voucher_id, v.type as voucher_type, p.direction, p.provider_id, e.started_at,
            coalesce(f.minutes, 0) as minutes, coalesce(h.n, 0) as held,
            (:rates::jsonb ->> p.direction)::bigint as rate
       from enrollment e join voucher v on v.id = e.voucher_id join program p on p.id = e.program_id
       left join fresh f on f.enrollment_id = e.id left join held h on h.enrollment_id = e.id
      where (f.minutes is not null or (h.n is not null and p.provider_id in (select provider_id from first_time)))
   ), prior as (
     select pl.voucher_id, sum(pl.paid_minutes)::bigint as minutes, sum(pl.amount_tiyn)::bigint as amount
       from payment_line pl join payment x on x.id = pl.payment_id
      where x.period = :period and x.status <> :failed group by 1
   ), capped_minutes as (
     select c.*, coalesce(pr.minutes, 0) + coalesce(sum(c.minutes) over w, 0) as minutes_before, coalesce(pr.amount, 0) as amount_prior
       from candidates c left join prior pr on pr.voucher_id = c.voucher_id
     window w as (partition by c.voucher_id order by c.started_at, c.enrollment_id rows between unbounded preceding and 1 preceding)
   ), paid as (
     select cm.*, case when :capMinutes::int is null then cm.minutes else greatest(0, least(cm.minutes, :capMinutes::int - cm.minutes_before)) end as paid_minutes
       from capped_minutes cm
   ), priced as (
     select pd.*, (pd.minutes::bigint * pd.rate) / 60 as gross, (pd.paid_minutes::bigint * pd.rate) / 60 as uncapped_amount from paid pd
   )
   select pc.*, case when :capTiyn::bigint is null then pc.uncapped_amount
                else greatest(0, least(pc.uncapped_amount, :capTiyn::bigint - pc.amount_prior - coalesce(sum(pc.uncapped_amount) over w2, 0))) end as amount
     from priced pc
   window w2 as (partition by pc.voucher_id order by pc.started_at, pc.enrollment_id rows between unbounded preceding and 1 preceding)`,
);

/** What this run pays each provider (settle_lines), in provider id order. */
export const providerTotals = sql<Record<string, never>, { provider_id: string; amount: string }>(
  'settlement.provider-totals',
  `select provider_id, sum(amount)::bigint as amount from settle_lines group by 1 order by 1`,
);

/** What this run commits per voucher type (settle_lines), in type order. */
export const voucherTypeTotals = sql<Record<string, never>, { voucher_type: VoucherType; amount: string }>(
  'settlement.voucher-type-totals',
  `select voucher_type, sum(amount)::bigint as amount from settle_lines group by 1 order by 1`,
);

/** The sequence number each provider's next payment of the month takes (1 for its first). */
export const nextSequences = sql<{ period: string; providerIds: string[] }, { provider_id: string; next: number }>(
  'settlement.next-sequences',
  `select pr.id as provider_id, coalesce(max(x.sequence), 0) + 1 as next from provider pr left join payment x on x.provider_id = pr.id and x.period = :period
    where pr.id in (:providerIds) group by pr.id`,
);

/**
 * The run's lines under its new payments; each line names the budget its amount was committed to
 * (`budgetIds`, a JSON object voucher type → budget id; absent types: no budget).
 */
export const insertLines = sql<{ budgetIds: string; period: string; paymentIds: string[] }>(
  'settlement.insert-lines',
  `insert into payment_line (id, payment_id, enrollment_id, voucher_id, voucher_type, direction, confirmed_minutes, paid_minutes, rate_tiyn_per_hour, gross_tiyn, amount_tiyn, held_sessions, budget_id)
   select gen_random_uuid(), x.id, l.enrollment_id, l.voucher_id, l.voucher_type, l.direction, l.minutes, l.paid_minutes, l.rate, l.gross, l.amount, l.held,
          (:budgetIds::jsonb ->> l.voucher_type)::uuid
     from settle_lines l join payment x on x.provider_id = l.provider_id and x.period = :period and x.id in (:paymentIds)`,
);

/** Each session the run pays names its line: set once, so no session is ever paid twice. */
export const markSessionsPaid = sql<{ paymentIds: string[] }>(
  'settlement.mark-sessions-paid',
  `update attendance a set payment_line_id = pl.id
     from settle_sessions s join payment_line pl on pl.enrollment_id = s.enrollment_id and pl.payment_id in (:paymentIds)
    where a.id = s.id and a.payment_line_id is null`,
);
