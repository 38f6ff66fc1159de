import type { EntityManager } from '@mikro-orm/postgresql';
import type { VoucherType } from '../domain/enums.js';
import { releaseSeat, takeSeat } from './counters.js';

/**
 * THE lock order. Every use case that touches queues, applications, offers, vouchers or seats takes
 * its locks in this order (skipping what it does not need), so two of them never wait on each
 * other in a cycle:
 *
 *   1. city queue lock   city_queue_lock_key(city): SHARED by every queue writer (apply, restore,
 *                        issue, accept, priority verification), EXCLUSIVE by a rules change. Several
 *                        cities: in id order.
 *   2. child lock        child_lock_key(child): everything that changes what one child holds or
 *                        waits for (apply, restore, accept, switch, suspend/reinstate/revoke).
 *                        Several children: in id order.
 *   3. issue lock        one queue (city, voucher type): its issuers, and an accept that closes the
 *                        child's application in that queue. Several queues: in key order.
 *   4. rows              offer → voucher → enrollment → application (FOR UPDATE).
 *   5. counters          program seats in program id order, and quotas; nothing is locked after,
 *                        except that issueInQueue locks its quota before the head rows (nothing
 *                        that holds a waiting application's row waits for a quota).
 *
 * queue_block's own lock (queue_block_lock_key) is taken by the row triggers, below all of these.
 * Advisory locks here are transaction-scoped and re-entrant, so taking one twice is harmless.
 */

/** Level 1: the queue lock of each city, shared (queue writers) or exclusive (rules changes). */
export async function lockCityQueues(em: EntityManager, cityIds: Iterable<string>, mode: 'shared' | 'exclusive' = 'shared'): Promise<void> {
  const fn = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  for (const cityId of [...new Set(cityIds)].sort()) await em.execute(`select ${fn}(city_queue_lock_key(?::uuid))`, [cityId]);
}

/** Level 2: serialises everything one child holds or waits for. */
export async function lockChildren(em: EntityManager, childIds: Iterable<string>): Promise<void> {
  for (const childId of [...new Set(childIds)].sort()) await em.execute('select pg_advisory_xact_lock(child_lock_key(?::uuid))', [childId]);
}

/** Level 3: the issuers of one queue. */
export async function lockIssuing(em: EntityManager, queues: Iterable<{ cityId: string; type: VoucherType | string }>): Promise<void> {
  const keys = [...new Set([...queues].map((q) => `queue:${q.cityId}:${q.type}`))].sort();
  for (const key of keys) await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [key]);
}

/** Level 4: one voucher row. Returns false when there is no such voucher. */
export async function lockVoucherRow(em: EntityManager, voucherId: string): Promise<boolean> {
  return (await em.execute('select id from voucher where id = ? for update', [voucherId])).length > 0;
}

/** Level 5: moves one seat between programs, the two counters in program id order. */
export async function moveSeat(em: EntityManager, fromProgramId: string, toProgramId: string): Promise<void> {
  if (fromProgramId < toProgramId) {
    await releaseSeat(em, fromProgramId);
    await takeSeat(em, toProgramId);
  } else {
    await takeSeat(em, toProgramId);
    await releaseSeat(em, fromProgramId);
  }
}
