import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, ErrorCode } from '../errors.js';
import { releaseSeatQuery, returnToQuotaQuery, takeFromQuotaQuery, takeSeatQuery } from './counters.queries.js';

/**
 * Quota counters change only through these guarded statements. The WHERE clause and the table's
 * check constraint (used between 0 and count) make overrunning the cap impossible, even for
 * transactions that read a stale count.
 */
export async function takeFromQuota(em: EntityManager, quotaId: string, n: number): Promise<void> {
  const rows = await takeFromQuotaQuery.all(em, { quotaId, n });
  if (rows.length === 0) throw new DomainError(ErrorCode.QUOTA_EXHAUSTED, 'The quota has no room for these vouchers.');
}

export async function returnToQuota(em: EntityManager, quotaId: string, n = 1): Promise<void> {
  await returnToQuotaQuery.all(em, { quotaId, n });
}

/** Takes a seat in a program, or fails with CAPACITY_FULL; the check constraint backs it. */
export async function takeSeat(em: EntityManager, programId: string): Promise<void> {
  const rows = await takeSeatQuery.all(em, { programId });
  if (rows.length === 0) throw new DomainError(ErrorCode.CAPACITY_FULL, 'This program has no free places left.');
}

export async function releaseSeat(em: EntityManager, programId: string): Promise<void> {
  await releaseSeatQuery.all(em, { programId });
}
