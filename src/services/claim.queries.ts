// The claims' (guardianship rows') hand-written SQL (STYLE 14), and what a verified priority
// category changes on the child's applications. The services call these by name.
import { sql } from '../db/sql.js';
import type { ApplicationStatus, PriorityCategory } from '../domain/enums.js';

/** For each case of a page: the other claims on its child still in the running, and whether one of them is verified. */
export const caseCompetition = sql<{ ids: string[] }, { id: string; other_claims: number; other_verified: boolean }>(
  'claim.case-competition',
  `select g.id,
          (select count(*)::int from guardianship o where o.child_id = g.child_id and o.id <> g.id and o.status <> 'REJECTED') as other_claims,
          exists (select 1 from guardianship o where o.child_id = g.child_id and o.id <> g.id and o.status = 'VERIFIED') as other_verified
     from guardianship g where g.id in (:ids)`,
);

/** Every city (a category decision takes all their queue locks: the child may apply in any). */
export const allCityIds = sql<Record<string, never>, { id: string }>('claim.all-city-ids', 'select id from city order by id');

/** The child a claim is about. */
export const childOfClaim = sql<{ claimId: string }, { child_id: string }>('claim.child-of-claim', 'select child_id from guardianship where id = :claimId');

/** The cities in which the child has applications (any status). */
export const citiesOfChild = sql<{ childId: string }, { city_id: string }>(
  'claim.cities-of-child',
  'select distinct city_id from application where child_id = :childId',
);

/**
 * A verified category becomes the priority of the child's applications that can still be ranked
 * (`statuses`: waiting, offered, or cancelled and restorable); returns them.
 */
export const setApplicationsPriority = sql<
  { category: PriorityCategory; childId: string; statuses: ApplicationStatus[] },
  { id: string; city_id: string; voucher_type: string; status: ApplicationStatus }
>(
  'claim.set-applications-priority',
  `update application set priority_category = :category where child_id = :childId and status in (:statuses) returning id, city_id, voucher_type, status`,
);
