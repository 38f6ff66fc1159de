// The SQL of queue order, positions and the queue's block counters (queue-blocks.ts explains the
// layout). The fragments are shared by every statement that orders or numbers a queue.
import { sql } from '../db/sql.js';
import type { ApplicationStatus } from '../domain/enums.js';

/** The queue key of a row alias, in index order. */
export const queueKey = (alias: string) => `(${alias}.priority_rank, ${alias}.submitted_at, ${alias}.submission_seq)`;
export const QUEUE_ORDER = 'priority_rank, submitted_at, submission_seq';

const UPPER = '(qb.upper_rank, qb.upper_at, qb.upper_seq)';

/**
 * SQL for the position of the queue key of row `alias` in its own queue: 1 + the waiting
 * applications strictly ahead of it, so it is also right for a row that is not itself waiting.
 * queue_position() (migration queue_order) sums the blocks wholly ahead and counts inside one block.
 */
export const positionSql = (alias: string): string =>
  `queue_position(${alias}.city_id, ${alias}.voucher_type, ${alias}.priority_rank, ${alias}.submitted_at, ${alias}.submission_seq)`;

/** Positions of applications' queue keys, each in its own queue. An array binds as a list (`in (...)`, never `any(...)`). */
export const queuePositionsQuery = sql<{ ids: string[] }, { id: string; position: number }>(
  'queue-positions',
  `select me.id, ${positionSql('me')} as position
     from application me where me.id in (:ids)`,
);

/** Status and position of many applications of one queue: the stretch between the first and the last is numbered once. */
export const positionsInQueueQuery = sql<{ ids: string[]; cityId: string; voucherType: string }, { id: string; status: ApplicationStatus; position: number | null }>(
  'positions-in-queue',
  `with w as (select id, status, priority_rank, submitted_at, submission_seq from application
               where id in (:ids) and city_id = :cityId and voucher_type = :voucherType),
        first as (select * from w where status = 'QUEUED' order by ${QUEUE_ORDER} limit 1),
        last as (select * from w where status = 'QUEUED' order by priority_rank desc, submitted_at desc, submission_seq desc limit 1),
        lob as (select qb.upper_rank, qb.upper_at, qb.upper_seq from queue_block qb, first
                 where qb.city_id = :cityId and qb.voucher_type = :voucherType and ${UPPER} <= ${queueKey('first')}
                 order by qb.upper_rank desc, qb.upper_at desc, qb.upper_seq desc limit 1),
        lo as (select coalesce((select upper_rank from lob), -1::smallint) as lr,
                      coalesce((select upper_at from lob), '-infinity'::timestamptz) as lt,
                      coalesce((select upper_seq from lob), 0::bigint) as ls,
                      (select coalesce(sum(qb.waiting), 0) from queue_block qb, first
                        where qb.city_id = :cityId and qb.voucher_type = :voucherType and ${UPPER} <= ${queueKey('first')}) as before),
        ranked as (select a.id, row_number() over (order by a.priority_rank, a.submitted_at, a.submission_seq) as n
                     from application a, lo, last
                    where a.city_id = :cityId and a.voucher_type = :voucherType and a.status = 'QUEUED'
                      and ${queueKey('a')} >= (lo.lr, lo.lt, lo.ls) and ${queueKey('a')} <= ${queueKey('last')})
   select w.id, w.status, case when w.status = 'QUEUED' then (lo.before + ranked.n)::int end as position
     from w cross join lo left join ranked on ranked.id = w.id`,
);

type Queue = { cityId: string; type: string };

/** Empty blocks go: their range joins the next block. */
export const dropEmptyBlocks = sql<Queue>('drop-empty-queue-blocks', `delete from queue_block where city_id = :cityId and voucher_type = :type and waiting = 0`);

export const dropAllBlocks = sql<Queue>('drop-queue-blocks', `delete from queue_block where city_id = :cityId and voucher_type = :type`);

export const blockLayout = sql<Queue, { blocks: number; largest: number | null; waiting: number }>(
  'queue-block-layout',
  `select count(*)::int as blocks, max(waiting) as largest, coalesce(sum(waiting), 0)::int as waiting
     from queue_block where city_id = :cityId and voucher_type = :type`,
);

/** The upper key of the queue's last block, as text (microseconds kept). */
export const lastBlock = sql<Queue, { r: number; t: string; s: string }>(
  'last-queue-block',
  `select upper_rank as r, upper_at::text as t, upper_seq::text as s from queue_block where city_id = :cityId and voucher_type = :type
    order by upper_rank desc, upper_at desc, upper_seq desc limit 1`,
);

/** Cuts the waiting applications at or after `from` into closed blocks of `blockSize`; returns how many. */
export const closeTailBlocks = sql<Queue & { fromRank: number; fromAt: string; fromSeq: string | number; blockSize: number }, { n: number }>(
  'close-queue-tail',
  `with tail as (select ${QUEUE_ORDER}, row_number() over (order by ${QUEUE_ORDER}) as rn from application a
                  where city_id = :cityId and voucher_type = :type and status = 'QUEUED' and ${queueKey('a')} >= (:fromRank::smallint, :fromAt::timestamptz, :fromSeq::bigint)),
        b as (insert into queue_block (city_id, voucher_type, upper_rank, upper_at, upper_seq, waiting)
              select :cityId, :type, priority_rank, submitted_at, submission_seq, :blockSize from tail where rn > 1 and (rn - 1) % :blockSize = 0 returning 1)
   select count(*)::int as n from b`,
);

/** Every block's counter beside a recount of the waiting applications in its range. */
export const blockRecount = sql<Queue, { id: string; waiting: number; actual: number }>(
  'queue-block-recount',
  `with b as (select id, waiting, upper_rank, upper_at, upper_seq,
                     lag(upper_rank) over o as lower_rank, lag(upper_at) over o as lower_at, lag(upper_seq) over o as lower_seq
                from queue_block where city_id = :cityId and voucher_type = :type window o as (order by upper_rank, upper_at, upper_seq))
   select b.id::text as id, b.waiting, (select count(*)::int from application a where a.city_id = :cityId and a.voucher_type = :type and a.status = 'QUEUED'
                                 and (b.lower_rank is null or ${queueKey('a')} >= (b.lower_rank, b.lower_at, b.lower_seq))
                                 and ${queueKey('a')} < (b.upper_rank, b.upper_at, b.upper_seq)) as actual
     from b`,
);
