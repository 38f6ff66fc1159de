// Hand-written SQL over applications: who owns one (read before its locks), the head of a queue
// an issuer offers to, whether anyone waits, a child's open applications, and re-ranking.
import { sql } from '../db/sql.js';
import type { ApplicationStatus, ClaimStatus, VoucherStatus, VoucherType } from '../domain/enums.js';

/** The city and child of an application, read before the locks in their order (locks.ts) are taken. */
export const applicationOwner = sql<{ id: string }, { city_id: string; child_id: string }>('application-owner', 'select city_id, child_id from application where id = :id');

/**
 * The waiting head of a queue, in exact queue order, locked: applications whose family's link is
 * not verified keep their place but are passed over (a trigger refuses to offer them in any case),
 * and so is a child who holds a voucher.
 */
export const offerableHead = sql<{ cityId: string; type: VoucherType; queued: ApplicationStatus; verified: ClaimStatus; held: VoucherStatus[]; limit: number }, { id: string }>(
  'offerable-queue-head',
  `select a.id from application a
    where a.city_id = :cityId and a.voucher_type = :type and a.status = :queued
      and exists (select 1 from guardianship g where g.child_id = a.child_id and g.applicant_id = a.applicant_id and g.status = :verified)
      and not exists (select 1 from voucher v where v.child_id = a.child_id and v.status in (:held))
    order by a.priority_rank, a.submitted_at, a.submission_seq limit :limit for update of a`,
);

/** 1 when at least one application waits in the queue, else 0 (stops at the first). */
export const anyWaiting = sql<{ cityId: string; type: VoucherType; status: ApplicationStatus }, { n: number }>(
  'queue-has-waiting',
  'select count(*)::int as n from (select 1 from application where city_id = :cityId and voucher_type = :type and status = :status limit 1) w',
);

/** A child's open applications (waiting or offered), in id order. */
export const openApplicationsOfChild = sql<{ childId: string; open: ApplicationStatus[] }, { id: string; city_id: string; voucher_type: string }>(
  'open-applications-of-child',
  `select id, city_id, voucher_type from application where child_id = :childId and status in (:open) order by id`,
);

type Rerank = { order: string; unlisted: number; cityId: string; statuses: ApplicationStatus[] };
const rerankSql = (oneChild: boolean) =>
  `update application set priority_rank = coalesce(
      (select t.ord - 1 from jsonb_array_elements_text(:order::jsonb) with ordinality as t(category, ord) where t.category = priority_category), :unlisted)
    where city_id = :cityId and status in (:statuses)${oneChild ? ' and child_id = :childId' : ''}`;

/** Every application of a city in `statuses` ranked by its category's place in `order` (a JSON list; `unlisted` for the rest). */
export const rerankCity = sql<Rerank>('rerank-city', rerankSql(false));

/** The same, for one child's applications. */
export const rerankChild = sql<Rerank & { childId: string }>('rerank-child', rerankSql(true));
