import type { EntityManager } from '@mikro-orm/postgresql';
import { SuspendedSubject, Suspension } from '../entities/index.js';

/**
 * Keeps the periods in which a voucher or provider is suspended, or a program inactive, beside the
 * status change that begins or ends them (same transaction). Money follows these periods: a
 * session on a day inside one is never recorded, confirmed or paid.
 */
export async function trackSuspension(em: EntityManager, subjectType: SuspendedSubject, subjectId: string, live: { before: boolean; after: boolean }, at: Date): Promise<void> {
  if (live.before && !live.after) em.persist(new Suspension(subjectType, subjectId, at));
  if (!live.before && live.after) {
    const open = await em.findOne(Suspension, { subjectId, endsAt: null });
    if (open) open.endsAt = at;
  }
}

/**
 * SQL: true when the session date `date` (a date in the city's time zone `timezone`) fell in a
 * suspension of the voucher, provider or program — any part of that day counts, so a day on
 * which a voucher was suspended at noon is not paid. Aliases name the caller's columns.
 */
export function suspendedOnSql(cols: { voucherId: string; providerId: string; programId: string; date: string; timezone: string }): string {
  return `exists (select 1 from suspension s where s.subject_id in (${cols.voucherId}, ${cols.providerId}, ${cols.programId})
            and (s.starts_at at time zone ${cols.timezone})::date <= ${cols.date}
            and (s.ends_at is null or (s.ends_at at time zone ${cols.timezone})::date >= ${cols.date}))`;
}
