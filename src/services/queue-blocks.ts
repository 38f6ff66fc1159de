import type { EntityManager } from '@mikro-orm/postgresql';
import { advisoryLock, LockKey } from './locks.js';
import { ApplicationStatus, VoucherType } from '../domain/enums.js';

/**
 * Queue order and positions, in SQL, for every reader of the queue.
 *
 * The order is (priority_rank, submitted_at, submission_seq) over waiting applications, served by
 * the partial index application_queue_order. A position is 1 + the number of waiting applications
 * ahead; counting them one index entry at a time costs ~150 ms at a million waiting, so queue_block
 * keeps counters per stretch of the queue (see QueueBlock and the queue_order migration): a
 * position is the sum of the blocks wholly ahead plus a count inside one block. The counters are
 * exact whatever the block layout, so maintenance here only keeps blocks near BLOCK_SIZE.
 */

/** The queue key of a row alias, in index order. */
export const queueKey = (alias: string) => `(${alias}.priority_rank, ${alias}.submitted_at, ${alias}.submission_seq)`;
export const QUEUE_ORDER = 'priority_rank, submitted_at, submission_seq';

/** Target waiting applications per closed block: a position then reads ~N/BLOCK_SIZE counters and ≤ 2·BLOCK_SIZE index entries. */
export const BLOCK_SIZE = 1000;

const UPPER = '(qb.upper_rank, qb.upper_at, qb.upper_seq)';

/**
 * SQL for the position of the queue key of row `alias` in its own queue: 1 + the waiting
 * applications strictly ahead of it, so it is also right for a row that is not itself waiting.
 * queue_position() (migration queue_order) sums the blocks wholly ahead and counts inside one block.
 */
export const positionSql = (alias: string): string =>
  `queue_position(${alias}.city_id, ${alias}.voucher_type, ${alias}.priority_rank, ${alias}.submitted_at, ${alias}.submission_seq)`;

/** The statement queuePositions sends, with its parameters (exported for the queue-scale benchmark's EXPLAIN). */
export function queuePositionsStatement(applicationIds: readonly string[]): [sql: string, params: unknown[]] {
  return [
    `select me.id, ${positionSql('me')} as position
       from application me where me.id in (?)`,
    // knex expands an array binding into a list, so `in (?)` (never `any(?)`) is the safe form.
    [[...applicationIds]],
  ];
}

/**
 * Positions of applications' queue keys in any queues (1 = next to be offered), in one statement,
 * whatever their status now: a reader that saw an application QUEUED asks for it, and gets a
 * number even if an offer was made on it since (its status was read in an earlier statement).
 */
export async function queuePositions(em: EntityManager, applicationIds: readonly string[]): Promise<Map<string, number>> {
  if (applicationIds.length === 0) return new Map();
  const rows: { id: string; position: number }[] = await em.getConnection().execute(...queuePositionsStatement(applicationIds));
  return new Map(rows.map((r) => [r.id, Number(r.position)]));
}

/**
 * Status and position of many applications of one queue in one statement: the applications
 * between the first and the last of them are numbered once, starting from the counters of the
 * blocks ahead of the first. For the live hub, which asks for all its watchers of a queue at once.
 */
export async function positionsInQueue(
  em: EntityManager,
  queue: { cityId: string; voucherType: string },
  ids: readonly string[],
): Promise<PositionRow[]> {
  if (ids.length === 0) return [];
  return em.getConnection().execute(...positionsInQueueStatement(queue, ids));
}

export interface PositionRow {
  id: string;
  status: ApplicationStatus;
  position: number | null;
}

/** The statement positionsInQueue sends, for callers that add to it (the live hub). */
export function positionsInQueueStatement(queue: { cityId: string; voucherType: string }, ids: readonly string[]): [sql: string, params: unknown[]] {
  const { cityId, voucherType } = queue;
  return [
    `with w as (select id, status, priority_rank, submitted_at, submission_seq from application
                 where id in (?) and city_id = ? and voucher_type = ?),
          first as (select * from w where status = 'QUEUED' order by ${QUEUE_ORDER} limit 1),
          last as (select * from w where status = 'QUEUED' order by priority_rank desc, submitted_at desc, submission_seq desc limit 1),
          lob as (select qb.upper_rank, qb.upper_at, qb.upper_seq from queue_block qb, first
                   where qb.city_id = ? and qb.voucher_type = ? and ${UPPER} <= ${queueKey('first')}
                   order by qb.upper_rank desc, qb.upper_at desc, qb.upper_seq desc limit 1),
          lo as (select coalesce((select upper_rank from lob), -1::smallint) as lr,
                        coalesce((select upper_at from lob), '-infinity'::timestamptz) as lt,
                        coalesce((select upper_seq from lob), 0::bigint) as ls,
                        (select coalesce(sum(qb.waiting), 0) from queue_block qb, first
                          where qb.city_id = ? and qb.voucher_type = ? and ${UPPER} <= ${queueKey('first')}) as before),
          ranked as (select a.id, row_number() over (order by a.priority_rank, a.submitted_at, a.submission_seq) as n
                       from application a, lo, last
                      where a.city_id = ? and a.voucher_type = ? and a.status = 'QUEUED'
                        and ${queueKey('a')} >= (lo.lr, lo.lt, lo.ls) and ${queueKey('a')} <= ${queueKey('last')})
     select w.id, w.status, case when w.status = 'QUEUED' then (lo.before + ranked.n)::int end as position
       from w cross join lo left join ranked on ranked.id = w.id`,
    [[...ids], cityId, voucherType, cityId, voucherType, cityId, voucherType, cityId, voucherType],
  ];
}

