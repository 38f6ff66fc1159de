import type { EntityManager } from '@mikro-orm/postgresql';
import { advisoryLock, LockKey } from './locks.js';
import type { ApplicationStatus, VoucherType } from '../domain/enums.js';
import { blockLayout, blockRecount, closeTailBlocks, dropAllBlocks, dropEmptyBlocks, lastBlock, positionsInQueueQuery, queuePositionsQuery } from './queue-block.queries.js';

export { positionSql, QUEUE_ORDER, queueKey } from './queue-block.queries.js';

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

/** Target waiting applications per closed block: a position then reads ~N/BLOCK_SIZE counters and ≤ 2·BLOCK_SIZE index entries. */
export const BLOCK_SIZE = 1000;

/** The statement queuePositions sends, with its parameters (exported for the queue-scale benchmark's EXPLAIN). */
export function queuePositionsStatement(applicationIds: readonly string[]): [sql: string, params: unknown[]] {
  return [queuePositionsQuery.text, queuePositionsQuery.bind({ ids: [...applicationIds] })];
}

/**
 * Positions of applications' queue keys in any queues (1 = next to be offered), in one statement,
 * whatever their status now: a reader that saw an application QUEUED asks for it, and gets a
 * number even if an offer was made on it since (its status was read in an earlier statement).
 */
export async function queuePositions(em: EntityManager, applicationIds: readonly string[]): Promise<Map<string, number>> {
  if (applicationIds.length === 0) return new Map();
  const rows = await queuePositionsQuery.outside(em, { ids: [...applicationIds] });
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
  return positionsInQueueQuery.outside(em, { ids: [...ids], cityId: queue.cityId, voucherType: queue.voucherType });
}

export interface PositionRow {
  id: string;
  status: ApplicationStatus;
  position: number | null;
}

/** The statement positionsInQueue sends, for callers that add to it (the live hub). */
export function positionsInQueueStatement(queue: { cityId: string; voucherType: string }, ids: readonly string[]): [sql: string, params: unknown[]] {
  return [positionsInQueueQuery.text, positionsInQueueQuery.bind({ ids: [...ids], cityId: queue.cityId, voucherType: queue.voucherType })];
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
  await dropEmptyBlocks.all(em, { cityId, type });
  const layout = await blockLayout.first(em, { cityId, type });
  const blocks = layout?.blocks ?? 0;
  const drifted = (layout?.largest ?? 0) > 2 * blockSize || blocks > 2 * Math.ceil((layout?.waiting ?? 0) / blockSize) + 4;
  if (drifted) {
    await dropAllBlocks.all(em, { cityId, type });
    return { closed: await closeTail(em, cityId, type, blockSize), rebuilt: true };
  }
  return { closed: await closeTail(em, cityId, type, blockSize), rebuilt: false };
}

/** Cuts the open tail (everything at or after the last block) into closed blocks of exactly blockSize; the remainder stays open. */
async function closeTail(em: EntityManager, cityId: string, type: VoucherType, blockSize: number): Promise<number> {
  const last = await lastBlock.first(em, { cityId, type });
  const from = last ? { fromRank: last.r, fromAt: last.t, fromSeq: last.s } : { fromRank: -1, fromAt: '-infinity', fromSeq: 0 };
  const inserted = await closeTailBlocks.all(em, { cityId, type, ...from, blockSize });
  return inserted[0]?.n ?? 0;
}

/** Blocks whose counter disagrees with a recount (always none unless something is broken); for tests and checks. */
export async function miscountedBlocks(em: EntityManager, cityId: string, type: VoucherType): Promise<{ id: string; waiting: number; actual: number }[]> {
  const rows = await blockRecount.all(em, { cityId, type });
  return rows.filter((r) => r.waiting !== r.actual);
}
