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

/**
 * The advisory locks Kezek takes, each a named key: the SQL that computes its bigint from the
 * parameters (database functions where triggers take the same lock, so both sides agree).
 * Transaction-scoped: released at commit or rollback, never held across requests.
 */
export const LockKey = {
  /** Level 1: a city's queues (shared by queue writers, exclusive for a rules change). */
  cityQueues: (cityId: string): LockKey => ({ sql: 'city_queue_lock_key(?::uuid)', params: [cityId] }),
  /** Level 2: what one child holds or waits for. */
  child: (childId: string): LockKey => ({ sql: 'child_lock_key(?::uuid)', params: [childId] }),
  /** Level 3: the issuers of one queue. */
  issuing: (cityId: string, type: VoucherType | string): LockKey => textKey(`queue:${cityId}:${type}`),
  /** Below all levels: a queue's block counters (the row triggers take it too). */
  queueBlocks: (cityId: string, type: VoucherType | string): LockKey => ({ sql: 'queue_block_lock_key(?::uuid, ?)', params: [cityId, type] }),
  /** One city's settlement of one month ("YYYY-MM"). */
  settlement: (cityId: string, month: string): LockKey => textKey(`settle:${cityId}:${month}`),
  /** One bank statement's import (a city and the file's checksum): the same file twice applies once. */
  statement: (cityId: string, checksum: string): LockKey => textKey(`statement:${cityId}:${checksum}`),
  /** A scheduled job's turn (one instance runs it at a time). */
  job: (name: string): LockKey => textKey(`job:${name}`),
} as const;

export interface LockKey {
  sql: string;
  params: unknown[];
}

const textKey = (text: string): LockKey => ({ sql: 'hashtextextended(?, 0)', params: [text] });

/** Waits for the lock: exclusive, or shared (several holders, none exclusive meanwhile). */
export async function advisoryLock(em: EntityManager, key: LockKey, mode: 'shared' | 'exclusive' = 'exclusive'): Promise<void> {
  const fn = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await em.execute(`select ${fn}(${key.sql})`, key.params);
}

/** Takes the lock if it is free right now; false when another transaction holds it. */
export async function tryAdvisoryLock(em: EntityManager, key: LockKey): Promise<boolean> {
  const [row] = await em.execute<{ locked: boolean }[]>(`select pg_try_advisory_xact_lock(${key.sql}) as locked`, key.params);
  return row?.locked === true;
}

/** Level 1: the queue lock of each city, shared (queue writers) or exclusive (rules changes). */
export async function lockCityQueues(em: EntityManager, cityIds: Iterable<string>, mode: 'shared' | 'exclusive' = 'shared'): Promise<void> {
  const ids = [...new Set(cityIds)].sort();
  if (ids.length <= 1) {
    for (const cityId of ids) await advisoryLock(em, LockKey.cityQueues(cityId), mode);
    return;
  }
  // Many cities (a category decision takes every city's): one statement, the locks taken row by row
  // in id order (uuid order is the order of their lower-case text, as sorted above).
  const fn = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await em.execute(`select count(${fn}(city_queue_lock_key(c.id))) from (select unnest(?::uuid[]) as id order by 1) c`, [`{${ids.join(',')}}`]);
}

/** Level 2: serialises everything one child holds or waits for. */
export async function lockChildren(em: EntityManager, childIds: Iterable<string>): Promise<void> {
  const ids = [...new Set(childIds)].sort();
  if (ids.length <= 1) {
    for (const childId of ids) await advisoryLock(em, LockKey.child(childId));
    return;
  }
  // A provider records up to 500 children a call: one statement, the locks taken in id order.
  await em.execute(`select count(pg_advisory_xact_lock(child_lock_key(c.id))) from (select unnest(?::uuid[]) as id order by 1) c`, [`{${ids.join(',')}}`]);
}

/** Level 3: the issuers of one queue. */
export async function lockIssuing(em: EntityManager, queues: Iterable<{ cityId: string; type: VoucherType | string }>): Promise<void> {
  const unique = new Map([...queues].map((q) => [`queue:${q.cityId}:${q.type}`, q]));
  for (const key of [...unique.keys()].sort()) await advisoryLock(em, LockKey.issuing(unique.get(key)!.cityId, unique.get(key)!.type));
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
