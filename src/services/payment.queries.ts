// The payment aggregate's hand-written SQL (STYLE 14). The services call these by name.
import { sql } from '../db/sql.js';

/** A failed payment's sessions are unpaid again: a later settlement pays them. */
export const releaseSessionsOf = sql<{ paymentId: string }>(
  'payment.release-sessions',
  `update attendance set payment_line_id = null where payment_line_id in (select id from payment_line where payment_id = :paymentId)`,
);

/** The time zones cities use (for "overdue": past the due date in the payment's city's own date). */
export const cityTimezones = sql<Record<string, never>, { timezone: string }>('payment.city-timezones', `select distinct timezone from city order by 1`);
