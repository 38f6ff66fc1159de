// The read side of the public queue (QueueService): pages in queue order, counts and statistics,
// and the anonymised changes from the event log. Plain rows, straight from SQL.
import { sql } from '../db/sql.js';
import { ApplicationStatus, type PriorityCategory, type ProgramStatus, type ProviderKind, type ProviderStatus, type VoucherType } from '../domain/enums.js';
import type { EventKind, QueueEvent } from '../realtime/publish.js';
import { positionSql, QUEUE_ORDER } from './queue-block.queries.js';

/** Submission time as text to the microsecond (a cursor must not lose them). */
const PRECISE = `to_char(submitted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const IN_QUEUE = `status in ('${ApplicationStatus.QUEUED}', '${ApplicationStatus.OFFERED}')`;

export type QueuePageRow = { id: string; priority_rank: number; priority_category: PriorityCategory; submitted_at: string; seq: string; status: ApplicationStatus };
type Queue = { cityId: string; voucherType: VoucherType };

const queuePage = (after: boolean) =>
  `select id, priority_rank, priority_category, ${PRECISE} as submitted_at, submission_seq::text as seq, status from application
    where city_id = :cityId and voucher_type = :voucherType and ${IN_QUEUE}
      ${after ? 'and (priority_rank, submitted_at, submission_seq) > (:rank::smallint, :submittedAt::timestamptz, :seq::bigint)' : ''}
    order by ${QUEUE_ORDER} limit :limit`;

/** The first page of a queue (waiting and offered, in queue order). */
export const queueHeadPage = sql<Queue & { limit: number }, QueuePageRow>('queue-page', queuePage(false));

/** The page after a cursor's key. */
export const queuePageAfter = sql<Queue & { rank: number; submittedAt: string; seq: string; limit: number }, QueuePageRow>('queue-page-after', queuePage(true));

/** The position of one application's key (the first row of a page, which may itself be offered). */
export const positionOfKey = sql<{ id: string }, { n: number }>('queue-position-of-key', `select ${positionSql('me')} as n from application me where me.id = :id`);

export const queueLength = sql<Queue, { n: number }>(
  'queue-length',
  `select count(*)::int as n from application where city_id = :cityId and voucher_type = :voucherType and ${IN_QUEUE}`,
);

type Scope = { cityIds: string[]; types: VoucherType[] };
export type CountRow = { city_id: string; voucher_type: string; status: string; n: number };

export const applicationCounts = sql<Scope, CountRow>(
  'queue-stats-applications',
  `select city_id, voucher_type, status, count(*)::int as n from application
    where city_id in (:cityIds) and voucher_type in (:types) and ${IN_QUEUE} group by 1, 2, 3`,
);

export const voucherCounts = sql<Scope, CountRow>(
  'queue-stats-vouchers',
  `select city_id, type as voucher_type, status, count(*)::int as n from voucher
    where city_id in (:cityIds) and type in (:types) group by 1, 2, 3`,
);

/** Free seats in the catalogue (active published programs of approved providers), by city and provider kind. */
export const freeSeats = sql<{ cityIds: string[]; approved: ProviderStatus; published: ProgramStatus }, { city_id: string; kind: ProviderKind; free: number }>(
  'queue-stats-seats',
  `select pr.city_id, pr.kind, coalesce(sum(pg.free_seats), 0)::int as free from program pg join provider pr on pr.id = pg.provider_id
    where pr.city_id in (:cityIds) and pr.status = :approved and pg.active and pg.status = :published group by 1, 2`,
);

export const budgetUse = sql<Scope & { periods: string[] }, { city_id: string; voucher_type: string; period: string; allocated: string; used: string }>(
  'queue-stats-budgets',
  `select city_id, voucher_type, period, allocated_tiyn::text as allocated, committed_tiyn::text as used from budget
    where city_id in (:cityIds) and voucher_type in (:types) and period in (:periods)`,
);

export type ChangeRow = { kind: EventKind; city_id: string; voucher_type: string | null; payload: QueueEvent['payload']; occurred_at: Date };

/** The latest events of some cities, newest first. */
export const latestEvents = sql<{ cityIds: string[]; limit: number }, ChangeRow>(
  'queue-latest-events',
  `select kind, city_id, voucher_type, payload, occurred_at from domain_event
    where city_id in (:cityIds)
    order by id desc limit :limit`,
);

/** The same, of one voucher type: events about both types (rules) have no voucher_type and count for either. */
export const latestEventsOfType = sql<{ cityIds: string[]; voucherType: VoucherType; limit: number }, ChangeRow>(
  'queue-latest-events-of-type',
  `select kind, city_id, voucher_type, payload, occurred_at from domain_event
    where city_id in (:cityIds) and (voucher_type = :voucherType or voucher_type is null)
    order by id desc limit :limit`,
);
