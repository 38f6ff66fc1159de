// Hand-written SQL over the domain event log (src/realtime/publish.ts writes it).
import { sql } from '../db/sql.js';

/**
 * Deletes a bounded batch of events older than `days`, oldest first (the occurred_at index finds
 * them), by the database's clock; returns how many.
 */
export const pruneEventsQuery = sql<{ days: number }, { n: number }>(
  'prune-domain-events',
  `with gone as (delete from domain_event where id in (
      select id from domain_event where occurred_at < now() - make_interval(days => :days) order by occurred_at limit 10000) returning 1)
   select count(*)::int as n from gone`,
);
