import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventKind } from '../realtime/publish.js';
import type { QueueRef } from '../realtime/queue-key.js';
import { type PositionRow, positionsInQueueStatement } from './queue-blocks.js';

/**
 * Positions of applications of one queue (positionsInQueue's statement), plus the kinds of this
 * queue's events after `afterEventId` that the same snapshot already shows: one statement.
 */
export async function positionsWithUnseenEvents(
  em: EntityManager,
  queue: QueueRef,
  ids: readonly string[],
  afterEventId: bigint,
): Promise<{ rows: PositionRow[]; unseen: EventKind[] }> {
  const [sql, params] = positionsInQueueStatement(queue, ids);
  const rows = await em.getConnection().execute<(PositionRow & { unseen: EventKind[] | null })[]>(
    `with p as (${sql})
     select p.*, (select array_agg(distinct e.kind) from domain_event e
                   where e.id > ? and e.city_id = ? and (e.voucher_type = ? or e.voucher_type is null)) as unseen
       from p`,
    [...params, afterEventId.toString(), queue.cityId, queue.voucherType],
  );
  return { rows, unseen: rows[0]?.unseen ?? [] };
}