const lockQueueBlocks = (em: EntityManager, cityId: string, type: VoucherType) => advisoryLock(em, LockKey.queueBlocks(cityId, type));

export interface BlockMaintenance {
  closed: number;
  rebuilt: boolean;
}

/**
 * Keeps one queue's blocks near `blockSize`: drops empty blocks (their range joins the next block),
 * closes the open tail into full blocks, and renumbers the whole queue when blocks have drifted far
 * from the target (bursts of priority applicants, rules changes, mass offers). Must run in a
 * transaction: it holds the queue's block lock exclusively, so writers that have not committed
 * their counts yet are waited for.
 */
export async function maintainQueueBlocks(em: EntityManager, cityId: string, type: VoucherType, blockSize = BLOCK_SIZE): Promise<BlockMaintenance> {
  await lockQueueBlocks(em, cityId, type);
  await em.execute(`delete from queue_block where city_id = ? and voucher_type = ? and waiting = 0`, [cityId, type]);
  const [layout] = await em.execute<{ blocks: number; largest: number | null; waiting: number }[]>(
    `select count(*)::int as blocks, max(waiting) as largest, coalesce(sum(waiting), 0)::int as waiting
       from queue_block where city_id = ? and voucher_type = ?`,
    [cityId, type],
  );
  const blocks = layout?.blocks ?? 0;
  const drifted = (layout?.largest ?? 0) > 2 * blockSize || blocks > 2 * Math.ceil((layout?.waiting ?? 0) / blockSize) + 4;
  if (drifted) {
    await em.execute(`delete from queue_block where city_id = ? and voucher_type = ?`, [cityId, type]);
    return { closed: await closeTail(em, cityId, type, blockSize), rebuilt: true };
  }
  return { closed: await closeTail(em, cityId, type, blockSize), rebuilt: false };
}

/** Cuts the open tail (everything at or after the last block) into closed blocks of exactly blockSize; the remainder stays open. */
async function closeTail(em: EntityManager, cityId: string, type: VoucherType, blockSize: number): Promise<number> {
  const [last] = await em.execute<{ r: number; t: string; s: string }[]>(
    `select upper_rank as r, upper_at::text as t, upper_seq::text as s from queue_block where city_id = ? and voucher_type = ?
      order by upper_rank desc, upper_at desc, upper_seq desc limit 1`,
    [cityId, type],
  );
  const from = last ? [last.r, last.t, last.s] : [-1, '-infinity', 0];
  const inserted = await em.execute<{ n: number }[]>(
    `with tail as (select ${QUEUE_ORDER}, row_number() over (order by ${QUEUE_ORDER}) as rn from application a
                    where city_id = ? and voucher_type = ? and status = 'QUEUED' and ${queueKey('a')} >= (?::smallint, ?::timestamptz, ?::bigint)),
          b as (insert into queue_block (city_id, voucher_type, upper_rank, upper_at, upper_seq, waiting)
                select ?, ?, priority_rank, submitted_at, submission_seq, ? from tail where rn > 1 and (rn - 1) % ? = 0 returning 1)
     select count(*)::int as n from b`,
    [cityId, type, ...from, cityId, type, blockSize, blockSize],
  );
  return inserted[0]?.n ?? 0;
}

/** Blocks whose counter disagrees with a recount (always none unless something is broken); for tests and checks. */
export async function miscountedBlocks(em: EntityManager, cityId: string, type: VoucherType): Promise<{ id: string; waiting: number; actual: number }[]> {
  const rows = await em.execute<{ id: string; waiting: number; actual: number }[]>(
    `with b as (select id, waiting, upper_rank, upper_at, upper_seq,
                       lag(upper_rank) over o as lower_rank, lag(upper_at) over o as lower_at, lag(upper_seq) over o as lower_seq
                  from queue_block where city_id = ? and voucher_type = ? window o as (order by upper_rank, upper_at, upper_seq))
     select b.id::text as id, b.waiting, (select count(*)::int from application a where a.city_id = ? and a.voucher_type = ? and a.status = 'QUEUED'
                                   and (b.lower_rank is null or ${queueKey('a')} >= (b.lower_rank, b.lower_at, b.lower_seq))
                                   and ${queueKey('a')} < (b.upper_rank, b.upper_at, b.upper_seq)) as actual
       from b`,
    [cityId, type, cityId, type],
  );
  return rows.filter((r) => r.waiting !== r.actual);
}
