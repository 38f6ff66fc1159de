// The budget aggregate's hand-written SQL (STYLE 14): guarded counter moves and the take-in of
// payments settled while no budget was set. The services call these by name; parameters are named.
import { sql } from '../db/sql.js';
import type { PaymentStatus, VoucherType } from '../domain/enums.js';

/** How many budgets the city has for the year (any voucher type). */
export const budgetCount = sql<{ cityId: string; year: string }, { n: number }>(
  'budget.count',
  `select count(*)::int as n from budget where city_id = :cityId and period = :year`,
);

/** The year's budget of one voucher type, locked for the commit that follows. */
export const lockBudgetOf = sql<{ cityId: string; type: VoucherType; year: string }, { id: string }>(
  'budget.lock-of-type',
  `select id from budget where city_id = :cityId and voucher_type = :type and period = :year for update`,
);

/** Commits an amount, only if the allocation still covers it (no row: it does not, nothing changed). */
export const commitWithin = sql<{ amount: string; budgetId: string }, { id: string }>(
  'budget.commit-within',
  `update budget set committed_tiyn = committed_tiyn + :amount where id = :budgetId and committed_tiyn + :amount <= allocated_tiyn returning id`,
);

/** A paid payment's amount in one budget: committed money becomes paid. */
export const addPaid = sql<{ amount: string; budgetId: string }>('budget.add-paid', `update budget set paid_tiyn = paid_tiyn + :amount where id = :budgetId`);

/** A failed payment's amount in one budget: the commitment is released. */
export const releaseCommitted = sql<{ amount: string; budgetId: string }>(
  'budget.release-committed',
  `update budget set committed_tiyn = committed_tiyn - :amount where id = :budgetId`,
);

/** A payment's amounts per budget its lines were committed to (lines without a budget move nothing). */
export const paymentAmountsByBudget = sql<{ paymentId: string }, { budget_id: string; amount: string }>(
  'budget.payment-amounts-by-budget',
  `select budget_id, sum(amount_tiyn)::bigint as amount from payment_line where payment_id = :paymentId and budget_id is not null group by 1 order by 1`,
);

/**
 * The city's unfailed payments of the year (`yearLike`: 'YYYY-%') with lines of the voucher type
 * that no budget covers yet, locked in id order.
 */
export const lockUncoveredPayments = sql<{ cityId: string; yearLike: string; failed: PaymentStatus; type: VoucherType }, { id: string }>(
  'budget.lock-uncovered-payments',
  `select x.id from payment x
    where x.city_id = :cityId and x.period like :yearLike and x.status <> :failed
      and exists (select 1 from payment_line pl where pl.payment_id = x.id and pl.voucher_type = :type and pl.budget_id is null)
    order by x.id for update`,
);

/** The budget row of the city, type and year, created empty if there is none yet (a parallel set creates it once). */
export const ensureBudget = sql<{ cityId: string; type: VoucherType; year: string }>(
  'budget.ensure',
  `insert into budget (id, city_id, voucher_type, period, allocated_tiyn) values (gen_random_uuid(), :cityId, :type, :year, 0) on conflict do nothing`,
);

/**
 * The budget takes in the uncovered lines of the type of these payments: what they committed, and
 * of that what was paid (`paid`: the PAID status).
 */
export const takeInLines = sql<{ budgetId: string; paymentIds: string[]; type: VoucherType; paid: PaymentStatus }, { committed: string; paid: string }>(
  'budget.take-in-lines',
  `with taken as (
     update payment_line pl set budget_id = :budgetId from payment x
      where x.id = pl.payment_id and x.id in (:paymentIds) and pl.voucher_type = :type and pl.budget_id is null
     returning pl.amount_tiyn, x.status)
   select coalesce(sum(amount_tiyn), 0)::text as committed, coalesce(sum(amount_tiyn) filter (where status = :paid), 0)::text as paid from taken`,
);
